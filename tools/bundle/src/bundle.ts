import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, context } from 'esbuild';
import type { BuildContext, BuildOptions, BuildResult, Metafile } from 'esbuild';
import { bundleArchive, writeBundleArchive } from '@kestrel/infra-constructs/service/bundles';
import type { ServiceManifest } from '@kestrel/service-manifest';
import { loadManifest } from './manifest';

/**
 * ESM output still meets CommonJS dependencies that `require()` Node
 * built-ins; esbuild's shim can't, so every bundle gets a real `require`.
 */
export const CREATE_REQUIRE_BANNER = "import{createRequire as __kestrelCreateRequire}from'node:module';const require=__kestrelCreateRequire(import.meta.url);";

/** The esbuild settings every function bundle uses (entry and output aside). */
export const BUNDLE_OPTIONS = Object.freeze({
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  treeShaking: true,
  // A separate .map plus the sourceMappingURL comment: with
  // NODE_OPTIONS=--enable-source-maps, stack traces point at the TypeScript.
  // Sources are left out of the map; traces only need positions.
  sourcemap: 'linked',
  sourcesContent: false,
  // Prefer the ES module builds of dependencies (the AWS SDK ships both) so
  // tree shaking can drop what a handler never calls.
  mainFields: ['module', 'main'],
  banner: { js: CREATE_REQUIRE_BANNER },
  // Lambda passes credentials in environment variables, so the SDK's default
  // credential chain is bundled as its environment step alone (see
  // lambda-credentials.ts): ~130 KB less per function that uses the SDK.
  alias: { '@aws-sdk/credential-provider-node': fileURLToPath(new URL('./lambda-credentials.ts', import.meta.url)) },
  legalComments: 'none',
  metafile: true,
  logLevel: 'silent',
  // Nothing is external, the AWS SDK included: the bundle carries the exact
  // SDK version we tested, and a tree-shaken SDK loads faster than the
  // runtime's full copy.
  external: [],
} satisfies BuildOptions);

export interface BundleResult {
  functionName: string;
  /** `<outDir>/<function>/index.mjs` */
  file: string;
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  /** `<outDir>/<function>.zip`: the folder as Lambda's deployment package (what synth ships). */
  zip: string;
  zipBytes: number;
  /** `<outDir>/<function>.metafile.json`: esbuild's metafile, for bundle analysis. */
  metafile: string;
  /** Bytes in the output per npm package (or `(own code)`), largest first. */
  byPackage: Array<{ name: string; bytes: number }>;
}

export interface BundleServiceOptions {
  /** The service folder holding `service.ts` (e.g. `apps/customers`). */
  serviceDir: string;
  /** Where bundles go; default `<serviceDir>/dist/bundles`. */
  outDir?: string;
  /** Bundle only these functions (default: all). */
  functions?: string[];
}

/** `node_modules/@aws-sdk/client-dynamodb/dist-es/…` → `@aws-sdk/client-dynamodb`. */
export function packageOf(input: string): string {
  const parts = input.split('node_modules/');
  if (parts.length < 2) return '(own code)';
  const segments = (parts[parts.length - 1] as string).split('/');
  return segments[0]?.startsWith('@') ? `${segments[0]}/${segments[1]}` : (segments[0] as string);
}

function bytesByPackage(metafile: Metafile, outputFile: string): Array<{ name: string; bytes: number }> {
  const output = Object.entries(metafile.outputs).find(([path]) => resolve(path) === resolve(outputFile))?.[1];
  const totals = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(input);
    totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** One function to bundle: its handler file and the name its folder gets. */
export interface FunctionEntry {
  entry: string;
  functionName: string;
}

/**
 * The part of a multi-entry build's metafile that belongs to one output: the
 * output (and its map) and every input reachable from its entry point through
 * the import graph, tree-shaken or not — what a build of that entry alone
 * would have written.
 */
function metafileOf(metafile: Metafile, outputFile: string): Metafile {
  const outputKey = Object.keys(metafile.outputs).find((path) => resolve(path) === resolve(outputFile));
  const output = outputKey === undefined ? undefined : metafile.outputs[outputKey];
  if (!outputKey || !output) throw new Error(`esbuild wrote no ${outputFile}`);
  const reachable = new Set<string>();
  const queue = output.entryPoint ? [output.entryPoint] : [];
  while (queue.length > 0) {
    const path = queue.pop() as string;
    if (reachable.has(path) || !metafile.inputs[path]) continue;
    reachable.add(path);
    for (const imported of metafile.inputs[path].imports) if (!imported.external) queue.push(imported.path);
  }
  const outputs = Object.fromEntries(Object.entries(metafile.outputs).filter(([path]) => path === outputKey || path === `${outputKey}.map`));
  return { inputs: Object.fromEntries(Object.entries(metafile.inputs).filter(([path]) => reachable.has(path))), outputs };
}

/** The esbuild options of a multi-entry build: each handler to `<function>/index.mjs` under `outDir`, kept in memory. */
function multiEntryOptions(entries: readonly FunctionEntry[], outDir: string) {
  return {
    ...BUNDLE_OPTIONS,
    entryPoints: Object.fromEntries(entries.map(({ entry, functionName }) => [`${functionName}/index`, entry])),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    // Written by writeOutputs, every time: an incremental rebuild must not skip a file that was moved away.
    write: false,
  } satisfies BuildOptions;
}

/** Replaces each function's folder with the build's output and writes its own metafile beside it. */
function writeOutputs(result: BuildResult<{ write: false; metafile: true }>, entries: readonly FunctionEntry[], outDir: string): BundleResult[] {
  for (const { functionName } of entries) rmSync(join(outDir, functionName), { recursive: true, force: true });
  for (const output of result.outputFiles) {
    mkdirSync(dirname(output.path), { recursive: true });
    writeFileSync(output.path, output.contents);
  }
  return entries.map(({ functionName }) => {
    const file = join(outDir, functionName, 'index.mjs');
    const own = metafileOf(result.metafile, file);
    const metafile = join(outDir, `${functionName}.metafile.json`);
    writeFileSync(metafile, JSON.stringify(own));
    const zip = bundleArchive(outDir, functionName);
    const zipBytes = writeBundleArchive(join(outDir, functionName), zip);
    const code = readFileSync(file);
    return {
      functionName,
      file,
      zip,
      zipBytes,
      bytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
      mapBytes: statSync(`${file}.map`).size,
      metafile,
      byPackage: bytesByPackage(own, file),
    };
  });
}

/**
 * Bundles several handlers in one esbuild build (they share parsing: a file
 * many handlers import is read once), each into `<outDir>/<function>/index.mjs`
 * (+ `.map`), replacing whatever was there, with its own metafile next to the
 * folder (not inside it: the folder is exactly what ships). Each output is
 * self-contained, exactly as a build of its entry alone.
 *
 * @example
 * ```ts
 * await bundleFunctions([{ entry: 'apps/catalog/src/handlers/http-get-product.ts', functionName: 'http-get-product' }], 'apps/catalog/dist/bundles');
 * ```
 */
export async function bundleFunctions(entries: readonly FunctionEntry[], outDir: string): Promise<BundleResult[]> {
  mkdirSync(outDir, { recursive: true });
  return writeOutputs(await build(multiEntryOptions(entries, outDir)), entries, outDir);
}

/**
 * The same handlers bundled again and again (watch mode): esbuild keeps what it
 * parsed, so a rebuild after an edit re-reads only the changed files (measured
 * ~3× faster than a fresh build of a handler carrying the AWS SDK). Each
 * rebuild writes what {@link bundleFunctions} would. Dispose it when done: it
 * holds the parsed sources in esbuild's process.
 *
 * @example
 * ```ts
 * const bundler = await IncrementalBundler.create([{ entry, functionName: 'http-get-product' }], outDir);
 * await bundler.rebuild(); // after each edit
 * await bundler.dispose();
 * ```
 */
export class IncrementalBundler {
  private constructor(
    private readonly buildContext: BuildContext<ReturnType<typeof multiEntryOptions>>,
    readonly entries: readonly FunctionEntry[],
    readonly outDir: string,
  ) {}

  static async create(entries: readonly FunctionEntry[], outDir: string): Promise<IncrementalBundler> {
    return new IncrementalBundler(await context(multiEntryOptions(entries, outDir)), entries, outDir);
  }

  async rebuild(): Promise<BundleResult[]> {
    mkdirSync(this.outDir, { recursive: true });
    return writeOutputs(await this.buildContext.rebuild(), this.entries, this.outDir);
  }

  dispose(): Promise<void> {
    return this.buildContext.dispose();
  }
}

/** Bundles one handler into `<outDir>/<function>/index.mjs` (see {@link bundleFunctions}). */
export async function bundleFunction(entry: string, functionName: string, outDir: string): Promise<BundleResult> {
  const [result] = await bundleFunctions([{ entry, functionName }], outDir);
  return result as BundleResult;
}

/**
 * Bundles every function of a service's manifest (or the named ones),
 * two at a time.
 *
 * @example
 * ```ts
 * const results = await bundleService({ serviceDir: 'apps/customers' });
 * console.log(formatSizeTable(results));
 * ```
 */
export async function bundleService({ serviceDir, outDir, functions }: BundleServiceOptions): Promise<BundleResult[]> {
  const manifest: ServiceManifest = await loadManifest(serviceDir);
  const selected = functions ?? Object.keys(manifest.functions);
  const unknown = selected.filter((name) => !(name in manifest.functions));
  if (unknown.length > 0) {
    throw new Error(`Service "${manifest.name}" declares no function ${unknown.map((n) => `"${n}"`).join(', ')} (declared: ${Object.keys(manifest.functions).join(', ')})`);
  }
  const target = resolve(outDir ?? join(serviceDir, 'dist', 'bundles'));
  const results: BundleResult[] = [];
  // esbuild is fast and multi-threaded already; two at a time keeps memory flat on small machines.
  for (let i = 0; i < selected.length; i += 2) {
    const batch = selected.slice(i, i + 2).map((name) => {
      const declaration = manifest.functions[name];
      if (!declaration) throw new Error(`unreachable: ${name}`);
      return bundleFunction(resolve(serviceDir, declaration.handler), name, target);
    });
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The size table the CLI prints: one line per function, largest contributor named. */
export function formatSizeTable(results: BundleResult[], cwd = process.cwd()): string {
  const rows = results.map((r) => [
    r.functionName,
    kb(r.bytes),
    kb(r.gzipBytes),
    kb(r.mapBytes),
    r.byPackage[0] ? `${r.byPackage[0].name} (${kb(r.byPackage[0].bytes)})` : '-',
    relative(cwd, r.file),
  ]);
  const header = ['function', 'index.mjs', 'gzip', 'map', 'largest input', 'file'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i >= 1 && i <= 3 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
