/**
 * Runs the real components of the local cloud (DynamoDB Local, s3rver,
 * cognito-local) as child processes: free port, output captured to a log
 * file, readiness probe, SIGTERM-then-SIGKILL shutdown, and no orphans — every
 * live child is killed when this process exits, and a child left behind by a
 * run that was itself SIGKILLed is reaped on the next start through its pid file.
 *
 * A child that dies on its own (crash, OOM kill, `kill -9`) is started again
 * with the same command line (so the same port and data) after a backoff that
 * doubles from 250 ms to 10 s, reset once it stayed up for a minute. While it
 * is down, `status()` says `restarting`; `/_local/health` and `/_local/state`
 * list every supervised child's status (`supervisedStatuses()`), and requests
 * forwarded to it get a retryable 503 `ServiceUnavailable` (`core/forward.ts`).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';

export interface ChildProcessSpec {
  /** Short name used in logs and errors (`dynamodb-local`). */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** stdout and stderr of the child are appended here. */
  logFile: string;
  /** Resolves true once the component answers; polled until `readyTimeoutMs`. */
  isReady: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL. */
  stopTimeoutMs?: number;
  /**
   * Where the child's pid is kept while it runs. If a previous run died without
   * stopping it, the next start finds the pid here and kills that process
   * (after checking, via /proc, that its command line still contains `pidFileMarker`).
   */
  pidFile?: string;
  /** A string unique to this child's command line (usually its data directory). */
  pidFileMarker?: string;
  /** Start the child again when it dies on its own (default true). */
  restartOnExit?: boolean;
  /** Told about each unexpected exit and restart (the module's log); the child's own log file gets the same lines. */
  log?: (message: string) => void;
}

/** What `/_local/health` and `/_local/state` say about one supervised child. */
export interface SupervisedStatus {
  name: string;
  state: 'starting' | 'running' | 'restarting' | 'stopped';
  pid?: number;
  /** Restarts after unexpected exits since the local cloud started. */
  restarts: number;
  /** How the last unexpected exit happened (`signal SIGKILL`, `exit code 1`) and when. */
  lastExit?: { reason: string; at: string };
}

/** Backoff between restarts: doubles from the first to the last, back to the first after a minute of running. */
const RESTART_DELAYS_MS = { first: 250, max: 10_000, healthyAfter: 60_000 };

const supervised = new Set<SupervisedProcess>();

/** Every supervised child of this process that has been started and not stopped. */
export function supervisedStatuses(): SupervisedStatus[] {
  return [...supervised].map((process) => process.status());
}

/** Kills the process recorded in `pidFile` if it is still ours (its command line contains `marker`). */
export function reapStale(pidFile: string, marker: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    if (!commandLine.includes(marker)) return undefined;
    process.kill(pid, 'SIGKILL');
    return pid;
  } catch {
    return undefined;
  }
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL is the only thing that cannot be ignored or delayed.
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** Picks a TCP port that is free right now on `host`. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One supervised child process.
 *
 * @example
 * const ddb = new SupervisedProcess({ name: 'dynamodb-local', command: 'java', args, logFile, isReady });
 * await ddb.start();
 * await ddb.stop();
 */
export class SupervisedProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private state: SupervisedStatus['state'] = 'stopped';
  private stopping = false;
  private restarts = 0;
  private lastExit?: SupervisedStatus['lastExit'];
  private restartDelayMs = RESTART_DELAYS_MS.first;
  private restartTimer?: NodeJS.Timeout;
  private runningSince = 0;

  constructor(readonly spec: ChildProcessSpec) {}

  status(): SupervisedStatus {
    return { name: this.spec.name, state: this.state, ...(this.running ? { pid: this.pid } : {}), restarts: this.restarts, ...(this.lastExit ? { lastExit: this.lastExit } : {}) };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.stopping = false;
    this.state = 'starting';
    supervised.add(this);
    try {
      await this.spawnAndWait();
    } catch (error) {
      this.state = 'stopped';
      supervised.delete(this);
      throw error;
    }
    this.state = 'running';
  }

  private async spawnAndWait(): Promise<void> {
    installExitHook();
    const { spec } = this;
    mkdirSync(dirname(spec.logFile), { recursive: true });
    if (spec.pidFile) reapStale(spec.pidFile, spec.pidFileMarker ?? spec.logFile);
    const log = openSync(spec.logFile, 'a');
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', log, log],
      // Its own process group: Ctrl-C in a terminal signals the whole foreground group, and a store
      // killed by it directly would go before the buffers that flush into it; we stop it, in order.
      detached: true,
    });
    closeSync(log);
    this.child = child;
    live.add(child);
    if (spec.pidFile && child.pid) {
      mkdirSync(dirname(spec.pidFile), { recursive: true });
      writeFileSync(spec.pidFile, String(child.pid));
    }
    let exitInfo: string | undefined;
    let spawnError: Error | undefined;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
        live.delete(child);
        if (spec.pidFile) rmSync(spec.pidFile, { force: true });
        resolve();
        if (this.state === 'running' && !this.stopping) this.restartAfterCrash(exitInfo);
      });
      child.once('error', (error) => {
        spawnError = error;
        live.delete(child);
        resolve();
      });
    });

    const deadline = Date.now() + (spec.readyTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (spawnError) throw new Error(`${spec.name}: could not start '${spec.command}': ${spawnError.message}`);
      if (exitInfo) throw new Error(`${spec.name} exited before it was ready (${exitInfo}). Last output (${spec.logFile}):\n${tail(spec.logFile)}`);
      if (await spec.isReady().catch(() => false)) {
        this.runningSince = Date.now();
        return;
      }
      await sleep(100);
    }
    await this.killChild();
    throw new Error(`${spec.name} was not ready after ${spec.readyTimeoutMs ?? 60_000} ms. Last output (${spec.logFile}):\n${tail(spec.logFile)}`);
  }

  /** A supervisor event, in the module's log and in the child's log file (where its crash output is). */
  private note(message: string): void {
    this.spec.log?.(message);
    try {
      appendFileSync(this.spec.logFile, `[local-cloud supervisor ${new Date().toISOString()}] ${message}\n`);
    } catch {
      // The log file is best effort.
    }
  }

  /** The child died on its own: start it again after the backoff, until it stays up or is stopped. */
  private restartAfterCrash(reason: string): void {
    const { spec } = this;
    if (spec.restartOnExit === false) {
      this.state = 'stopped';
      return;
    }
    this.state = 'restarting';
    this.lastExit = { reason, at: new Date().toISOString() };
    if (Date.now() - this.runningSince > RESTART_DELAYS_MS.healthyAfter) this.restartDelayMs = RESTART_DELAYS_MS.first;
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(RESTART_DELAYS_MS.max, this.restartDelayMs * 2);
    this.note(`${spec.name} exited unexpectedly (${reason}); restarting it in ${delay} ms (log: ${spec.logFile})`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.spawnAndWait().then(
        () => {
          if (this.stopping) return;
          this.restarts++;
          this.state = 'running';
          this.note(`${spec.name} is running again (restart ${this.restarts}, pid ${this.pid})`);
        },
        (error: unknown) => {
          this.note(`${spec.name} could not be restarted: ${(error as Error).message.split('\n')[0]}`);
          if (!this.stopping) this.restartAfterCrash('failed to restart');
        },
      );
    }, delay);
    this.restartTimer.unref();
  }

  /** SIGTERM, then SIGKILL after `stopTimeoutMs`; resolves once the process is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.state = 'stopped';
    supervised.delete(this);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.killChild();
  }

  private async killChild(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGTERM');
    const killed = await Promise.race([this.exited!.then(() => true), sleep(this.spec.stopTimeoutMs ?? 5_000).then(() => false)]);
    if (!killed) {
      child.kill('SIGKILL');
      await this.exited;
    }
  }
}

/** Probes an HTTP endpoint; any HTTP answer (even an error status) means the server is up. */
export async function answersHttp(url: string, init?: RequestInit): Promise<boolean> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}
