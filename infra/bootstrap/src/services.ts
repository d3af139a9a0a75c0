import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A stack that gets its own plan and deploy roles. */
export interface DeployableService {
  /** Manifest name: the stack name, the state key segment and the resource name prefix. */
  name: string;
  /** Team that answers for it (the `owner` tag on its roles). */
  owner: string;
}

/** The shared platform stack (infra/platform) deploys like a service. */
export const PLATFORM_SERVICE: DeployableService = { name: 'platform', owner: 'team-platform' };

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Every service with a manifest (`apps/<context>/service.ts`, default export
 * from `defineService`) plus the platform, sorted by name. Only `name` and
 * `owner.team` are read, so this works whatever else manifests grow. A
 * manifest that fails to load fails here, naming the file.
 *
 * @example
 * ```ts
 * (await discoverServices('/work/main')).map((s) => s.name);
 * // ['analytics-ingest', 'catalog', 'customers', 'identity', 'platform']
 * ```
 */
export async function discoverServices(repoRoot: string, appsDir = 'apps'): Promise<DeployableService[]> {
  const root = join(repoRoot, appsDir);
  const found: DeployableService[] = [PLATFORM_SERVICE];
  const folders = existsSync(root) ? readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory()) : [];
  for (const folder of folders) {
    const file = join(root, folder.name, 'service.ts');
    if (!existsSync(file)) continue;
    let manifest: { name?: unknown; owner?: { team?: unknown } } | undefined;
    try {
      manifest = ((await import(pathToFileURL(file).href)) as { default?: typeof manifest }).default;
    } catch (error) {
      throw new Error(`Cannot load the manifest ${file}: ${(error as Error).message}`);
    }
    const name = manifest?.name;
    const owner = manifest?.owner?.team;
    if (typeof name !== 'string' || !KEBAB.test(name) || typeof owner !== 'string') {
      throw new Error(`${file}: the default export must be a defineService manifest with a kebab-case name and owner.team`);
    }
    found.push({ name, owner });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
