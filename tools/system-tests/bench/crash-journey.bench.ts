/**
 * Crash benchmark of the whole platform (issue 14): `npm start` under sign-ups, HTTP commands and
 * PutEvents, `kill -9`ed at 50 seeded points (default) spread over the local cloud's own process,
 * DynamoDB Local, cognito-local and s3rver; reports sent (acknowledged) / delivered / dead-lettered /
 * lost (must be 0) / duplicates, the outbox items left stuck, customers created twice and the lake's
 * raw duplicate rate. Writes `bench-results/crash-journey.json` (with the commit).
 *
 * npx tsx bench/crash-journey.bench.ts --kills 50 --seed 14 [--targets local-cloud,cognito-local,s3rver] [--keep 1: keep the data dir, with every log, to investigate]
 * Needs the stacks synthesized and bundled (`npx nx run-many -t synth -p platform bootstrap identity customers catalog analytics-ingest`).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validity, writeBenchJson } from '@kestrel/bundle/bench-record';
import { KILL_TARGETS, runSystemCrash, type KillTarget } from '../tests/support/crash-load';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};

const targetsIndex = process.argv.indexOf('--targets');
const targets = targetsIndex >= 0 ? ((process.argv[targetsIndex + 1] ?? '').split(',') as KillTarget[]) : [...KILL_TARGETS];
const unknown = targets.filter((target) => !KILL_TARGETS.includes(target));
if (unknown.length > 0) throw new Error(`--targets: unknown ${unknown.join(', ')} (known: ${KILL_TARGETS.join(', ')})`);

const report = await runSystemCrash({
  targets,
  seed: argument('seed', 14),
  kills: argument('kills', 50),
  // Messages a killed cloud had received return after analytics' 380 s visibility timeout (the stack's own).
  quiescenceTimeoutMs: argument('quiescence-seconds', 600) * 1000,
  keep: argument('keep', 0) === 1,
  progress: (message) => process.stdout.write(`${message}\n`),
});
const problems = [
  ...(report.totals.lost > 0 ? [`${report.totals.lost} acknowledged items lost`] : []),
  ...(report.customersCreatedTwice.length > 0 ? [`${report.customersCreatedTwice.length} customers created twice`] : []),
];
// A run over some targets only is kept beside the full one, not over it.
const name = targetsIndex >= 0 ? `crash-journey.${targets.join('+')}.json` : 'crash-journey.json';
const file = join(fileURLToPath(new URL('..', import.meta.url)), 'bench-results', name);
// The folder first: the commit is read from it. A run that lost something is written as invalid, so it is never taken for a passing figure.
mkdirSync(dirname(file), { recursive: true });
writeBenchJson(file, 'system-crash-journey', validity(problems), { targets, ...report });
process.stdout.write(`${JSON.stringify(report.totals)} lake raw duplicate rate ${report.lake.rawDuplicateRate}\n`);
if (problems.length > 0) process.exitCode = 1;
