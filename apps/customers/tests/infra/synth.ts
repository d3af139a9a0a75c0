import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environment } from '@kestrel/infra-constructs/environments';
import type { EnvironmentName } from '@kestrel/infra-constructs/environments';
import { synthStack, testApp } from '@kestrel/infra-constructs/testing';
import type { SynthesizedStack } from '@kestrel/infra-constructs/testing';
import { CustomersStack } from '../../infra/customers.stack';
import manifest from '../../service';

/** Stand-in bundle folders (synth only zips and hashes them), so these tests never need `nx run customers:bundle`. */
function stubBundles(): string {
  const dir = join(tmpdir(), `customers-stub-bundles-${process.pid}`);
  for (const name of Object.keys(manifest.functions)) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'index.mjs'), 'export const handler = async () => ({});\n');
  }
  return dir;
}

/** The synthesized Terraform of the customers stack for one environment. */
export function synthesize(envName: EnvironmentName = 'staging'): { stack: CustomersStack; json: SynthesizedStack } {
  const stack = new CustomersStack(testApp(), { env: environment(envName), bundlesDir: stubBundles() });
  return { stack, json: synthStack(stack) };
}
