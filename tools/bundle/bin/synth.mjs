#!/usr/bin/env node
// Runs a cdktn app (`infra/main.ts`) in one plain Node process: esbuild bundles the app,
// cdktn and the provider classes it imports into `dist/synth/<entry>.mjs`, and this process
// imports that file. Why not `tsx main.ts`: tsx starts a second Node process, transforms
// each of the ~400 modules through a loader thread and turns on source maps (which cdktn's
// per-construct stack captures then pay for). The bundle is rebuilt only when one of its
// inputs (or this file) is newer than it; a rebuild adds ~0.3 s and esbuild's own memory.
// Figures: tools/bundle/bench-results/synth.json (`npx tsx tools/bundle/bench/synth.bench.ts`).
//
// Plain JavaScript on purpose: it must run before anything can compile TypeScript.
// Usage (from the project folder, as the Nx `synth` target runs it):
//   node ../../tools/bundle/bin/synth.mjs infra/main.ts
// No source maps (they cost esbuild ~50 MB): errors point into dist/synth/<entry>.mjs, which
// is unminified, keeps names and marks each module's source path in a comment.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [entryArgument] = process.argv.slice(2);
if (!entryArgument) {
  console.error('usage: node tools/bundle/bin/synth.mjs <cdktn app entry, e.g. infra/main.ts>');
  process.exit(2);
}
const entry = resolve(entryArgument);
const outfile = join(process.cwd(), 'dist', 'synth', basename(entry).replace(/\.[cm]?ts$/, '.mjs'));
const inputsFile = `${outfile}.inputs.json`;

/** True when the bundle exists and neither this launcher nor any file it was built from changed since. */
function upToDate() {
  if (!existsSync(outfile) || !existsSync(inputsFile)) return false;
  const builtAt = statSync(outfile).mtimeMs;
  const inputs = [fileURLToPath(import.meta.url), ...JSON.parse(readFileSync(inputsFile, 'utf8'))];
  return inputs.every((file) => existsSync(file) && statSync(file).mtimeMs <= builtAt);
}

// Workspace modules find files relative to themselves (`new URL('../dist/bundles', import.meta.url)`,
// the contracts' schema folder): each keeps its own import.meta.url in the bundle.
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = readFileSync(args.path, 'utf8');
      return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

async function bundle() {
  // A lower Go GC target keeps esbuild's peak memory down (~170 → ~140 MB for the process tree).
  process.env.GOGC ??= '25';
  const { build, stop } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    keepNames: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [ownImportMetaUrl],
    // cdktn and constructs are CommonJS and `require` Node built-ins.
    banner: { js: "import{createRequire as __kestrelCreateRequire}from'node:module';const require=__kestrelCreateRequire(import.meta.url);" },
  });
  // esbuild's service process would otherwise live (and hold the sources) until this process exits.
  stop();
  writeFileSync(inputsFile, JSON.stringify(Object.keys(result.metafile.inputs).map((input) => resolve(input))));
}

if (!upToDate()) await bundle();
await import(pathToFileURL(outfile).href);
