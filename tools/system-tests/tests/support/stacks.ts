/**
 * The synthesized staging stacks a system test applies, in apply order: the platform first (the
 * bus and its parameters), identity before customers (customers' JWT authorizer reads identity's
 * issuer and client ids from SSM at apply time). The Nx `test` target synthesizes them first.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));

const stackDir = (projectDir: string, stack: string) => join(repoRoot, projectDir, 'cdktf.out', 'stacks', stack);

export const STAGING_STACKS = {
  platform: stackDir('infra/platform', 'platform-staging'),
  identity: stackDir('apps/identity', 'identity-staging'),
  customers: stackDir('apps/customers', 'customers-staging'),
  analyticsIngest: stackDir('apps/analytics-ingest', 'analytics-ingest-staging'),
} as const;

/**
 * The stack folders, in apply order; fails naming the command that builds any that is missing.
 *
 * @example
 * await cloud.applyStacks(stackDirs(['platform', 'identity']));
 */
export function stackDirs(names: readonly (keyof typeof STAGING_STACKS)[]): string[] {
  const dirs = names.map((name) => STAGING_STACKS[name]);
  const missing = dirs.filter((dir) => !existsSync(join(dir, 'cdk.tf.json')));
  if (missing.length > 0) {
    throw new Error(`Not synthesized: ${missing.join(', ')}. Run: npx nx run-many -t synth -p platform identity customers analytics-ingest`);
  }
  return dirs;
}
