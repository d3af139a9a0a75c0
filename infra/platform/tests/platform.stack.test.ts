import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { environment, ENVIRONMENT_NAMES, TERRAFORM_TARGET_VERSIONS } from '@kestrel/infra-constructs';
import type { EnvironmentName } from '@kestrel/infra-constructs';
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

describe.each(ENVIRONMENT_NAMES)('who may publish on the bus (%s)', (env) => {
  const config = environment(env);
  const policyOf = (json: ReturnType<typeof synthPlatform>['json']) =>
    JSON.parse(String(onlyResourceOfType(json, 'aws_cloudwatch_event_bus_policy').values.policy)) as { Statement: Array<Record<string, unknown>> };

  it('denies every other account any kestrel.* source (a forged kestrel.identity UserRegistered included), and allows nobody else by default', () => {
    // act
    const { json } = synthPlatform(env);
    const policy = policyOf(json);

    // assess
    expect(policy.Statement).toEqual([
      {
        Sid: 'OnlyThisAccountPublishesKestrelSources',
        Effect: 'Deny',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: reference(onlyResourceOfType(json, 'aws_cloudwatch_event_bus').address, 'arn'),
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': config.accountId }, StringLike: { 'events:source': 'kestrel.*' } },
      },
    ]);
    expect(JSON.stringify(policy)).not.toMatch(/"Effect":"Allow"[^}]*"Principal":"\*"/);
  });

  it('lets an external account of the organization publish only the sources it owns', () => {
    // act
    const stack = new PlatformStack(testApp(), { env: config, externalPublishers: [{ account: '333333333333', sources: ['partner.billing'] }] });
    const [allow] = policyOf(synthStack(stack)).Statement;

    // assess
    expect(allow).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::333333333333:root' },
      Action: 'events:PutEvents',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-kestrel0example', 'events:source': ['partner.billing'] } },
    });
  });

  it('refuses to let an external account own a kestrel.* source, the own account, or a source owned twice', () => {
    // act
    const attempt = (publishers: Array<{ account: string; sources: string[] }>) => () => new PlatformStack(testApp(), { env: config, externalPublishers: publishers });

    // assess
    expect(attempt([{ account: '333333333333', sources: ['kestrel.identity'] }])).toThrow('"kestrel.identity" belongs to a Kestrel service of this account');
    expect(attempt([{ account: config.accountId, sources: ['partner.x'] }])).toThrow("the environment's own account publishes through IAM");
    expect(attempt([{ account: '333333333333', sources: ['partner.x'] }, { account: '444444444444', sources: ['partner.x'] }])).toThrow('"partner.x" is already owned by 333333333333');
  });

  it('encrypts the archive (every event, PII included) with its own rotating key that only EventBridge, for this archive, may use', () => {
    // act
    const { json } = synthPlatform(env);
    const archive = onlyResourceOfType(json, 'aws_cloudwatch_event_archive');
    const key = onlyResourceOfType(json, 'aws_kms_key');
    const keyPolicy = JSON.parse(String(key.values.policy)) as { Statement: Array<Record<string, unknown>> };

    // assess
    expect(archive.values.kms_key_identifier).toBe(reference(key.address, 'arn'));
    expect(key.values.enable_key_rotation).toBe(true);
    expect(keyPolicy.Statement.map((s) => [s.Sid, s.Principal])).toEqual([
      ['AccountAdministersThroughIam', { AWS: `arn:aws:iam::${config.accountId}:root` }],
      ['EventBridgeArchivesThisBus', { Service: 'events.amazonaws.com' }],
    ]);
    expect(keyPolicy.Statement[1]?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': config.accountId },
      ArnEquals: { 'aws:SourceArn': `arn:aws:events:${config.region}:${config.accountId}:archive/kestrel-${env}-platform-bus-archive` },
    });
  });
});
