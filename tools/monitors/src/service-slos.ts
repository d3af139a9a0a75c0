import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvironmentName } from '@kestrel/infra-constructs/environments';
import { loadManifest } from './ops/manifest';
import { slosForManifest, type SloDefinition } from './slo';

/**
 * The SLOs of a service in each of the given environments, from its manifest (`apps/<service>/service.ts`).
 * A project without a manifest (the platform stack) has none: it serves no user directly.
 */
export async function serviceSlos(workspaceRoot: string, service: string, envs: readonly string[]): Promise<SloDefinition[]> {
  if (!existsSync(join(workspaceRoot, 'apps', service, 'service.ts'))) return [];
  const manifest = await loadManifest(service);
  return [...new Set(envs)].sort().flatMap((env) => slosForManifest(manifest, env as EnvironmentName));
}
