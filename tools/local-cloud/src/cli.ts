/**
 * `npm start`: builds handler bundles, synthesizes every stack, starts the
 * local cloud on LOCAL_CLOUD_PORT (default 4566), applies the stacks
 * (platform first) and prints where everything is. Ctrl-C stops every child
 * process. State persists in `.local-cloud/` at the repository root.
 *
 * Options: --reset (wipe .local-cloud first), --env <name> (default staging,
 * or LOCAL_CLOUD_ENV), --skip-build (no bundle/synth), --port <n>,
 * --no-watch (no watch mode: see src/watch), --seed (a staff user, a store and
 * products: src/dev/seed.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCloud } from './cloud';
import type { LocalCloud } from './cloud';
import type { ApplyReport } from './terraform/engine';
import { discoverWorkspaceStacks } from './terraform/discovery';
import { startWatchMode } from './watch';
import { seedCatalogOnce } from './dev/seed';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

function say(message: string): void {
  process.stdout.write(`${message}\n`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Lock {
  pid: number;
  port: number;
  startedAt: string;
}

/** One local cloud per data dir: a live lock means another `npm start` is running. */
function takeLock(dataDir: string, port: number): () => void {
  const file = join(dataDir, 'lock.json');
  if (existsSync(file)) {
    const lock = JSON.parse(readFileSync(file, 'utf8')) as Lock;
    if (lock.pid !== process.pid && isAlive(lock.pid)) {
      throw new Error(
        `A local cloud is already running (pid ${lock.pid}, http://127.0.0.1:${lock.port}, since ${lock.startedAt}). Use it, or stop it with Ctrl-C in its terminal (or: kill ${lock.pid}).`,
      );
    }
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ pid: process.pid, port, startedAt: new Date().toISOString() } satisfies Lock));
  return () => rmSync(file, { force: true });
}

function nxProjectsWithTarget(target: string): string[] {
  const result = spawnSync('npx', ['nx', 'show', 'projects', '--with-target', target, '--json'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`nx show projects failed: ${result.stderr}`);
  return JSON.parse(result.stdout || '[]') as string[];
}

function runTarget(step: string, target: string): void {
  const projects = nxProjectsWithTarget(target);
  if (projects.length === 0) {
    say(`${step} no project has a '${target}' target yet — skipped`);
    return;
  }
  say(`${step} nx run-many -t ${target} (${projects.join(', ')})`);
  const result = spawnSync('npx', ['nx', 'run-many', '-t', target, '--outputStyle=stream'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`nx run-many -t ${target} failed (exit ${result.status})`);
}

function summarise(report: ApplyReport): string {
  const count = (status: string) => report.resources.filter((resource) => resource.status === status).length;
  return `${report.name}: ${count('applied')} applied, ${count('recorded')} recorded (no local effect), ${count('not-emulated')} NOT emulated — ${report.durationMs} ms`;
}

async function printEndpoints(cloud: LocalCloud, reports: ApplyReport[]): Promise<void> {
  const state = await cloud.state();
  say('');
  say(`Edge endpoint   ${cloud.endpoint}     (export AWS_ENDPOINT_URL=${cloud.endpoint}; S3 clients need forcePathStyle: true)`);
  say(`State           ${cloud.endpoint}/_local/state`);
  for (const report of reports) {
    for (const [name, value] of Object.entries(report.outputs)) {
      if (typeof value === 'string' && /^https?:\/\//.test(value)) say(`HTTP            ${report.name} ${name}: ${value}`);
    }
  }
  for (const key of ['httpApis', 'apis']) {
    for (const api of (state[key] as Array<{ name?: string; url?: string; endpoint?: string }> | undefined) ?? []) {
      say(`HTTP API        ${api.name ?? ''} ${api.url ?? api.endpoint ?? ''}`);
    }
  }
  for (const pool of (state.userPools as Array<{ id: string; name: string; issuer: string; clients: Array<{ id: string; name: string }> }> | undefined) ?? []) {
    say(`User pool       ${pool.name} ${pool.id}  issuer ${pool.issuer}`);
    for (const client of pool.clients) say(`  app client    ${client.name} ${client.id}`);
  }
  const notEmulated = reports.flatMap((report) => report.notEmulated.map((entry) => `${report.name}: ${entry.address}`));
  if (notEmulated.length) {
    say('');
    say('WARNING — these resources are NOT emulated locally (they do not exist here):');
    for (const line of notEmulated) say(`  ✗ ${line}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      reset: { type: 'boolean', default: false },
      env: { type: 'string', default: process.env.LOCAL_CLOUD_ENV ?? 'staging' },
      port: { type: 'string', default: process.env.LOCAL_CLOUD_PORT ?? '4566' },
      'skip-build': { type: 'boolean', default: false },
      'no-watch': { type: 'boolean', default: process.env.LOCAL_CLOUD_WATCH === '0' },
      seed: { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: join(repoRoot, '.local-cloud') },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port / LOCAL_CLOUD_PORT must be a TCP port, got '${values.port}'`);
  const dataDir = resolve(values['data-dir'] as string);

  // Refuse early (before building anything) if another local cloud owns this data dir.
  let releaseLock = takeLock(dataDir, port);
  if (values.reset) {
    releaseLock();
    rmSync(dataDir, { recursive: true, force: true });
    say(`Reset: removed ${relative(repoRoot, dataDir) || dataDir}`);
    releaseLock = takeLock(dataDir, port);
  }

  if (!values['skip-build']) {
    runTarget('[1/4] Handler bundles:', 'bundle');
    runTarget('[2/4] Stacks:', 'synth');
  } else {
    say('[1-2/4] --skip-build: using existing bundles and synth output');
  }

  say(`[3/4] Starting the local cloud on port ${port} (DynamoDB Local, s3rver, cognito-local, emulated services)…`);
  const started = Date.now();
  let cloud: LocalCloud;
  try {
    cloud = await startLocalCloud({ port, dataDir, log: (message) => say(`      · ${message}`) });
  } catch (error) {
    releaseLock();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`Port ${port} is already in use by another program. Free it, or choose another: LOCAL_CLOUD_PORT=4567 npm start`);
    }
    throw error;
  }
  say(`      ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${cloud.endpoint}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      say('Forced exit.');
      process.exit(130);
    }
    stopping = true;
    say(`\n${signal}: stopping the local cloud…`);
    await cloud.stop();
    releaseLock();
    say('Stopped. State kept in .local-cloud/ (npm start -- --reset wipes it).');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const stacks = discoverWorkspaceStacks(repoRoot, values.env as string);
  say(`[4/4] Applying ${stacks.length} stack(s) for environment '${values.env}': ${stacks.map((stack) => stack.name).join(', ') || '(none found — run the synth targets)'}`);
  const reports: ApplyReport[] = [];
  for (const stack of stacks) {
    try {
      const [report] = await cloud.applyStacks([stack.dir]);
      reports.push(report as ApplyReport);
      say(`      ✓ ${summarise(report as ApplyReport)}`);
    } catch (error) {
      say(`      ✗ ${stack.name}: ${(error as Error).message}`);
    }
  }
  await printEndpoints(cloud, reports);
  // Seed data through the catalog's own API (src/dev/seed.ts).
  if (values.seed) await seedCatalogOnce({ endpoint: cloud.endpoint, dataDir, log: (message) => say(`\n${message}`) }).catch((error: unknown) => say(`\n✗ --seed: ${(error as Error).message}`));
  // Watch mode (src/watch): handler edits swap code into running functions, stack edits re-apply that stack.
  const watcher = values['no-watch'] ? undefined : startWatchMode({ cloud, repoRoot, environment: values.env as string, log: (message) => say(`      · ${message}`) });
  process.once('exit', () => watcher?.stop());
  say(`\nRunning${watcher ? ' in watch mode' : ''}. Ctrl-C stops everything.`);
}

main().catch((error: unknown) => {
  process.stderr.write(`local-cloud: ${(error as Error).message}\n`);
  process.exit(1);
});
