import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import type { Zippable } from 'fflate';

/** The file every bundle folder must hold: Lambda's handler is `index.handler`. */
export const BUNDLE_ENTRY = 'index.mjs';

/** Unix mode 0644 on a regular file, in a zip entry's external attributes: Lambda extracts readable files. */
const ZIP_FILE_ATTRS = ((0o100000 | 0o644) << 16) >>> 0;
/** Fixed, so the archive bytes (and `source_code_hash`) depend on the content alone. Local-time 1980: fflate encodes DOS dates from local time. */
const ZIP_ENTRY_MTIME = new Date(1980, 0, 1);

/**
 * Zips a bundle folder into Lambda's deployment package, byte-reproducibly
 * (sorted entries, fixed dates and modes); returns the archive's size.
 * `tools/bundle` calls it right after bundling, so synth only copies the
 * result: cdktn's own archiving (level 9, at every synth, per stack) was
 * 1.5 s of the customers stack's 3.6 s synth.
 */
export function writeBundleArchive(folder: string, zipFile: string): number {
  const entries: Zippable = {};
  for (const name of readdirSync(folder).sort()) entries[name] = [readFileSync(join(folder, name)), { os: 3, attrs: ZIP_FILE_ATTRS }];
  const archive = zipSync(entries, { level: 6, mtime: ZIP_ENTRY_MTIME });
  writeFileSync(zipFile, archive);
  return archive.length;
}

/** `<bundlesDir>/<function>.zip`: the deployment package beside each bundle folder. */
export function bundleArchive(bundlesDir: string, functionName: string): string {
  return resolve(bundlesDir, `${functionName}.zip`);
}

/** The archive, (re)written when it is missing or older than a file of its folder (a bundle rebuilt by other means). */
function freshArchive(folder: string, zipFile: string): string {
  const archivedAt = existsSync(zipFile) ? statSync(zipFile).mtimeMs : -1;
  if (readdirSync(folder).some((name) => statSync(join(folder, name)).mtimeMs > archivedAt)) writeBundleArchive(folder, zipFile);
  return zipFile;
}

/** Synth found functions whose prebuilt bundle is missing. */
export class MissingBundleError extends Error {
  constructor(
    readonly service: string,
    readonly missing: ReadonlyArray<{ functionName: string; expected: string }>,
  ) {
    super(
      [
        `Service "${service}" has no bundle for ${missing.length === 1 ? 'function' : 'functions'} ${missing.map((m) => `"${m.functionName}"`).join(', ')}:`,
        ...missing.map((m) => `  - ${m.functionName}: expected ${m.expected}`),
        `Build the bundles first: npx nx run ${service}:bundle  (or: npx tsx tools/bundle/src/cli.ts --service apps/${service})`,
      ].join('\n'),
    );
    this.name = 'MissingBundleError';
  }
}

/**
 * The deployment package of every function (`<bundlesDir>/<function>.zip`,
 * the zip of `<bundlesDir>/<function>/`), after checking each folder holds
 * `index.mjs`; an archive missing or older than its folder's files is
 * written first. Fails once, listing every missing bundle and the command
 * that builds them, instead of cdktn's bare ENOENT.
 *
 * @example
 * ```ts
 * bundleArchives('apps/orders/dist/bundles', 'orders', ['http-place-order']);
 * // Map { 'http-place-order' => '/work/apps/orders/dist/bundles/http-place-order.zip' }
 * ```
 */
export function bundleArchives(bundlesDir: string, service: string, functionNames: string[]): Map<string, string> {
  const missing = functionNames
    .map((functionName) => ({ functionName, expected: join(resolve(bundlesDir, functionName), BUNDLE_ENTRY) }))
    .filter(({ expected }) => !existsSync(expected));
  if (missing.length > 0) throw new MissingBundleError(service, missing);
  return new Map(functionNames.map((name) => [name, freshArchive(resolve(bundlesDir, name), bundleArchive(bundlesDir, name))]));
}
