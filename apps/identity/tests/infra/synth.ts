import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environment } from '@kestrel/infra-constructs/environments';
import type { EnvironmentName } from '@kestrel/infra-constructs/environments';
import { reference, resourcesOfType, synthStack, testApp } from '@kestrel/infra-constructs/testing';
import type { SynthesizedBlock, SynthesizedStack } from '@kestrel/infra-constructs/testing';
import manifest from '../../service';
import { IdentityStack } from '../../infra/identity.stack';

/** Stand-in bundle folders: synth only zips and hashes them. */
function stubBundles(): string {
  const dir = join(tmpdir(), `identity-stub-bundles-${process.pid}`);
  for (const name of Object.keys(manifest.functions)) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'index.mjs'), 'export const handler = async (event) => event;\n');
  }
  return dir;
}

export function synthesize(envName: EnvironmentName = 'staging'): { stack: IdentityStack; json: SynthesizedStack } {
  const stack = new IdentityStack(testApp(), { env: environment(envName), bundlesDir: stubBundles() });
  return { stack, json: synthStack(stack) };
}

/** The one resource of a type whose attribute has a value. */
export function where(json: SynthesizedStack, type: string, attribute: string, value: unknown): SynthesizedBlock {
  const found = resourcesOfType(json, type).filter((block) => JSON.stringify(block.values[attribute]) === JSON.stringify(value));
  if (found.length !== 1 || !found[0]) throw new Error(`Expected one ${type} with ${attribute} = ${JSON.stringify(value)}, found ${found.length}`);
  return found[0];
}

export interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** Every statement of every inline policy on the role of a function. */
export function roleStatements(json: SynthesizedStack, functionName: string): Statement[] {
  const role = where(json, 'aws_iam_role', 'name', `kestrel-staging-identity-${functionName}`);
  return resourcesOfType(json, 'aws_iam_role_policy')
    .filter((policy) => policy.values.role === reference(role.address, 'id'))
    .flatMap((policy) => (JSON.parse(String(policy.values.policy)) as { Statement: Statement[] }).Statement);
}

/** `action on resource` for every grant of a function's role, sorted. */
export function grantsOf(json: SynthesizedStack, functionName: string): string[] {
  return roleStatements(json, functionName)
    .flatMap((statement) => statement.Action.flatMap((action) => statement.Resource.map((resource) => `${action} on ${resource}`)))
    .sort();
}
