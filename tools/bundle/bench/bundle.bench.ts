// Measures what a function bundle costs in production terms: bundle size (raw,
// gzip, source map), bundling time, and cold module load in a fresh Node
// process, with and without --enable-source-maps (which ServiceStack sets, and
// which makes Node parse the map on load). Uses the test fixture service.
// Writes bench-results/bundle.json. Run: npx nx run bundle:bench [runs]
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleService } from '../src/bundle';
import { coldLoadMs, median } from '../src/cold-load';
import { validity, writeBenchJson } from '@kestrel/bundle/bench-record';

const runs = Number(process.argv[2] ?? 9);
const projectDir = fileURLToPath(new URL('..', import.meta.url));
const serviceDir = join(projectDir, 'tests/fixtures/sample-service');


const outDir = mkdtempSync(join(tmpdir(), 'kestrel-bundle-bench-'));
const bundleMs: number[] = [];
let results = await bundleService({ serviceDir, outDir });
for (let i = 0; i < Math.min(runs, 5); i += 1) {
  const started = performance.now();
  results = await bundleService({ serviceDir, outDir });
  bundleMs.push(Math.round(performance.now() - started));
}

const functions = results.map((result) => {
  // Outside the repository, as Lambda would load it: nothing resolvable above.
  const taskRoot = mkdtempSync(join(tmpdir(), `kestrel-bench-${result.functionName}-`));
  cpSync(join(outDir, result.functionName), taskRoot, { recursive: true });
  const file = join(taskRoot, 'index.mjs');
  const plain = Array.from({ length: runs }, () => coldLoadMs(file));
  const mapped = Array.from({ length: runs }, () => coldLoadMs(file, { sourceMaps: true }));
  return {
    function: result.functionName,
    bytes: result.bytes,
    gzipBytes: result.gzipBytes,
    mapBytes: result.mapBytes,
    topInputs: result.byPackage.slice(0, 5),
    coldImportMedianMs: Number(median(plain).toFixed(1)),
    coldImportWithSourceMapsMedianMs: Number(median(mapped).toFixed(1)),
  };
});

const report = {
  runs,
  bundleServiceMedianMs: median(bundleMs),
  functions,
};
writeBenchJson(join(projectDir, 'bench-results/bundle.json'), 'bundle', validity([]), report);
console.log(JSON.stringify(report, null, 2));
