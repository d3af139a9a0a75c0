// Figures that predict production for handlers importing @kestrel/contracts: bundle size and cold
// module load of the library as esbuild bundles it for Lambda, and per-call cost of publishing and
// parsing a real contract (UserRegistered v1). Writes tools/bundle/bench-results/contracts.json (with
// the commit and machine). Run: npx nx run contracts:bench. It lives here, not in libs/contracts,
// because it uses the bundler's settings and bench record, and contracts may not depend on the bundler
// (the bundler depends on contracts through infra-constructs).
// The bundle is built with the platform's own esbuild settings (tools/bundle BUNDLE_OPTIONS), so its
// bytes are what a handler pays for the library.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { buildPutEventsEntry, parseEvent, toJsonSchema, UserRegisteredV1 } from '@kestrel/contracts';
import { deliveredEvent } from '@kestrel/testing';
import { BUNDLE_OPTIONS } from '../src/bundle';
import { validity, writeBenchJson } from './record';

const contractsEntry = fileURLToPath(new URL('../../../libs/contracts/src/index.ts', import.meta.url));
const resultsFile = fileURLToPath(new URL('../bench-results/contracts.json', import.meta.url));
const metadata = { correlationId: 'corr-7f1d', causationId: 'req-42', producer: 'identity' } as const;

function perCall(iterations: number, run: () => void): { iterations: number; microsPerCall: number } {
  for (let i = 0; i < Math.min(1000, iterations); i += 1) run(); // warm up the JIT and caches
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) run();
  const micros = Number(process.hrtime.bigint() - start) / 1000;
  return { iterations, microsPerCall: Number((micros / iterations).toFixed(2)) };
}

async function bundleFigures() {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-contracts-bench-'));
  try {
    const outfile = join(dir, 'contracts.mjs');
    const result = await build({
      ...BUNDLE_OPTIONS,
      sourcemap: false,
      entryPoints: [contractsEntry],
      outfile,
      metafile: true,
      logLevel: 'silent',
    });
    const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
    const gzipBytes = gzipSync(readFileSync(outfile)).length;
    // Cold load: a fresh Node process importing the bundle, as a Lambda cold start would.
    const script = `const t=process.hrtime.bigint();await import(${JSON.stringify(outfile)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
    // A clean environment: under nx/tsx, NODE_OPTIONS would load a TypeScript loader into the child.
    const env = { PATH: process.env.PATH ?? '' };
    const samples = Array.from({ length: 7 }, () => {
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env }).toString().trim();
      const ms = Number(output.split('\n').at(-1));
      if (!Number.isFinite(ms)) throw new Error(`cold import probe printed ${JSON.stringify(output)}`);
      return ms;
    });
    samples.sort((a, b) => a - b);
    return { bundleBytes: bytes, bundleGzipBytes: gzipBytes, coldImportMsMedian: Number(samples[3]!.toFixed(2)), coldImportMsSamples: samples.map((s) => Number(s.toFixed(2))) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const entry = buildPutEventsEntry(UserRegisteredV1, UserRegisteredV1.example, metadata, { eventBusName: 'platform' });
const raw = deliveredEvent(entry);

const results = {
  bundle: await bundleFigures(),
  buildPutEventsEntry: perCall(20_000, () => buildPutEventsEntry(UserRegisteredV1, UserRegisteredV1.example, metadata, { eventBusName: 'platform' })),
  parseEvent: perCall(20_000, () => parseEvent(UserRegisteredV1, raw)),
  entryBytes: Buffer.byteLength(entry.Detail) + entry.Source.length + entry.DetailType.length + 14,
  toJsonSchemaFirstCallMs: (() => {
    const start = process.hrtime.bigint();
    toJsonSchema(UserRegisteredV1);
    return Number((Number(process.hrtime.bigint() - start) / 1e6).toFixed(2));
  })(),
};

writeBenchJson(resultsFile, 'contracts', validity([]), { contract: 'UserRegistered v1', ...results });
console.log(JSON.stringify(results, null, 2));
