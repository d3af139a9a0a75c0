import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktn';
import type { App, TerraformStack } from 'cdktn';
import { createKestrelApp } from '../app';

/** A block of synthesized Terraform JSON (resource, data source, provider…) with its attributes. */
export type TerraformValues = Record<string, unknown>;

/** The parts of a synthesized stack (`cdk.tf.json` minus cdktn metadata) that tests assert on. */
export interface SynthesizedStack {
  provider?: Record<string, TerraformValues[]>;
  resource?: Record<string, Record<string, TerraformValues>>;
  data?: Record<string, Record<string, TerraformValues>>;
  output?: Record<string, TerraformValues>;
  terraform?: {
    backend?: Record<string, TerraformValues>;
    required_providers?: Record<string, TerraformValues>;
  };
}

/** One resource or data source with its Terraform address (`aws_sqs_queue.dlq`). */
export interface SynthesizedBlock {
  address: string;
  values: TerraformValues;
}

// cdktn's App insists on an output directory (and creates `stacks/` in it) even
// though synthStack() never writes; one shared, pre-created directory avoids
// leaking a temporary directory per test process and mkdir races between workers.
const outdir = join(tmpdir(), 'kestrel-synth-tests');

/**
 * A Kestrel app for tests: same declared Terraform targets and feature flags as
 * `main.ts`; never touches the project's `cdktf.out`.
 *
 * @example
 * ```ts
 * const stack = new PlatformStack(testApp(), { env: environment('staging') });
 * ```
 */
export function testApp(): App {
  mkdirSync(join(outdir, 'stacks'), { recursive: true });
  return createKestrelApp({ outdir });
}

/**
 * Synthesizes one stack to Terraform JSON in memory, running cdktn's
 * validations first (so a feature the declared Terraform targets lack, or an
 * invalid construct, fails the test). Metadata (`//` keys) is removed.
 *
 * @example
 * ```ts
 * const json = synthStack(stack);
 * expect(onlyResourceOfType(json, 'aws_cloudwatch_event_bus').values.name).toBe('kestrel-staging-bus');
 * ```
 */
export function synthStack(stack: TerraformStack): SynthesizedStack {
  return JSON.parse(Testing.synth(stack, true)) as SynthesizedStack;
}

function blocksOf(group: SynthesizedStack['resource'], type: string, prefix: string): SynthesizedBlock[] {
  return Object.entries(group?.[type] ?? {}).map(([name, values]) => ({ address: `${prefix}${type}.${name}`, values }));
}

/**
 * Every resource of a Terraform type in a synthesized stack.
 *
 * @example
 * ```ts
 * resourcesOfType(json, 'aws_ssm_parameter').map((p) => p.values.name);
 * ```
 */
export function resourcesOfType(json: SynthesizedStack, type: string): SynthesizedBlock[] {
  return blocksOf(json.resource, type, '');
}

/**
 * Every data source of a Terraform type; addresses start with `data.`.
 *
 * @example
 * ```ts
 * dataSourcesOfType(json, 'aws_ssm_parameter')[0]?.address; // 'data.aws_ssm_parameter.bus_event-bus-name_…'
 * ```
 */
export function dataSourcesOfType(json: SynthesizedStack, type: string): SynthesizedBlock[] {
  return blocksOf(json.data, type, 'data.');
}

/**
 * The single resource of a type; throws (naming what was found) when there is
 * none or more than one, so a test fails with a useful message.
 *
 * @example
 * ```ts
 * onlyResourceOfType(json, 'aws_cloudwatch_event_archive').values.retention_days; // 30
 * ```
 */
export function onlyResourceOfType(json: SynthesizedStack, type: string): SynthesizedBlock {
  const found = resourcesOfType(json, type);
  if (found.length !== 1 || found[0] === undefined) {
    const addresses = found.map((block) => block.address).join(', ') || 'none';
    throw new Error(`Expected exactly one ${type}, found ${found.length}: ${addresses}`);
  }
  return found[0];
}

/**
 * The stack's backend block (`terraform.backend.<type>`), or throws if it has a
 * different backend or none.
 *
 * @example
 * ```ts
 * backendOf(json, 's3').key; // 'staging/platform/terraform.tfstate'
 * ```
 */
export function backendOf(json: SynthesizedStack, type: string): TerraformValues {
  const backend = json.terraform?.backend?.[type];
  if (backend === undefined) {
    const actual = Object.keys(json.terraform?.backend ?? {}).join(', ') || 'none';
    throw new Error(`Expected a ${type} backend, found: ${actual}`);
  }
  return backend;
}

/**
 * The configurations of a provider (one per alias).
 *
 * @example
 * ```ts
 * providersOf(json, 'aws')[0]?.region; // 'eu-west-1'
 * ```
 */
export function providersOf(json: SynthesizedStack, name: string): TerraformValues[] {
  return json.provider?.[name] ?? [];
}

/**
 * The Terraform expression that reads an attribute of a resource, as cdktn
 * renders references: `${aws_cloudwatch_event_bus.bus.arn}`.
 *
 * @example
 * ```ts
 * expect(param.values.value).toBe(reference(bus.address, 'arn'));
 * ```
 */
export function reference(address: string, attribute: string): string {
  return `\${${address}.${attribute}}`;
}
