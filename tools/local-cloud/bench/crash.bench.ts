/**
 * Crash benchmark (issue 14): the crash suite's load with many seeded
 * `kill -9` points (default 50), the outbox included (DynamoDB Local, stream, pipe), reporting per sink what was acknowledged,
 * delivered, dead-lettered, lost (must be 0) and delivered twice, and the
 * lake's raw duplicate rate. Writes `bench-results/crash.json`.
 *
 * npx tsx bench/crash.bench.ts --kills 50 --seed 14 [--port 4605] [--outbox 0]
 */
import { runCrashScenario } from '../tests/crash/harness';
import { argument, writeBenchResult } from './support';

const report = await runCrashScenario({
  seed: argument('seed', 14),
  kills: argument('kills', 50),
  port: argument('port', 0),
  outbox: argument('outbox', 1) === 1,
  progress: (message) => process.stdout.write(`${message}\n`),
});
const file = writeBenchResult('crash', { ...report, recoveryLog: report.recoveryLog.slice(0, 40) });
process.stdout.write(`${JSON.stringify(report.totals)} lake raw duplicate rate ${report.lakeRawDuplicateRate}\n→ ${file}\n`);
if (report.totals.lost > 0) process.exitCode = 1;
