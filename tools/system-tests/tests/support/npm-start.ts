/**
 * The system as `npm start` runs it: the real CLI (`node --import tsx tools/local-cloud/src/cli.ts`,
 * the command tools/bootstrap.mjs runs) as a child process, with `--skip-build` (the Nx target's
 * dependsOn built the bundles and synthesized the stacks), on a free port, with its own data dir
 * (LOCAL_CLOUD_DATA_DIR) so it never meets a developer's `.local-cloud/` or another test's. Ready
 * means what a script would check: `GET /_local/health` answers 200.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { descendants, findFreePort, processes, type ProcessInfo } from '@kestrel/local-cloud';

export const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));
const CLI = join(repoRoot, 'tools', 'local-cloud', 'src', 'cli.ts');

export interface RunningCli {
  /** The process that was spawned (the CLI itself, or the shell in front of it). */
  child: ChildProcess;
  endpoint: string;
  dataDir: string;
  /** Everything the CLI printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit of `child`. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartCliOptions {
  /** Extra CLI arguments (`--env none` starts the cloud with no stack). */
  args?: readonly string[];
  /** Runs the CLI behind `sh -c '… & wait'`, so a test can kill that parent. */
  behindShell?: boolean;
  /** Runs `npm start -- …` itself (npm → sh -c → tools/bootstrap.mjs → the CLI). */
  viaNpm?: boolean;
  timeoutMs?: number;
  /** Returns once the CLI printed its last line (`Running, NOT ready`) even though health says a stack failed (`--keep-going`). */
  acceptNotReady?: boolean;
  /** Start on this data dir (again, after a crash) instead of a fresh one. */
  dataDir?: string;
  /** Listen on this port instead of a free one (a restart keeps the endpoint its callers know). */
  port?: number;
  /** Start the CLI as a process group leader, so a crash test can reap what a `kill -9` of it left behind. */
  detached?: boolean;
}

/**
 * Starts the CLI and waits for `/_local/health` to answer 200; throws with the CLI's output if it
 * exits first (a stack that fails to apply makes it exit 1) or health reports a failed stack.
 *
 * @example
 * const cli = await startCli();
 * const state = await (await fetch(`${cli.endpoint}/_local/state`)).json();
 */
export async function startCli(options: StartCliOptions = {}): Promise<RunningCli> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'npm-start-'));
  const port = options.port ?? (await findFreePort());
  const args = ['--import', 'tsx', CLI, '--skip-build', '--port', String(port), ...(options.args ?? [])];
  const env = { ...process.env, LOCAL_CLOUD_DATA_DIR: dataDir };
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const cliArgs = args.slice(3);
  const child = options.viaNpm
    ? spawn('npm', ['start', '--', ...cliArgs], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : options.behindShell
      ? spawn('sh', ['-c', `${[process.execPath, ...args].map(quote).join(' ')} & wait`], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached === true });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const cli: RunningCli = { child, endpoint: `http://127.0.0.1:${port}`, dataDir, output: () => output, exited };

  const deadline = Date.now() + (options.timeoutMs ?? 240_000);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((value) => (exit = value));
  let last = 'no answer yet';
  const exitedBeforeReady = (value: { code: number | null; signal: NodeJS.Signals | null }) =>
    new Error(`npm start exited (code ${value.code}, signal ${value.signal}) before it was ready; last health answer: ${last}. Its output:\n${output}`);
  while (Date.now() < deadline) {
    if (exit) throw exitedBeforeReady(exit);
    try {
      const response = await fetch(`${cli.endpoint}/_local/health`, { signal: AbortSignal.timeout(2_000) });
      last = `${response.status} ${await response.text()}`;
    } catch {
      // not listening yet
    }
    if (last.startsWith('200 ')) return cli;
    if (options.acceptNotReady && output.includes('Running, NOT ready')) return cli;
    if (last.includes('"status":"failed"') && !options.acceptNotReady) {
      // A failed stack: npm start stops everything and exits 1 by itself (SIGKILL only if it hangs).
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const value = await exited;
      clearTimeout(timer);
      throw exitedBeforeReady(value);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stopCli(cli, 'SIGKILL');
  throw new Error(`npm start was not ready after ${options.timeoutMs ?? 240_000} ms; last health answer: ${last}\nIts output:\n${output}`);
}

/** Sends `signal` to the spawned process and waits for its exit (SIGKILL after `graceMs`). */
export async function stopCli(cli: RunningCli, signal: NodeJS.Signals, graceMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (cli.child.exitCode !== null || cli.child.signalCode !== null) return cli.exited;
  cli.child.kill(signal);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), graceMs);
  const result = await cli.exited;
  clearTimeout(timer);
  return result;
}

/** The spawned process and everything under it right now. */
export function processTree(cli: RunningCli): ProcessInfo[] {
  return cli.child.pid ? descendants(cli.child.pid, processes()) : [];
}

function isRunning(pid: number): boolean {
  try {
    // A zombie has exited; only its parent has not collected it yet.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Those of `tree` still running (same pid and command line), waiting up to `waitMs` for them to go. */
export async function survivors(tree: readonly ProcessInfo[], waitMs = 5_000): Promise<ProcessInfo[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const current = new Map(processes().map((entry) => [entry.pid, entry]));
    const alive = tree.filter((entry) => isRunning(entry.pid) && current.get(entry.pid)?.command === entry.command);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
