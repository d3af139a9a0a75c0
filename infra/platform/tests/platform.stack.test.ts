import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { environment, ENVIRONMENT_NAMES } from '@kestrel/infra-constructs/environments';
import { TERRAFORM_TARGET_VERSIONS } from '@kestrel/infra-constructs/app';
import type { EnvironmentName } from '@kestrel/infra-constructs/environments';
import {
  backendOf,
  onlyResourceOfType,
  providersOf,
  reference,
  resourcesOfType,
  synthStack,
  testApp,
} from '@kestrel/infra-constructs/testing';
import { PlatformStack } from '../src/platform.stack';

function synthPlatform(env: EnvironmentName) {
  const stack = new PlatformStack(testApp(), { env: environment(env) });
  return { stack, json: synthStack(stack) };
}

describe.each(ENVIRONMENT_NAMES)('platform stack (%s)', (env) => {
  const config = environment(env);

  it(`is the stack platform-${env}`, () => {
    // act
    const { stack } = synthPlatform(env);

    // assess
    expect(stack.node.id).toBe(`platform-${env}`);
  });

  it(`creates the bus kestrel-${env}-bus`, () => {
    // act
    const { json } = synthPlatform(env);

    // assess
    expect(onlyResourceOfType(json, 'aws_cloudwatch_event_bus').values.name).toBe(`kestrel-${env}-bus`);
  });

  it('archives every event of the bus for the configured retention', () => {
    // act
    const { json } = synthPlatform(env);

    // assess
    const bus = onlyResourceOfType(json, 'aws_cloudwatch_event_bus');
    const archive = onlyResourceOfType(json, 'aws_cloudwatch_event_archive');
    expect(archive.values).toMatchObject({
      name: `kestrel-${env}-platform-bus-archive`,
      event_source_arn: reference(bus.address, 'arn'),
      retention_days: config.archiveRetentionDays,
    });
    expect(archive.values.event_pattern).toBeUndefined();
  });

  it('publishes the bus name and ARN as String SSM parameters', () => {
    // act
    const { json } = synthPlatform(env);

    // assess
    const bus = onlyResourceOfType(json, 'aws_cloudwatch_event_bus');
    const parameters = resourcesOfType(json, 'aws_ssm_parameter').map((parameter) => parameter.values);
    expect(parameters).toHaveLength(2);
    expect(parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: `/kestrel/${env}/platform/event-bus-name`, type: 'String', value: reference(bus.address, 'name') }),
        expect.objectContaining({ name: `/kestrel/${env}/platform/event-bus-arn`, type: 'String', value: reference(bus.address, 'arn') }),
      ]),
    );
  });

  it('outputs the bus name and ARN, neither marked sensitive', () => {
    // act
    const { json } = synthPlatform(env);

    // assess
    const bus = onlyResourceOfType(json, 'aws_cloudwatch_event_bus');
    expect(json.output).toEqual({
      'event-bus-name': { value: reference(bus.address, 'name'), description: 'Platform EventBridge bus name' },
      'event-bus-arn': { value: reference(bus.address, 'arn'), description: 'Platform EventBridge bus ARN' },
    });
  });

  it(`keeps state at ${env}/platform/terraform.tfstate with S3 native locking`, () => {
    // act
    const { json } = synthPlatform(env);

    // assess
    expect(backendOf(json, 's3')).toEqual({
      bucket: config.stateBucket,
      key: `${env}/platform/terraform.tfstate`,
      region: config.region,
      encrypt: true,
      use_lockfile: true,
    });
  });

  it('tags everything through the provider default tags', () => {
    // act
    const { json } = synthPlatform(env);

    // assess
    const [aws] = providersOf(json, 'aws');
    expect(aws?.default_tags).toEqual([{ tags: { service: 'platform', owner: 'team-platform', env, 'managed-by': 'cdktn' } }]);
    expect(aws?.allowed_account_ids).toEqual([config.accountId]);
  });
});

describe('platform project files', () => {
  const read = (file: string) => readFileSync(new URL(file, import.meta.url), 'utf8');

  it('declares the same Terraform targets in cdktf.json as the app, so CLI and tsx synth agree', () => {
    // act
    const cdktfJson = JSON.parse(read('../cdktf.json')) as { targetVersions?: unknown };

    // assess
    expect(cdktfJson.targetVersions).toEqual(TERRAFORM_TARGET_VERSIONS);
  });

  it('imports provider resources by deep path only', () => {
    // prepare
    const sources = ['../main.ts', '../src/platform.stack.ts'].map(read);

    // act
    const barrelImports = sources.filter((source) => /from ['"]@cdktn\/provider-aws['"]/.test(source));
    const deepImports = sources.flatMap((source) => source.match(/from ['"]@cdktn\/provider-aws\/lib\/[a-z0-9-]+['"]/g) ?? []);

    // assess
    expect(barrelImports).toEqual([]);
    expect(deepImports.length).toBeGreaterThan(0);
  });
});
