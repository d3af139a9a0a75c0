import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The file every bundle folder must hold: Lambda's handler is `index.handler`. */
export const BUNDLE_ENTRY = 'index.mjs';

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
 * The absolute bundle folder of every function (`<bundlesDir>/<function>/`),
 * after checking each holds `index.mjs`. Fails once, listing every missing
 * bundle and the command that builds them, instead of cdktn's bare ENOENT.
 *
 * @example
 * ```ts
 * bundleFolders('apps/orders/dist/bundles', 'orders', ['http-place-order']);
 * // Map { 'http-place-order' => '/work/apps/orders/dist/bundles/http-place-order' }
 * ```
 */
export function bundleFolders(bundlesDir: string, service: string, functionNames: string[]): Map<string, string> {
  const folders = new Map(functionNames.map((name) => [name, resolve(bundlesDir, name)]));
  const missing = [...folders]
    .map(([functionName, folder]) => ({ functionName, expected: join(folder, BUNDLE_ENTRY) }))
    .filter(({ expected }) => !existsSync(expected));
  if (missing.length > 0) throw new MissingBundleError(service, missing);
  return folders;
}
