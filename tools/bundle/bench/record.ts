/**
 * Shared by every bench of the workspace (`@kestrel/bundle/bench-record`; it lives with the bundler,
 * which every service and the local cloud already depend on, so importing it adds no edge to the Nx graph).
 * What every benchmark JSON records so a figure can be traced and compared:
 * the commit, the machine (cores, CPU, load before and after), the date, and
 * whether the run is valid. A run whose setup failed (a stack not applied, a
 * function erroring) is written with `valid: false` and the problems, never
 * as figures; `npm run bench` fails on it. Also: the peak resident memory of
 * a whole process tree, sampled from /proc (GNU time's `%M` reports the
 * largest single process, which hides tsx's, npx's and esbuild's children).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';

/** Taken when a benchmark imports this module, i.e. before it starts measuring. */
const loadAtStart = loadavg()[0] ?? 0;

const round2 = (value: number) => Math.round(value * 100) / 100;

/** The checked-out commit and whether the working tree differs from it (figures from a dirty tree are not the commit's); bench result files do not count. */
export function commitFacts(cwd = process.cwd()): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    // Result files a bench run itself rewrites (`bench-results/`) do not make the measured code differ from the commit.
    const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.includes('/bench-results/'));
    const dirty = changed.length > 0;
    return { commit, dirty };
  } catch {
    return { commit: 'unknown (not a git checkout)', dirty: true };
  }
}

/** Node version, cores, CPU model and the 1-minute load average when the bench started and now. */
export function machineFacts() {
  return {
    node: process.version,
    cores: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverage1m: { before: round2(loadAtStart), after: round2(loadavg()[0] ?? 0) },
  };
}

export interface BenchValidity {
  /** False when setup failed: the figures describe a broken system and must not be compared. */
  valid: boolean;
  /** Why the run is invalid (empty when valid). */
  problems: string[];
}

/** `{ valid, problems }` from a list of problems found while setting up or measuring. */
export function validity(problems: readonly string[]): BenchValidity {
  return { valid: problems.length === 0, problems: [...problems] };
}

/**
 * Writes a benchmark's JSON: `benchmark`, `valid`/`problems`, `measuredAt`,
 * `commit`, `dirty`, `machine`, then `data`. Prints a line saying where, and
 * says loudly when the run is invalid. Returns the document.
 *
 * @example
 * ```ts
 * writeBenchJson('apps/customers/bench-results/bundles.json', 'customers-bundles', validity(problems), { functions });
 * ```
 */
export function writeBenchJson(file: string, benchmark: string, runValidity: BenchValidity, data: Record<string, unknown>): Record<string, unknown> {
  const document = { benchmark, ...runValidity, measuredAt: new Date().toISOString(), ...commitFacts(dirname(file)), machine: machineFacts(), ...data };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  const verdict = runValidity.valid ? 'valid' : `INVALID: ${runValidity.problems.join('; ')}`;
  console.log(`${benchmark}: ${file} (${verdict})`);
  return document;
}

/** Resident memory (KB) of `rootPid` and its descendants now, found through each thread's /proc children list (no scan of every process). */
export function treeRssKb(rootPid: number): { rssKb: number; processes: number } {
  let rssKb = 0;
  let count = 0;
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift() as number;
    try {
      rssKb += Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      count += 1;
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
        if (children) queue.push(...children.split(' ').map(Number));
      }
    } catch {
      // the process (or thread) exited while we looked
    }
  }
  return { rssKb, processes: count };
}

/** Resident memory in MB with one decimal. */
export const rssMb = (rssKb: number) => Math.round(rssKb / 102.4) / 10;

export interface TreeRun {
  exitCode: number | null;
  wallMs: number;
  /** Largest sum of the resident memory of the command and all its descendants at one sample. */
  peakTreeRssMb: number;
  /** How many processes the tree held at that peak. */
  processesAtPeak: number;
  samples: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command and samples its whole process tree's resident memory from
 * /proc every `intervalMs` (10 ms by default), returning the peak of the sum.
 * Sampling can miss a spike shorter than the interval; it never adds up
 * processes that were not alive at the same time.
 */
export function runMeasuringTree(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; intervalMs?: number } = {}): Promise<TreeRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let peakKb = 0;
    let processesAtPeak = 0;
    let samples = 0;
    const sample = () => {
      if (child.pid === undefined) return;
      const tree = treeRssKb(child.pid);
      samples += 1;
      if (tree.rssKb > peakKb) {
        peakKb = tree.rssKb;
        processesAtPeak = tree.processes;
      }
    };
    const timer = setInterval(sample, options.intervalMs ?? 10);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearInterval(timer);
      resolve({ exitCode, wallMs: Math.round(performance.now() - started), peakTreeRssMb: rssMb(peakKb), processesAtPeak, samples, stdout, stderr });
    });
  });
}
