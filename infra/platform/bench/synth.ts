// Measures synthesizing the platform stack (both environments) in fresh
// processes: wall clock and peak memory of `tsx main.ts` (what the Nx `synth`
// target runs), of the same synth after loading the provider barrel
// (`@cdktn/provider-aws`) to show what the deep-import rule saves, and of
// `cdktn synth` when the running Node satisfies cdktn-cli's engines (>= 22.19).
// Peak memory comes from GNU time (`/usr/bin/time`), which sees the whole
// process tree (tsx and npx start child processes).
// Writes JSON to bench/results/synth-node<major>.json.
// Run from infra/platform: npx tsx bench/synth.ts [runs]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 5);
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const gnuTime = '/usr/bin/time';

interface Sample {
  wallMs: number;
  maxRssMb: number | null;
}

function runOnce(command: string[], outdir: string): Sample {
  rmSync(outdir, { recursive: true, force: true });
  const timed = existsSync(gnuTime) ? [gnuTime, '-f', 'BENCH %e %M', ...command] : command;
  const started = performance.now();
  const result = spawnSync(timed[0] ?? '', timed.slice(1), {
    cwd: projectRoot,
    encoding: 'utf8',
    // CHECKPOINT_DISABLE stops cdktn-cli/terraform from phoning home.
    env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' },
  });
  const wallMs = Math.round(performance.now() - started);
  if (result.status !== 0) {
    throw new Error(`${command.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  if (!existsSync(join(outdir, 'stacks', 'platform-production', 'cdk.tf.json'))) {
    throw new Error(`${command.join(' ')} produced no stacks/platform-production/cdk.tf.json in ${outdir}`);
  }
  const timeLine = result.stderr.split('\n').find((line) => line.startsWith('BENCH '));
  const maxRssKb = timeLine ? Number(timeLine.split(' ')[2]) : NaN;
  return { wallMs, maxRssMb: Number.isFinite(maxRssKb) ? Math.round(maxRssKb / 1024) : null };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

// The app reads its output directory from CDKTF_OUTDIR; the CLI from --output.
function measure(name: string, commandFor: (outdir: string) => string[]) {
  const outdir = mkdtempSync(join(tmpdir(), 'kestrel-bench-synth-'));
  const command = commandFor(outdir);
  try {
    runOnce(command, outdir); // warm the tsx transform cache and the file system cache
    const samples = Array.from({ length: runs }, () => runOnce(command, outdir));
    const rss = samples.map((sample) => sample.maxRssMb).filter((value): value is number => value !== null);
    return {
      name,
      command: command.join(' ').replaceAll(outdir, '<outdir>'),
      samples,
      medianWallMs: median(samples.map((sample) => sample.wallMs)),
      medianMaxRssMb: rss.length > 0 ? median(rss) : null,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const tsx = join(projectRoot, '../../node_modules/.bin/tsx');
const cdktn = join(projectRoot, '../../node_modules/.bin/cdktn');
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const cliSupported = major > 22 || (major === 22 && minor >= 19);

const variants = [
  measure('tsx main.ts (deep imports)', () => [tsx, 'main.ts']),
  measure('tsx main.ts after importing the provider barrel', () => [tsx, '--import', '@cdktn/provider-aws', 'main.ts']),
  cliSupported
    ? measure('cdktn synth', (outdir) => [cdktn, 'synth', '--output', outdir])
    : { name: 'cdktn synth', skipped: `cdktn-cli requires Node >= 22.19; running ${process.version}` },
];

const results = {
  measuredAt: new Date().toISOString(),
  node: process.version,
  cpus: availableParallelism(),
  runs,
  stacks: ['platform-staging', 'platform-production'],
  variants,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/synth-node${major}.json`, import.meta.url), JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results, null, 2));
