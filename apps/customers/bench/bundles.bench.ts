// Bundle size and cold module load of every customers function, as Lambda would run them:
// each bundle built with the platform's esbuild settings (tools/bundle), then imported in a fresh
// Node process (median of several runs), with and without --enable-source-maps (the stack sets it).
// Targets: <= 250 KB minified, <= 60 ms cold load. Also measures, for one function, what the SDK's
// default credential chain costs (aliased to the environment provider Lambda actually uses).
// Writes bench-results/bundles.json. Run: npx nx run customers:bench
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, bundleService, coldLoadMs, median } from '@kestrel/bundle';
import { validity, writeBenchJson } from '@kestrel/bundle/bench-record';

const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const resultsFile = fileURLToPath(new URL('../bench-results/bundles.json', import.meta.url));
const RUNS = 7;
const TARGET_BYTES = 250 * 1024;
const TARGET_COLD_MS = 60;

// What the stack gives every function (region and table), so module-level wiring runs as in Lambda.
const lambdaEnvironment = {
  ...process.env,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME_CUSTOMERS: 'kestrel-bench-customers-customers',
  NODE_OPTIONS: '',
};

/** One cold load with the environment the stack gives every function. */
const loadOnce = (file: string, sourceMaps: boolean) => coldLoadMs(file, { env: lambdaEnvironment, sourceMaps });

function coldLoad(file: string) {
  loadOnce(file, false); // warm the OS file cache; the runs measure module evaluation, not the disk
  const plain = Array.from({ length: RUNS }, () => loadOnce(file, false));
  const mapped = Array.from({ length: RUNS }, () => loadOnce(file, true));
  return {
    coldLoadMedianMs: Number(median(plain).toFixed(1)),
    // The minimum is the least disturbed by other work on a shared 2-core machine.
    coldLoadMinMs: Number(Math.min(...plain).toFixed(1)),
    coldLoadWithSourceMapsMedianMs: Number(median(mapped).toFixed(1)),
  };
}

async function envCredentialsVariant(functionName: string) {
  const dir = mkdtempSync(join(tmpdir(), 'customers-bundle-bench-'));
  try {
    const outfile = join(dir, 'index.mjs');
    const result = await build({
      ...BUNDLE_OPTIONS,
      entryPoints: [join(serviceDir, 'src/handlers', `${functionName}.ts`)],
      outfile,
      alias: { '@aws-sdk/credential-provider-node': join(serviceDir, 'bench/support/env-credentials.ts') },
    });
    const bytes = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('index.mjs'))?.[1].bytes ?? readFileSync(outfile).length;
    return { function: functionName, bytes, ...coldLoad(outfile) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const bundles = await bundleService({ serviceDir });
  const functions = bundles.map((bundle) => {
    const load = coldLoad(bundle.file);
    return {
      function: bundle.functionName,
      bytes: bundle.bytes,
      gzipBytes: bundle.gzipBytes,
      withinSizeTarget: bundle.bytes <= TARGET_BYTES,
      ...load,
      withinColdLoadTarget: load.coldLoadMedianMs <= TARGET_COLD_MS,
      topInputs: bundle.byPackage.slice(0, 6),
    };
  });
  const variant = await envCredentialsVariant('http-get-customer');
  const report = {
    runs: RUNS,
    targets: { bytes: TARGET_BYTES, coldLoadMs: TARGET_COLD_MS },
    functions,
    whatIf: {
      description: 'http-get-customer with @aws-sdk/credential-provider-node aliased to the environment provider (all Lambda needs)',
      ...variant,
    },
  };
  writeBenchJson(resultsFile, 'customers-bundles', validity([]), report);
  for (const fn of functions) {
    console.log(
      `${fn.function.padEnd(34)} ${(fn.bytes / 1024).toFixed(1).padStart(7)} KB  cold median ${String(fn.coldLoadMedianMs).padStart(5)} ms, min ${fn.coldLoadMinMs} ms (+maps ${fn.coldLoadWithSourceMapsMedianMs} ms)`,
    );
  }
  console.log(`what-if env credentials: ${(variant.bytes / 1024).toFixed(1)} KB, cold ${variant.coldLoadMedianMs} ms`);
  console.log(`wrote ${resultsFile}`);
}

await main();
