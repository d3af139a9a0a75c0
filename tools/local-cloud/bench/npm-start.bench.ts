/**
 * `npm start` to ready, as a person runs it, and the idle memory of what it
 * leaves running.
 *
 * Each run spawns `npm start -- --data-dir <fresh dir> --port <free port>` at
 * the repository root in its own process group, times every step from its
 * progress lines up to "Ready." (every stack applied, endpoints printed),
 * waits for the tree to settle, sums the RSS of the whole process tree (npm,
 * the bootstrap, tsx, the local cloud, DynamoDB Local's JVM, s3rver,
 * cognito-local…), then sends SIGINT to the group as Ctrl-C in a terminal
 * does and times the clean stop.
 *
 * Variants: `full` (nx bundle + synth of every project that has the target,
 * then start + apply) and `skip-build` (`--skip-build`: start + apply only).
 * One discarded `full` run first warms the nx cache and the OS page cache.
 * Targets (issue): ready < 20 s with warm caches; idle ≤ 600 MB.
 *
 * Run from tools/local-cloud: `npx tsx bench/npm-start.bench.ts [--runs 2]`
 * → bench-results/npm-start.json.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { argument, descendants, javaVersion, median, processes, projectDir, rssMb, sleep, writeBenchResult } from './support';

const RUNS = argument('runs', 2);
const IDLE_SETTLE_MS = 5_000;
const READY_TIMEOUT_MS = 300_000;
const TARGETS = { readyMs: 20_000, idleRssMb: 600 };
const repoRoot = join(projectDir, '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function label(command: string): string {
  if (/^npm start\b/.test(command)) return 'npm start';
  if (command.startsWith('npm exec')) return 'npx';
  if (/^(\/bin\/)?sh -c/.test(command)) return 'sh';
  if (command.includes('runtime/bootstrap.mjs')) return 'lambda worker';
  if (command.includes('tools/bootstrap.mjs')) return 'tools/bootstrap.mjs';
  if (command.includes('.bin/tsx ') || command.includes('tsx/dist/cli')) return 'tsx cli wrapper';
  if (command.includes('local-cloud/src/cli.ts')) return 'local cloud (cli.ts)';
  if (command.includes('DynamoDBLocal')) return 'dynamodb-local (java)';
  if (command.includes('s3rver')) return 's3rver';
  if (command.includes('cognito-local')) return 'cognito-local';
  if (command.includes('esbuild')) return 'esbuild service (tsx)';
  return command.split(' ').slice(0, 2).join(' ').slice(0, 80);
}

/** Processes that only start the local cloud: npm, the bootstrap script, npx, shells and the tsx launcher. */
const WRAPPERS = new Set(['npm start', 'npx', 'sh', 'tools/bootstrap.mjs', 'tsx cli wrapper']);

/**
 * What a run keeps resident: the process tree under `rootPid`, plus anything
 * in its process group or naming its data dir (children that outlive or were
 * reparented away from their parent), with RSS and a short label each.
 */
function processTree(rootPid: number, dataDir: string) {
  const all = processes();
  const tree = new Map(descendants(rootPid, all).map((entry) => [entry.pid, entry]));
  for (const entry of all) if (entry.pgrp === rootPid || entry.command.includes(dataDir)) tree.set(entry.pid, entry);
  return [...tree.values()].map((entry) => ({ pid: entry.pid, label: label(entry.command), rssMb: rssMb(entry.rssKb) }));
}

interface StepTimes {
  [step: string]: number;
}

type Variant = 'full' | 'skip-build' | 'direct-node';

async function runOnce(variant: Variant) {
  const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-bench-'));
  const port = await freePort();
  const cliArgs = ['--data-dir', dataDir, '--port', String(port), ...(variant === 'full' ? [] : ['--skip-build'])];
  // direct-node: the same CLI in one Node process with tsx as an in-process loader, no npm/npx/tsx wrapper processes.
  const [command, args] = variant === 'direct-node' ? ['node', ['--import', 'tsx', 'tools/local-cloud/src/cli.ts', ...cliArgs]] : ['npm', ['start', '--', ...cliArgs]];
  const started = performance.now();
  const child = spawn(command, args as string[], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NX_NO_CLOUD: 'true', FORCE_COLOR: '0' } });
  const steps: StepTimes = {};
  const stackLines: string[] = [];
  const failedStacks: string[] = [];
  const nxCacheSummaries: string[] = [];
  let output = '';
  let cacheHits = 0;
  let tasksRun = 0;
  const at = () => Math.round(performance.now() - started);
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after ${READY_TIMEOUT_MS} ms:\n${output.slice(-3000)}`)), READY_TIMEOUT_MS);
    const onLine = (line: string) => {
      // The build's own output is in <data dir>/logs/build.log; the console has one line with the cache count.
      if (line.startsWith('[1/3] Handler bundles')) steps.bundleStartMs = at();
      else if (line.startsWith('[2/3]')) steps.cloudStartMs = at();
      else if (/^\s+up in /.test(line)) steps.cloudReadyMs = at();
      else if (line.startsWith('[3/3]')) steps.applyStartMs = at();
      else if (/^\s+[✓✗] /.test(line)) stackLines.push(line.trim());
      // A stack the CLI could not apply: "✗ <stack>: <error>" under [3/3]; the run is then invalid.
      if (steps.applyStartMs !== undefined && /^\s+✗ [\w-]+: /.test(line)) failedStacks.push(line.trim().slice(2));
      const cached = /\((\d+) tasks, (\d+) from the cache\)/.exec(line);
      if (cached) {
        cacheHits += Number(cached[2]);
        tasksRun += Number(cached[1]) - Number(cached[2]);
        nxCacheSummaries.push(line.trim());
      }
      if (line.startsWith('Ready.') || line.startsWith('Running, NOT ready')) {
        steps.readyMs = at();
        clearTimeout(timer);
        resolve();
      }
    };
    let pending = '';
    const feed = (chunk: Buffer) => {
      output += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code} before it was ready:\n${output.slice(-3000)}`));
    });
  });
  try {
    await ready;
    await sleep(IDLE_SETTLE_MS);
    const tree = processTree(child.pid as number, dataDir);
    const idleRssMb = Math.round(tree.reduce((sum, entry) => sum + entry.rssMb, 0));
    const wrapperRssMb = Math.round(tree.filter((entry) => WRAPPERS.has(entry.label)).reduce((sum, entry) => sum + entry.rssMb, 0));
    const stopStarted = performance.now();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    process.kill(-(child.pid as number), 'SIGINT');
    const exit = await exited;
    const parentExitMs = Math.round(performance.now() - stopStarted);
    // Stopped = nothing of the run left (the CLI stops its children after npm itself has gone).
    let left = processTree(child.pid as number, dataDir);
    while (left.length && performance.now() - stopStarted < 15_000) {
      await sleep(50);
      left = processTree(child.pid as number, dataDir);
    }
    const stopMs = Math.round(performance.now() - stopStarted);
    return {
      variant,
      readyMs: steps.readyMs as number,
      steps,
      stacks: stackLines,
      failedStacks,
      nxTasksRun: tasksRun,
      nxCacheHits: cacheHits,
      nxCacheSummaries,
      idleRssMb,
      wrapperProcessesRssMb: wrapperRssMb,
      processes: tree,
      stopMs,
      parentExitMs,
      exit,
      processesLeftBehind: left,
    };
  } catch (error) {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
    throw error;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

process.stdout.write('warm-up run (full, discarded)…\n');
let warmup: Awaited<ReturnType<typeof runOnce>> | undefined;
for (let attempt = 1; !warmup; attempt++) {
  try {
    warmup = await runOnce('full');
  } catch (error) {
    if (attempt === 3) throw error;
    process.stdout.write(`  warm-up attempt ${attempt} failed, retrying in 20 s: ${(error as Error).message.split('\n').at(-2)}\n`);
    await sleep(20_000);
  }
}
process.stdout.write(`  warm-up: ready ${warmup.readyMs} ms\n`);

const variants: Record<string, Array<Awaited<ReturnType<typeof runOnce>>>> = { full: [], 'skip-build': [], 'direct-node': [] };
// Other work in the repository can break a build mid-run (a project half-written): such runs are recorded, not measured.
const failedRuns: Array<{ variant: Variant; error: string }> = [];
for (let run = 0; run < RUNS; run++) {
  for (const variant of ['full', 'skip-build', 'direct-node'] as const) {
    let result: Awaited<ReturnType<typeof runOnce>>;
    try {
      result = await runOnce(variant);
    } catch (error) {
      const message = (error as Error).message;
      failedRuns.push({ variant, error: message.slice(0, 200) + ' … ' + message.slice(-1500) });
      process.stdout.write(`${variant} run ${run + 1}: FAILED (${message.split('\n').at(-2) ?? message.slice(0, 200)})\n`);
      continue;
    }
    if (result.failedStacks.length > 0) {
      // "Running." follows a failed stack too: such a run measured a broken system.
      failedRuns.push({ variant, error: `stacks not applied: ${result.failedStacks.join('; ')}` });
      process.stdout.write(`${variant} run ${run + 1}: INVALID (stacks not applied: ${result.failedStacks.join('; ')})\n`);
      continue;
    }
    variants[variant]?.push(result);
    process.stdout.write(`${variant} run ${run + 1}: ready ${result.readyMs} ms (cloud ready ${result.steps.cloudReadyMs} ms), idle tree ${result.idleRssMb} MB, stop ${result.stopMs} ms\n`);
  }
}

const summary = Object.fromEntries(
  Object.entries(variants).map(([variant, runs]) => [
    variant,
    {
      readyMsMedian: median(runs.map((run) => run.readyMs)),
      idleRssMbMedian: median(runs.map((run) => run.idleRssMb)),
      wrapperProcessesRssMbMedian: median(runs.map((run) => run.wrapperProcessesRssMb)),
      localCloudRssMbMedian: median(runs.map((run) => run.idleRssMb - run.wrapperProcessesRssMb)),
      stopMsMedian: median(runs.map((run) => run.stopMs)),
      runs,
    },
  ]),
);
interface VariantSummary {
  readyMsMedian: number;
  idleRssMbMedian: number;
  localCloudRssMbMedian: number;
}
const full = summary.full as VariantSummary;
// "Warm caches" as the issue means it: every nx bundle/synth task answered from the cache (others' edits can invalidate some).
const allFromCache = (run: { nxCacheSummaries: string[] }) =>
  run.nxCacheSummaries.length > 0 && run.nxCacheSummaries.every((line) => /for (\d+) out of (\d+) tasks/.exec(line)?.slice(1, 3).every((n, _, [a]) => n === a));
const warmFullRuns = (variants.full ?? []).filter(allFromCache);
const skip = summary['skip-build'] as VariantSummary;
const direct = summary['direct-node'] as VariantSummary;
const output = {
  benchmark: '`npm start` to ready (every stack applied, endpoints printed) and idle memory of the whole process tree',
  method: `npm start -- --data-dir <fresh temp dir> --port <free port> at the repository root, in its own process group; ready = the "Ready." line; idle RSS = sum of VmRSS over the npm process and all its descendants ${IDLE_SETTLE_MS} ms after ready; stop = SIGINT to the group (Ctrl-C) until npm exits. One discarded full run first (warm nx cache); ${RUNS} run(s) per variant, medians.`,
  stacksApplied: warmup.stacks,
  targets: TARGETS,
  meetsTargets: {
    fullReadyUnderTarget: full.readyMsMedian < TARGETS.readyMs,
    fullReadyWithEveryTaskCachedUnderTarget: warmFullRuns.length > 0 && median(warmFullRuns.map((run) => run.readyMs)) < TARGETS.readyMs,
    skipBuildReadyUnderTarget: skip.readyMsMedian < TARGETS.readyMs,
    wholeTreeIdleUnderTarget: full.idleRssMbMedian <= TARGETS.idleRssMb,
    localCloudIdleUnderTarget: full.localCloudRssMbMedian <= TARGETS.idleRssMb,
  },
  warmup: { readyMs: warmup.readyMs, steps: warmup.steps, nxTasksRun: warmup.nxTasksRun, nxCacheHits: warmup.nxCacheHits, nxCacheSummaries: warmup.nxCacheSummaries },
  results: summary,
  failedRuns,
  summary: {
    fullReadyMs: full.readyMsMedian,
    fullReadyMsEveryTaskCached: warmFullRuns.length ? median(warmFullRuns.map((run) => run.readyMs)) : null,
    fullRunsWithEveryTaskCached: warmFullRuns.length,
    skipBuildReadyMs: skip.readyMsMedian,
    idleRssMbWholeTree: full.idleRssMbMedian,
    idleRssMbWithoutWrappers: full.localCloudRssMbMedian,
    idleRssMbDirectNode: direct.idleRssMbMedian,
  },
};
const problems = [
  ...(warmup.failedStacks.length > 0 ? [`warm-up: stacks not applied: ${warmup.failedStacks.join('; ')}`] : []),
  ...failedRuns.map((failed) => `${failed.variant}: ${failed.error.slice(0, 300)}`),
  ...Object.entries(variants).filter(([, runs]) => runs.length === 0).map(([variant]) => `${variant}: no valid run`),
];
writeBenchResult('npm-start', output, { java: javaVersion() }, problems);
process.stdout.write(`wrote bench-results/npm-start.json (full ${full.readyMsMedian} ms, --skip-build ${skip.readyMsMedian} ms, idle ${full.idleRssMbMedian} MB)\n`);
