// Synth time and memory of every stack, measured the way its Nx `synth` target
// runs it (the command in its project.json, from its folder), in fresh processes.
// Memory is the peak of the whole process tree (launcher, esbuild, tsx's child
// process…), sampled from /proc. Each round runs every stack once, in turn, so
// a change in the machine's load hits all stacks alike. `--reference` also
// measures `tsx <entry>` (the previous synth command) in the same rounds. The first run of each
// synth target rebuilds its bundled app from scratch (dist/synth removed) and is reported apart.
// Memory over budgets.json's synth ceilings (repeat runs, first run) fails the bench.
// Bundles are built first (not timed): an app's synth needs them.
// Writes bench-results/synth.json. Run from the repository root:
//   npx tsx tools/bundle/bench/synth.bench.ts [--runs 5] [--reference]
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleService } from '../src/bundle';
import { median } from '../src/cold-load';
import { runMeasuringTree, validity, writeBenchJson, type TreeRun } from '@kestrel/bundle/bench-record';
import { readBudgets } from './budgets';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const argument = (name: string, fallback: number) => (process.argv.includes(`--${name}`) ? Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) : fallback);
const runs = argument('runs', 5);
const withReference = process.argv.includes('--reference');

interface Stack {
  project: string;
  folder: string;
  /** The synth target's command, split on spaces (they hold no quoted arguments). */
  command: string[];
  /** The app's entry (last argument), for the tsx reference. */
  entry: string;
  /** The stack names its synth must write. */
  expectedStacks: string[];
}

function stacks(): Stack[] {
  const folders = [...readdirSync(join(repoRoot, 'apps')).map((name) => `apps/${name}`), ...readdirSync(join(repoRoot, 'infra')).map((name) => `infra/${name}`)];
  return folders.flatMap((folder) => {
    const projectFile = join(repoRoot, folder, 'project.json');
    if (!existsSync(projectFile)) return [];
    const project = JSON.parse(readFileSync(projectFile, 'utf8')) as { name: string; targets?: { synth?: { options?: { command?: string } } } };
    const command = project.targets?.synth?.options?.command;
    if (!command) return [];
    const words = command.split(' ');
    return [{ project: project.name, folder, command: words, entry: words[words.length - 1] as string, expectedStacks: ['staging', 'production'].map((env) => `${project.name}-${env}`) }];
  });
}

/** The local node_modules/.bin copy of a command (what Nx puts on PATH), or the command itself. */
function resolveBin(command: string): string {
  const local = join(repoRoot, 'node_modules', '.bin', command);
  return existsSync(local) ? local : command;
}

interface Variant {
  stack: Stack;
  name: 'synth target' | 'tsx reference';
  command: string[];
  runs: TreeRun[];
  problems: string[];
}

async function measureOnce(variant: Variant): Promise<void> {
  const outdir = mkdtempSync(join(tmpdir(), 'kestrel-bench-synth-'));
  try {
    const [command, ...args] = variant.command;
    const run = await runMeasuringTree(resolveBin(command as string), args, {
      cwd: join(repoRoot, variant.stack.folder),
      // CHECKPOINT_DISABLE: no phoning home.
      env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' },
    });
    const missing = variant.stack.expectedStacks.filter((name) => !existsSync(join(outdir, 'stacks', name, 'cdk.tf.json')));
    if (run.exitCode !== 0) variant.problems.push(`${variant.stack.project} (${variant.name}) exited ${run.exitCode}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    else if (missing.length > 0) variant.problems.push(`${variant.stack.project} (${variant.name}) wrote no ${missing.join(', ')}`);
    variant.runs.push({ ...run, stdout: '', stderr: '' });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const all = stacks();
for (const stack of all.filter((s) => s.folder.startsWith('apps/'))) await bundleService({ serviceDir: join(repoRoot, stack.folder) });

const variants: Variant[] = all.flatMap((stack) => [
  { stack, name: 'synth target' as const, command: stack.command, runs: [], problems: [] },
  ...(withReference ? [{ stack, name: 'tsx reference' as const, command: ['tsx', stack.entry], runs: [], problems: [] }] : []),
]);
// First run: the synth target's bundle rebuilt from scratch (what the first synth after a change costs);
// it also warms tsx's cache and the file system cache. Its figures are kept apart from the rounds.
for (const variant of variants) {
  if (variant.name === 'synth target') rmSync(join(repoRoot, variant.stack.folder, 'dist', 'synth'), { recursive: true, force: true });
  await measureOnce(variant);
}
const firstRuns = variants.map((variant) => variant.runs.splice(0)[0]);
for (let round = 0; round < runs; round += 1) {
  for (const variant of variants) await measureOnce(variant);
}

const results = variants.map((variant, index) => ({
  project: variant.stack.project,
  variant: variant.name,
  command: variant.command.join(' '),
  firstRun: firstRuns[index] ? { wallMs: firstRuns[index].wallMs, peakTreeRssMb: firstRuns[index].peakTreeRssMb } : null,
  medianWallMs: median(variant.runs.map((run) => run.wallMs)),
  medianPeakTreeRssMb: median(variant.runs.map((run) => run.peakTreeRssMb)),
  maxPeakTreeRssMb: Math.max(...variant.runs.map((run) => run.peakTreeRssMb)),
  samples: variant.runs.map(({ wallMs, peakTreeRssMb, processesAtPeak }) => ({ wallMs, peakTreeRssMb, processesAtPeak })),
}));
const problems = [...new Set(variants.flatMap((variant) => variant.problems))];
const budgets = readBudgets().synth;
const overBudget = results
  .filter((result) => result.variant === 'synth target')
  .flatMap((result) => {
    const exception = budgets.exceptions[result.project]?.maxPeakTreeRssMb;
    const repeatBudget = exception ?? budgets.maxPeakTreeRssMb;
    const firstRunBudget = exception ?? budgets.maxFirstRunPeakTreeRssMb;
    const firstRunPeak = result.firstRun?.peakTreeRssMb ?? 0;
    return [
      ...(result.maxPeakTreeRssMb > repeatBudget ? [`${result.project}: repeat synth peaked at ${result.maxPeakTreeRssMb} MB (process tree) > ${repeatBudget} MB`] : []),
      ...(firstRunPeak > firstRunBudget ? [`${result.project}: first synth (bundle rebuilt) peaked at ${firstRunPeak} MB (process tree) > ${firstRunBudget} MB`] : []),
    ];
  });
writeBenchJson(join(repoRoot, 'tools/bundle/bench-results/synth.json'), 'synth', validity(problems), {
  runs,
  budget: budgets,
  goal: readBudgets().goals.synth,
  overBudget,
  results,
});
console.table(
  results.map(({ project, variant, firstRun, medianWallMs, medianPeakTreeRssMb, maxPeakTreeRssMb }) => ({
    project,
    variant,
    'first run ms': firstRun?.wallMs,
    'first run MB': firstRun?.peakTreeRssMb,
    medianWallMs,
    medianPeakTreeRssMb,
    maxPeakTreeRssMb,
  })),
);
for (const violation of overBudget) console.log(`OVER BUDGET ${violation}`);
if (problems.length > 0 || overBudget.length > 0) process.exitCode = 1;
