import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { BuildOptions, Metafile } from 'esbuild';
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
  target: 'node22',
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

/**
 * Bundles one handler into `<outDir>/<function>/index.mjs` (+ `.map`),
 * replacing whatever was there, and writes the metafile and the folder's zip
 * (the deployment package synth ships) next to the folder, not inside it.
 */
export async function bundleFunction(entry: string, functionName: string, outDir: string): Promise<BundleResult> {
  const folder = join(outDir, functionName);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'index.mjs');
  const result = await build({ ...BUNDLE_OPTIONS, entryPoints: [entry], outfile: file });
  const metafile = join(outDir, `${functionName}.metafile.json`);
  writeFileSync(metafile, JSON.stringify(result.metafile));
  const zip = bundleArchive(outDir, functionName);
  const zipBytes = writeBundleArchive(folder, zip);
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
    byPackage: bytesByPackage(result.metafile, file),
  };
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
