// `npm run bench`: every benchmark of the workspace, one after another (they measure the machine,
// so never two at once), each writing its JSON; then a summary of which ran, which are invalid
// (setup failed) and which figures are over budget (tools/bundle/bench/budgets.json).
// `npm run bench -- --quick`: the short version CI runs on every pull request: the benches whose
// figures are deterministic and budgeted (bundle bytes, synth memory, Firehose calls, capacity
// units), with fewer rounds. Times are reported in the JSON, never asserted.
// `--only a,b` / `--skip a,b` choose benches by name (e.g. run the 15-minute crash journey apart).
// Exits non-zero when a bench failed, is invalid or is over budget.
// Writes tools/bundle/bench-results/summary.json.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validity, writeBenchJson } from '@kestrel/bundle/bench-record';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const quick = process.argv.includes('--quick');
const names = (flag: string): string[] | undefined => {
  const index = process.argv.indexOf(flag);
  return index >= 0 ? (process.argv[index + 1] ?? '').split(',').filter(Boolean) : undefined;
};
const only = names('--only');
const skip = names('--skip') ?? [];

interface Bench {
  name: string;
  /** Folder the script runs from. */
  cwd: string;
  script: string;
  args: string[];
  quickArgs?: string[];
  /** In the quick set: its figures are deterministic and budgeted. */
  quick: boolean;
  /** The JSON it writes, relative to the repository root. */
  result: string;
}

const BENCHES: Bench[] = [
  { name: 'synth', cwd: '.', script: 'tools/bundle/bench/synth.bench.ts', args: ['--runs', '5', '--reference'], quickArgs: ['--runs', '1'], quick: true, result: 'tools/bundle/bench-results/synth.json' },
  { name: 'handlers', cwd: '.', script: 'tools/bundle/bench/handlers.bench.ts', args: [], quickArgs: ['--quick'], quick: true, result: 'tools/bundle/bench-results/handlers.json' },
  { name: 'analytics-ingest', cwd: 'apps/analytics-ingest', script: 'bench/ingest.bench.ts', args: [], quickArgs: ['--quick'], quick: true, result: 'apps/analytics-ingest/bench-results/ingest.json' },
  { name: 'customers-capacity', cwd: 'apps/customers', script: 'bench/capacity.bench.ts', args: [], quick: true, result: 'apps/customers/bench-results/capacity.json' },
  { name: 'bundle', cwd: '.', script: 'tools/bundle/bench/bundle.bench.ts', args: [], quick: false, result: 'tools/bundle/bench-results/bundle.json' },
  { name: 'customers-bundles', cwd: 'apps/customers', script: 'bench/bundles.bench.ts', args: [], quick: false, result: 'apps/customers/bench-results/bundles.json' },
  { name: 'catalog', cwd: 'apps/catalog', script: 'bench/catalog.bench.ts', args: [], quick: false, result: 'apps/catalog/bench-results/catalog.json' },
  { name: 'identity-triggers', cwd: 'apps/identity', script: 'bench/triggers.bench.ts', args: [], quick: false, result: 'apps/identity/bench-results/triggers.json' },
  { name: 'contracts', cwd: '.', script: 'tools/bundle/bench/contracts.bench.ts', args: [], quick: false, result: 'tools/bundle/bench-results/contracts.json' },
  ...[
    'startup',
    'lambda',
    'eventbridge',
    'eventbridge-lambda',
    'pattern',
    'apigateway',
    'firehose',
    'npm-start',
    'cli-parity',
    'watch',
    'invocation-telemetry',
    'console',
    'iam-edge',
    'crash',
    'dynamodb-local-durability',
    'sqs-throttling',
  ].map((name) => ({
    name: `local-cloud-${name}`,
    cwd: 'tools/local-cloud',
    script: `bench/${name}.bench.ts`,
    args: [],
    quick: false,
    result: `tools/local-cloud/bench-results/${name}.json`,
  })),
  // Last: the longest (about 15 minutes), kill -9 at 50 seeded points of the whole `npm start`.
  { name: 'crash-journey', cwd: 'tools/system-tests', script: 'bench/crash-journey.bench.ts', args: ['--kills', '50', '--seed', '14'], quick: false, result: 'tools/system-tests/bench-results/crash-journey.json' },
];

const unknown = [...(only ?? []), ...skip].filter((name) => !BENCHES.some((bench) => bench.name === name));
if (unknown.length > 0) throw new Error(`no bench named ${unknown.join(', ')}; benches: ${BENCHES.map((bench) => bench.name).join(', ')}`);

const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
const chosen = BENCHES.filter((bench) => (!quick || bench.quick) && (!only || only.includes(bench.name)) && !skip.includes(bench.name));
const summary = chosen.map((bench) => {
  const args = quick && bench.quickArgs ? bench.quickArgs : bench.args;
  console.log(`\n=== ${bench.name}: ${bench.script} ${args.join(' ')}`);
  const started = performance.now();
  const run = spawnSync(tsx, [bench.script, ...args], { cwd: join(repoRoot, bench.cwd), stdio: 'inherit', env: process.env });
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const resultFile = join(repoRoot, bench.result);
  const document = existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as { valid?: boolean; problems?: string[]; overBudget?: string[]; measuredAt?: string }) : undefined;
  // A result older than this run was not written by it.
  const fresh = document?.measuredAt !== undefined && Date.parse(document.measuredAt) >= Date.now() - seconds * 1000 - 1000;
  return {
    name: bench.name,
    exitCode: run.status,
    seconds,
    result: bench.result,
    written: fresh,
    valid: fresh ? document?.valid !== false : false,
    problems: fresh ? (document?.problems ?? []) : [`${bench.result} was not written by this run`],
    overBudget: fresh ? (document?.overBudget ?? []) : [],
  };
});

const problems = summary.flatMap((entry) => [
  ...(entry.exitCode !== 0 ? [`${entry.name} exited ${entry.exitCode}`] : []),
  ...entry.problems.map((problem) => `${entry.name}: ${problem}`),
  ...entry.overBudget.map((violation) => `${entry.name}: over budget: ${violation}`),
]);
writeBenchJson(join(repoRoot, 'tools/bundle/bench-results/summary.json'), quick ? 'bench --quick' : 'bench', validity(problems), { benches: summary });
console.table(summary.map(({ name, exitCode, seconds, valid, overBudget }) => ({ name, exitCode, seconds, valid, overBudget: overBudget.length })));
for (const problem of problems) console.log(`PROBLEM ${problem}`);
if (problems.length > 0) process.exitCode = 1;
