import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceManifest } from '@kestrel/service-manifest';

/**
 * Loads `<serviceDir>/service.ts` (run under tsx or vitest, which compile it
 * on import). The manifest is its default export, or a named `manifest`;
 * `defineService` has already validated it when the module loaded.
 *
 * @example
 * ```ts
 * const manifest = await loadManifest('apps/customers');
 * Object.keys(manifest.functions); // ['on-user-registered', …]
 * ```
 */
export async function loadManifest(serviceDir: string): Promise<ServiceManifest> {
  const file = join(resolve(serviceDir), 'service.ts');
  if (!existsSync(file)) throw new Error(`No service manifest at ${file} (expected apps/<service>/service.ts)`);
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown; manifest?: unknown };
  const manifest = (module.default ?? module.manifest) as Partial<ServiceManifest> | undefined;
  if (!manifest || typeof manifest.name !== 'string' || typeof manifest.functions !== 'object' || manifest.functions === null) {
    throw new Error(`${file} must export the manifest (export default defineService({...}))`);
  }
  return manifest as ServiceManifest;
}
