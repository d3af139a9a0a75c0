import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EnvironmentName } from '@kestrel/infra-constructs/environments';
import type { ServiceManifest } from '@kestrel/service-manifest';
import { slosForManifest, type SloDefinition } from './slo';

/**
 * The SLOs of a service in each of the given environments, from its manifest (`apps/<service>/service.ts`).
 * A project without a manifest (the platform stack) has none: it serves no user directly.
 */
export async function serviceSlos(workspaceRoot: string, service: string, envs: readonly string[]): Promise<SloDefinition[]> {
  const file = join(workspaceRoot, 'apps', service, 'service.ts');
  if (!existsSync(file)) return [];
  const manifest = ((await import(pathToFileURL(file).href)) as { default: ServiceManifest }).default;
  return [...new Set(envs)].sort().flatMap((env) => slosForManifest(manifest, env as EnvironmentName));
}
