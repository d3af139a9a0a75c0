import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceManifest } from '@kestrel/service-manifest';

const WORKSPACE = resolve(import.meta.dirname, '../../../..');

/** The service's manifest, `apps/<service>/service.ts` (its default export); an unknown service is named with the ones that exist. */
export async function loadManifest(service: string): Promise<ServiceManifest> {
  const file = resolve(WORKSPACE, 'apps', service, 'service.ts');
  if (!/^[a-z0-9-]+$/.test(service) || !existsSync(file)) throw new Error(`--service: "${service}" has no manifest at apps/${service}/service.ts`);
  const module = (await import(pathToFileURL(file).href)) as { default: ServiceManifest };
  return module.default;
}
