/**
 * What the benchmark scripts share: numeric command-line options, nearest-rank
 * percentiles and medians, the process tree read from /proc, a local cloud's
 * edge and modules composed by hand, and writing `bench-results/<name>.json`
 * with the facts about the machine that make a figure comparable.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validity, writeBenchJson } from '@kestrel/bundle/bench-record';
import { startEdgeServer, type EdgeServer } from '../src/edge/server';

// The process tree read from /proc is shared with the other benches.
export { rssMb, treeRssKb } from '@kestrel/bundle/bench-record';
export { descendants, processes, type ProcessInfo } from '../src/processes/process-tree';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, type LocalCloudContext, type LocalServiceModule, type PeerProviders } from '../src/core/types';

/** `tools/local-cloud`, whatever folder the script was started from. */
export const projectDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * A numeric `--name value` option of the command line, or `fallback`.
 *
 * @example
 * const SECONDS = argument('seconds', 30); // `npx tsx bench/x.bench.ts --seconds 5` → 5
 */
export function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `value` rounded to `decimals` places (2 by default: hundredths of a millisecond). */
export function round(value: number, decimals = 2): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/**
 * Nearest-rank percentile of values sorted ascending, rounded to `decimals`
 * places; `NaN` when there are none.
 *
 * @example
 * percentile([1, 2, 3, 4], 50); // 2
 */
export function percentile(sorted: readonly number[], p: number, decimals = 2): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return round(sorted[index] as number, decimals);
}

/**
 * The usual latency summary of unsorted samples: count, min, p50, p90, p95, p99 and max.
 *
 * @example
 * percentiles([3, 1, 2]); // { samples: 3, min: 1, p50: 2, p90: 3, p95: 3, p99: 3, max: 3 }
 */
export function percentiles(values: readonly number[], decimals = 2) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => percentile(sorted, p, decimals);
  return { samples: sorted.length, min: at(0), p50: at(50), p90: at(90), p95: at(95), p99: at(99), max: at(100) };
}

/** The middle value (the upper one of an even count). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

/** Linux's USER_HZ: /proc reports CPU times in these ticks (100 on every mainstream kernel build). */
const CLOCK_TICKS_PER_SECOND = 100;

/** user + system CPU (ms) of a process from /proc/<pid>/stat; with `reapedChildren`, also that of its children already waited for. */
function procCpuMs(pid: number | 'self', reapedChildren: boolean): number {
  try {
    // "pid (comm) state …": comm may hold spaces, so fields are counted after the last ')'; utime is field 14.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop()?.trim().split(' ') ?? [];
    const ticks = (field: number) => Number(fields[field - 3] ?? 0);
    const total = ticks(14) + ticks(15) + (reapedChildren ? ticks(16) + ticks(17) : 0);
    return (total * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0; // gone since: its time is in its parent's reaped-children figure once waited for
  }
}

/**
 * CPU time (ms) spent so far by this process, its children it has waited for, and the live child processes named:
 * the difference over a run is what the run cost the machine, much less sensitive to other load than its latency.
 * Linux only (/proc); 10 ms resolution.
 */
export function cpuMsOfTree(liveChildren: readonly number[]): number {
  return procCpuMs('self', true) + liveChildren.reduce((sum, pid) => sum + procCpuMs(pid, false), 0);
}

/** The first line of `java -version` (DynamoDB Local runs on it), or undefined without Java. */
export function javaVersion(): string | undefined {
  return spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr?.split('\n')[0];
}

/**
 * Writes `bench-results/<name>.json` through `writeBenchJson` (`@kestrel/bundle/bench-record`):
 * `benchmark`, `valid` and `problems` (a run whose setup failed is written, and says so),
 * `measuredAt`, `commit`, `dirty`, `machine` (plus `extraMachineFacts`), then `data`. Returns the path.
 *
 * @example
 * writeBenchResult('firehose', { results }); // → …/bench-results/firehose.json
 */
export function writeBenchResult(name: string, data: Record<string, unknown>, extraMachineFacts: Record<string, unknown> = {}, problems: readonly string[] = []): string {
  const file = join(projectDir, 'bench-results', `${name}.json`);
  writeBenchJson(file, name, validity(problems), { ...data, machineExtras: extraMachineFacts });
  return file;
}

/**
 * An edge server on a free loopback port and the modules `build` makes on one
 * context whose peers are found among those modules, routed by the edge.
 * Nothing is started: each benchmark starts what it measures.
 */
export async function composeServices(
  build: (context: LocalCloudContext) => LocalServiceModule[],
  options: { dataDir: string; inMemory?: boolean },
): Promise<{ edge: EdgeServer; modules: LocalServiceModule[] }> {
  const edge = await startEdgeServer({ port: 0 });
  let modules: LocalServiceModule[] = [];
  const peer = <K extends keyof PeerProviders>(key: K): NonNullable<PeerProviders[K]> => {
    const found = modules.find((module) => module.provides?.[key])?.provides?.[key];
    if (!found) throw new Error(`no ${key} peer`);
    return found as NonNullable<PeerProviders[K]>;
  };
  const context: LocalCloudContext = {
    accountId: LOCAL_ACCOUNT_ID,
    region: LOCAL_REGION,
    endpoint: edge.endpoint,
    dataDir: options.dataDir,
    ...(options.inMemory ? { inMemory: true } : {}),
    peers: { lambda: () => peer('lambda'), sqs: () => peer('sqs'), events: () => peer('events'), firehose: () => peer('firehose') },
    log: () => undefined,
  };
  modules = build(context);
  edge.setModules(modules);
  return { edge, modules };
}
