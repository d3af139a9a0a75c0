/**
 * Startup benchmark of the local cloud: time from `startLocalCloud()` to ready
 * (JVM included) and idle RSS of the whole process tree (this Node process
 * plus every descendant: DynamoDB Local's JVM, s3rver, cognito-local, tsx's
 * esbuild service, Lambda workers if any), for the tuned JVM flags and for
 * alternatives. Targets: ready < 20 s, idle ≤ 600 MB.
 *
 * Run: npx nx run local-cloud:bench   (writes bench-results/startup.json)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODULES, startLocalCloud } from '../src/cloud';
import { createDynamoDbModule, dynamoDbModuleFactory } from '../src/services/dynamodb';
import { DEFAULT_JVM_FLAGS } from '../src/services/dynamodb/dynamodb-local';
import { descendants, javaVersion, median, processes, rssMb, sleep, writeBenchResult } from './support';

const IDLE_SETTLE_MS = 5_000;
const RUNS_PER_VARIANT = Number(process.env.BENCH_RUNS ?? 2);

const variants: Array<{ name: string; jvmFlags: readonly string[] }> = [
  { name: 'tuned (default)', jvmFlags: DEFAULT_JVM_FLAGS },
  { name: 'JVM defaults (no flags)', jvmFlags: [] },
  { name: 'heap cap only (-Xmx256m)', jvmFlags: ['-Xmx256m'] },
];

/** This process and all its descendants, with a short label each. */
function processTree(rootPid: number): Array<{ pid: number; label: string; rssMb: number }> {
  const tree = descendants(rootPid, processes());
  const label = (command: string) =>
    command.includes('DynamoDBLocal') ? 'dynamodb-local (java)' : command.includes('s3rver') ? 's3rver' : command.includes('cognito-local') ? 'cognito-local' : command.includes('esbuild') ? 'esbuild (tsx)' : command.split(' ')[0]?.split('/').pop() ?? command;
  return tree.map((entry) => ({ pid: entry.pid, label: entry.pid === rootPid ? 'local cloud (node)' : label(entry.command), rssMb: rssMb(entry.rssKb) }));
}

async function measure(jvmFlags: readonly string[]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'local-cloud-bench-'));
  const modules = DEFAULT_MODULES.map((factory) => (factory === createDynamoDbModule ? dynamoDbModuleFactory({ jvmFlags }) : factory));
  const started = performance.now();
  const cloud = await startLocalCloud({ dataDir, modules });
  const readyMs = Math.round(performance.now() - started);
  await sleep(IDLE_SETTLE_MS);
  const tree = processTree(process.pid);
  await cloud.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return { readyMs, idleRssMb: Math.round(tree.reduce((sum, entry) => sum + entry.rssMb, 0)), processes: tree };
}

const results = [];
for (const variant of variants) {
  const runs = [];
  for (let run = 0; run < RUNS_PER_VARIANT; run++) {
    const measured = await measure(variant.jvmFlags);
    runs.push(measured);
    process.stdout.write(`${variant.name} run ${run + 1}: ready ${measured.readyMs} ms, idle tree RSS ${measured.idleRssMb} MB\n`);
  }
  results.push({
    variant: variant.name,
    jvmFlags: variant.jvmFlags,
    readyMsMedian: median(runs.map((run) => run.readyMs)),
    idleRssMbMedian: median(runs.map((run) => run.idleRssMb)),
    runs,
  });
}

const tuned = results[0]!;
const output = {
  method: `startLocalCloud() with every default module and a fresh persistent data dir; RSS summed over this process and all descendants (/proc/<pid>/status VmRSS) after ${IDLE_SETTLE_MS} ms idle; ${RUNS_PER_VARIANT} runs per variant, medians`,
  targets: { readyMs: 20_000, idleRssMb: 600 },
  meetsTargets: tuned.readyMsMedian < 20_000 && tuned.idleRssMbMedian <= 600,
  results,
};
writeBenchResult('startup', output, { java: javaVersion() });
process.stdout.write(`wrote bench-results/startup.json (tuned: ready ${tuned.readyMsMedian} ms, idle ${tuned.idleRssMbMedian} MB)\n`);
