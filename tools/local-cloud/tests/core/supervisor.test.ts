import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { SupervisedProcess, answersHttp, findFreePort, reapStale, supervisedStatuses } from '../../src/processes/supervisor';

/** A tiny HTTP server script; `ignoreTerm` makes it shrug off SIGTERM. */
function serverScript(dir: string, options: { ignoreTerm?: boolean; crash?: boolean } = {}): string {
  const file = join(dir, 'server.cjs');
  writeFileSync(
    file,
    [
      "const http = require('node:http');",
      options.crash ? "console.error('fatal: config missing'); process.exit(3);" : '',
      options.ignoreTerm ? "process.on('SIGTERM', () => console.log('ignoring SIGTERM'));" : '',
      "http.createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));",
    ].join('\n'),
  );
  return file;
}

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('process supervisor', () => {
  it('restarts a child that was killed (kill -9) on the same port, with its restart counted in its status', async () => {
    // prepare
    const dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
    const port = await findFreePort();
    const logged: string[] = [];
    const child = new SupervisedProcess({
      name: 'restartable',
      command: process.execPath,
      args: [serverScript(dir)],
      env: { PORT: String(port), NODE_OPTIONS: '' },
      logFile: join(dir, 'restartable.log'),
      isReady: () => answersHttp(`http://127.0.0.1:${port}/`),
      log: (message) => logged.push(message),
    });
    await child.start();
    const firstPid = child.pid as number;
    // act
    process.kill(firstPid, 'SIGKILL');
    await waitUntil(() => child.status().state === 'restarting');
    const whileDown = supervisedStatuses().find((status) => status.name === 'restartable');
    await waitUntil(() => child.status().state === 'running');
    const answersAgain = await answersHttp(`http://127.0.0.1:${port}/`);
    const after = child.status();
    await child.stop();
    // assess
    expect(whileDown).toMatchObject({ state: 'restarting', lastExit: { reason: 'signal SIGKILL' } });
    expect(after).toMatchObject({ state: 'running', restarts: 1 });
    expect(after.pid).not.toBe(firstPid);
    expect(answersAgain).toBe(true);
    expect(logged.join('\n')).toContain('restartable exited unexpectedly (signal SIGKILL)');
    expect(readFileSync(join(dir, 'restartable.log'), 'utf8')).toMatch(/\[local-cloud supervisor [^\]]+\] restartable is running again \(restart 1, pid \d+\)/);
    expect(supervisedStatuses().some((status) => status.name === 'restartable')).toBe(false);
  });

  it('does not restart a child it stopped itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
    const port = await findFreePort();
    const child = new SupervisedProcess({
      name: 'stopped-on-purpose',
      command: process.execPath,
      args: [serverScript(dir)],
      env: { PORT: String(port), NODE_OPTIONS: '' },
      logFile: join(dir, 'stopped.log'),
      isReady: () => answersHttp(`http://127.0.0.1:${port}/`),
    });
    await child.start();
    await child.stop();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(child.status()).toMatchObject({ state: 'stopped', restarts: 0 });
    expect(await answersHttp(`http://127.0.0.1:${port}/`)).toBe(false);
  });

  it('starts a child on a free port, waits for readiness, captures its output and stops it with SIGTERM', async () => {
    // prepare
    const dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
    const port = await findFreePort();
    const child = new SupervisedProcess({
      name: 'demo',
      command: process.execPath,
      args: [serverScript(dir)],
      env: { PORT: String(port), NODE_OPTIONS: '' },
      logFile: join(dir, 'logs', 'demo.log'),
      pidFile: join(dir, 'demo.pid'),
      isReady: () => answersHttp(`http://127.0.0.1:${port}/`),
    });
    // act
    await child.start();
    const pid = child.pid as number;
    const pidRecorded = readFileSync(join(dir, 'demo.pid'), 'utf8');
    await child.stop();
    // assess
    expect(pidRecorded).toBe(String(pid));
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(dir, 'demo.pid'))).toBe(false);
    expect(readFileSync(join(dir, 'logs', 'demo.log'), 'utf8')).toContain('listening');
  });

  it('SIGKILLs a child that ignores SIGTERM after the grace period', async () => {
    // prepare
    const dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
    const port = await findFreePort();
    const child = new SupervisedProcess({
      name: 'stubborn',
      command: process.execPath,
      args: [serverScript(dir, { ignoreTerm: true })],
      env: { PORT: String(port), NODE_OPTIONS: '' },
      logFile: join(dir, 'stubborn.log'),
      isReady: () => answersHttp(`http://127.0.0.1:${port}/`),
      stopTimeoutMs: 300,
    });
    await child.start();
    const pid = child.pid as number;
    // act
    await child.stop();
    // assess
    expect(alive(pid)).toBe(false);
    expect(readFileSync(join(dir, 'stubborn.log'), 'utf8')).toContain('ignoring SIGTERM');
  });

  it('reports a child that dies before it is ready, with the tail of its output', async () => {
    // prepare
    const dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
    const child = new SupervisedProcess({
      name: 'broken',
      command: process.execPath,
      args: [serverScript(dir, { crash: true })],
      env: { NODE_OPTIONS: '' },
      logFile: join(dir, 'broken.log'),
      isReady: async () => false,
    });
    // act
    const failure = await child.start().catch((error: unknown) => error);
    // assess
    expect((failure as Error).message).toMatch(/^broken exited before it was ready \(exit code 3\)\. Last output .*\nfatal: config missing$/);
  });

  it('reaps a child left behind by a run that was killed, but only if the pid is still that child', async () => {
    // prepare: an orphan from a "previous run", and a pid file pointing at an unrelated process
    const dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
    const orphan = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'marker-orphan-of-test'], { stdio: 'ignore' });
    writeFileSync(join(dir, 'orphan.pid'), String(orphan.pid));
    writeFileSync(join(dir, 'unrelated.pid'), String(process.pid));
    const exited = new Promise((resolve) => orphan.once('exit', resolve));
    // act
    const reaped = reapStale(join(dir, 'orphan.pid'), 'marker-orphan-of-test');
    const spared = reapStale(join(dir, 'unrelated.pid'), 'marker-orphan-of-test');
    await exited;
    // assess
    expect(reaped).toBe(orphan.pid);
    expect(spared).toBeUndefined();
    expect(alive(process.pid)).toBe(true);
  });
});
