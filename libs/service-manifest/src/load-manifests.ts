import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceManifest } from './manifest';

/** A manifest the catalog found, with where it came from. */
export interface LoadedManifest {
  readonly manifest: ServiceManifest;
  /** Path relative to the repository root, e.g. `apps/customers/service.ts`. */
  readonly file: string;
}

/** A manifest file that did not load or does not default-export a manifest. */
export class ManifestLoadError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'ManifestLoadError';
  }
}

function looksLikeManifest(value: unknown): value is ServiceManifest {
  const m = value as Partial<ServiceManifest> | undefined;
  return (
    typeof m === 'object' && m !== null && typeof m.name === 'string' && typeof m.owner?.team === 'string' &&
    Array.isArray(m.publishes) && Array.isArray(m.consumes)
  );
}

/**
 * Imports the default export of every `<appsDir>/<service>/service.ts` (sorted by folder), so the
 * catalog (and the local console) follow whatever services exist. Run under tsx or vitest: manifests are TypeScript.
 * `defineService` validates each manifest as it loads; a broken one fails the build with its file.
 *
 * @example
 * ```ts
 * const manifests = await loadManifests('/work/main');
 * manifests.map((m) => m.manifest.name); // ['analytics-ingest', 'customers', 'identity']
 * ```
 */
export async function loadManifests(repoRoot: string, appsDir = 'apps'): Promise<LoadedManifest[]> {
  const root = join(repoRoot, appsDir);
  if (!existsSync(root)) return [];
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'service.ts')))
    .map((entry) => entry.name)
    .sort();
  const loaded: LoadedManifest[] = [];
  for (const folder of folders) {
    const path = join(root, folder, 'service.ts');
    const file = relative(repoRoot, path).split('\\').join('/');
    let exported: unknown;
    try {
      exported = ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
    } catch (error) {
      throw new ManifestLoadError(file, error instanceof Error ? error.message : String(error));
    }
    if (!looksLikeManifest(exported)) throw new ManifestLoadError(file, 'default export must be a manifest made with defineService');
    loaded.push({ manifest: exported, file });
  }
  return loaded;
}
