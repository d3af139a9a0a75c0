import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseArn } from '@kestrel/iam';
import { environment, ENVIRONMENT_NAMES } from '@kestrel/infra-constructs/environments';
import { serviceRoleBoundaryArn } from '@kestrel/infra-constructs/role-boundary';
import { TERRAFORM_TARGET_VERSIONS } from '@kestrel/infra-constructs/app';
import type { EnvironmentName } from '@kestrel/infra-constructs/environments';
import { backendOf, onlyResourceOfType, providersOf, reference, resourcesOfType, synthStack, testApp } from '@kestrel/infra-constructs/testing';
import type { SynthesizedStack } from '@kestrel/infra-constructs/testing';
import { ownedResourceArns, pipelineRoleArn, type PolicyDocument, type PolicyStatement } from '../src/access';
import { BootstrapStack } from '../src/bootstrap.stack';
import type { BootstrapBackend } from '../src/bootstrap.stack';
import { discoverServices, PLATFORM_SERVICE } from '../src/services';
import { decide } from './decide';
import { escalationCases } from './escalation-cases';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const services = [PLATFORM_SERVICE, { name: 'customers', owner: 'customer-experience' }, { name: 'identity', owner: 'identity-team' }];

function synth(env: EnvironmentName, backend: BootstrapBackend = 'local'): SynthesizedStack {
  return synthStack(new BootstrapStack(testApp(), { env: environment(env), services, backend }));
}

function roleNamed(json: SynthesizedStack, name: string) {
  const role = resourcesOfType(json, 'aws_iam_role').find((candidate) => candidate.values.name === name);
  if (!role) throw new Error(`no role ${name}`);
  const policy = resourcesOfType(json, 'aws_iam_role_policy').find((candidate) => candidate.values.role === reference(role.address, 'id'));
  if (!policy) throw new Error(`no policy for ${name}`);
  return { role, trust: JSON.parse(role.values.assume_role_policy as string), policy: JSON.parse(policy.values.policy as string) as PolicyDocument };
}

function statement(policy: PolicyDocument, sid: string): PolicyStatement {
  const found = policy.Statement.find((candidate) => candidate.Sid === sid);
  if (!found) throw new Error(`no statement ${sid} in ${policy.Statement.map((s) => s.Sid).join(', ')}`);
  return found;
}

/** Whether a session of a role with this policy may make the call with no condition keys in the request, as `@kestrel/iam` decides. */
function allows(policy: PolicyDocument, action: string, resource: string): boolean {
  const account = parseArn(resource)?.accountId || environment('staging').accountId;
  return decide({ account, policy }, { action, resource }) === 'allow';
}

describe.each(ENVIRONMENT_NAMES)('bootstrap stack (%s)', (env) => {
  const config = environment(env);

  it('keeps its own first state locally, outside the synth output, and in the bucket once migrated', () => {
    // act
    const local = backendOf(synth(env, 'local'), 'local');
    const s3 = backendOf(synth(env, 's3'), 's3');

    // assess
    expect(local).toEqual({ path: `../../../.state/bootstrap-${env}.tfstate` });
    expect(s3).toEqual({ bucket: config.stateBucket, key: `${env}/bootstrap/terraform.tfstate`, region: config.region, encrypt: true, use_lockfile: true });
  });

  it('pins the provider to the account and tags everything as bootstrap', () => {
    // act
    const [aws] = providersOf(synth(env), 'aws');

    // assess
    expect(aws?.allowed_account_ids).toEqual([config.accountId]);
    expect(aws?.default_tags).toEqual([{ tags: { service: 'bootstrap', owner: 'team-platform', env, 'managed-by': 'cdktn' } }]);
  });

  it(`creates the state bucket ${config.stateBucket}: versioned, SSE-KMS with a rotating key, no public access, owner-enforced, undeletable`, () => {
    // act
    const json = synth(env);

    // assess
    const bucket = onlyResourceOfType(json, 'aws_s3_bucket');
    const key = onlyResourceOfType(json, 'aws_kms_key');
    const bucketId = reference(bucket.address, 'id');
    expect(bucket.values).toMatchObject({ bucket: config.stateBucket, lifecycle: { prevent_destroy: true } });
    expect(key.values.enable_key_rotation).toBe(true);
    expect(onlyResourceOfType(json, 'aws_s3_bucket_versioning').values).toEqual({ bucket: bucketId, versioning_configuration: { status: 'Enabled' } });
    expect(onlyResourceOfType(json, 'aws_s3_bucket_server_side_encryption_configuration').values).toEqual({
      bucket: bucketId,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: reference(key.address, 'arn') }, bucket_key_enabled: true }],
    });
    expect(onlyResourceOfType(json, 'aws_s3_bucket_public_access_block').values).toEqual({
      bucket: bucketId,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(onlyResourceOfType(json, 'aws_s3_bucket_ownership_controls').values.rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
  });

  it('refuses plain HTTP and TLS older than 1.2 on the bucket', () => {
    // act
    const json = synth(env);

    // assess
    const document = Object.values(json.data?.aws_iam_policy_document ?? {})[0] as { statement: Array<Record<string, unknown>> };
    expect(document.statement.map((s) => [s.sid, s.effect, s.condition])).toEqual([
      ['DenyInsecureTransport', 'Deny', [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }]],
      ['DenyOutdatedTls', 'Deny', [{ test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] }]],
    ]);
    expect(onlyResourceOfType(json, 'aws_s3_bucket_policy').values.policy).toMatch(/^\$\{data\.aws_iam_policy_document\..+\.json\}$/);
  });

  it('locks state with S3 lock files: no DynamoDB table anywhere', () => {
    // act
    const json = synth(env);

    // assess
    expect(resourcesOfType(json, 'aws_dynamodb_table')).toEqual([]);
  });

  it('trusts GitHub Actions through one OIDC provider with the STS audience', () => {
    // act
    const oidc = onlyResourceOfType(synth(env), 'aws_iam_openid_connect_provider');

    // assess
    expect(oidc.values).toMatchObject({ url: 'https://token.actions.githubusercontent.com', client_id_list: ['sts.amazonaws.com'] });
  });

  it('gives every service a plan and a deploy role under the pipeline path, and nothing else', () => {
    // act
    const roles = resourcesOfType(synth(env), 'aws_iam_role').map((role) => `${role.values.path}${role.values.name}`);

    // assess
    expect(roles.sort()).toEqual(
      services.flatMap((s) => [`/kestrel-pipeline/kestrel-${env}-${s.name}-deploy`, `/kestrel-pipeline/kestrel-${env}-${s.name}-plan`]).sort(),
    );
    expect(pipelineRoleArn(config, 'customers', 'deploy')).toBe(`arn:aws:iam::${config.accountId}:role/kestrel-pipeline/kestrel-${env}-customers-deploy`);
  });

  it('trusts the plan role for pull requests in staging and for main only in production, and the deploy role for its GitHub environment only', () => {
    // act
    const json = synth(env);
    const oidc = onlyResourceOfType(json, 'aws_iam_openid_connect_provider');
    const plan = roleNamed(json, `kestrel-${env}-customers-plan`);
    const deploy = roleNamed(json, `kestrel-${env}-customers-deploy`);

    // assess
    const trust = (sub: string) => ({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: reference(oidc.address, 'arn') },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': sub } },
        },
      ],
    });
    // Pull-request code never reaches production state: production plans run from main.
    expect(plan.trust).toEqual(trust(env === 'production' ? 'repo:kestrel/kestrel-platform:ref:refs/heads/main' : 'repo:kestrel/kestrel-platform:pull_request'));
    expect(deploy.trust).toEqual(trust(`repo:kestrel/kestrel-platform:environment:customers-${env}`));
    expect(plan.role.values.tags).toEqual({ service: 'customers', owner: 'customer-experience' });
  });

  it('limits each role to its own state key: the plan reads, the deploy writes, both take the lock file', () => {
    // prepare
    const json = synth(env);
    const bucket = `arn:aws:s3:::${config.stateBucket}`;
    const own = `${bucket}/${env}/customers/terraform.tfstate`;
    const other = `${bucket}/${env}/identity/terraform.tfstate`;
    const plan = roleNamed(json, `kestrel-${env}-customers-plan`).policy;
    const deploy = roleNamed(json, `kestrel-${env}-customers-deploy`).policy;

    // assess
    expect(allows(plan, 's3:GetObject', own)).toBe(true);
    expect(allows(plan, 's3:PutObject', own)).toBe(false);
    expect(allows(plan, 's3:PutObject', `${own}.tflock`)).toBe(true);
    expect(allows(deploy, 's3:PutObject', own)).toBe(true);
    expect(allows(deploy, 's3:DeleteObject', `${own}.tflock`)).toBe(true);
    for (const policy of [plan, deploy]) {
      expect(allows(policy, 's3:GetObject', other)).toBe(false);
      expect(allows(policy, 's3:PutObject', `${other}.tflock`)).toBe(false);
      expect(statement(policy, 'ListOwnStatePrefix').Condition).toEqual({ StringLike: { 's3:prefix': [`${env}/customers/*`] } });
      expect(statement(policy, 'UseStateKeyThroughS3')).toMatchObject({
        Resource: reference(onlyResourceOfType(json, 'aws_kms_key').address, 'arn'),
        Condition: { StringEquals: { 'kms:ViaService': `s3.${config.region}.amazonaws.com` } },
      });
    }
  });

  it('lets a deploy manage only its own resources, by name prefix or service tag', () => {
    // prepare
    const json = synth(env);
    const deploy = roleNamed(json, `kestrel-${env}-customers-deploy`).policy;
    const { accountId: account, region } = config;

    // assess
    expect(allows(deploy, 'dynamodb:CreateTable', `arn:aws:dynamodb:${region}:${account}:table/kestrel-${env}-customers-table`)).toBe(true);
    expect(allows(deploy, 'dynamodb:DeleteTable', `arn:aws:dynamodb:${region}:${account}:table/kestrel-${env}-identity-table`)).toBe(false);
    expect(allows(deploy, 'lambda:UpdateFunctionCode', `arn:aws:lambda:${region}:${account}:function:kestrel-${env}-customers-http-get`)).toBe(true);
    expect(allows(deploy, 'lambda:UpdateFunctionCode', `arn:aws:lambda:${region}:${account}:function:kestrel-${env}-catalog-http-get`)).toBe(false);
    expect(allows(deploy, 'events:PutRule', `arn:aws:events:${region}:${account}:rule/kestrel-${env}-bus/kestrel-${env}-customers-on-x`)).toBe(true);
    expect(allows(deploy, 'ssm:PutParameter', `arn:aws:ssm:${region}:${account}:parameter/kestrel/${env}/customers/x`)).toBe(true);
    expect(allows(deploy, 'ssm:PutParameter', `arn:aws:ssm:${region}:${account}:parameter/kestrel/${env}/platform/event-bus-arn`)).toBe(false);
    expect(statement(deploy, 'ManageOwnTaggedResources').Condition).toEqual({ StringEquals: { 'aws:ResourceTag/service': 'customers' } });
    expect(statement(deploy, 'CreateTaggedResources').Condition).toEqual({ StringEquals: { 'aws:RequestTag/service': 'customers' } });
    expect(statement(deploy, 'PassOwnRolesToServices').Resource).toBe(`arn:aws:iam::${account}:role/kestrel-${env}-customers-*`);
  });

  it('keeps the deploy role away from data, escalation and the pipeline roles themselves', () => {
    // prepare
    const deploy = roleNamed(synth(env), `kestrel-${env}-customers-deploy`).policy;
    const { accountId: account, region } = config;
    const table = `arn:aws:dynamodb:${region}:${account}:table/kestrel-${env}-customers-table`;

    // assess
    expect(allows(deploy, 'dynamodb:Scan', table)).toBe(false);
    expect(allows(deploy, 'dynamodb:GetItem', table)).toBe(false);
    expect(allows(deploy, 'iam:AttachRolePolicy', `arn:aws:iam::${account}:role/kestrel-${env}-customers-fn`)).toBe(false);
    expect(allows(deploy, 'iam:PutRolePolicy', `arn:aws:iam::${account}:role/kestrel-${env}-customers-fn`)).toBe(false);
    expect(
      decide({ account, policy: deploy }, { action: 'iam:PutRolePolicy', resource: `arn:aws:iam::${account}:role/kestrel-${env}-customers-fn`, context: { 'iam:PermissionsBoundary': serviceRoleBoundaryArn(config, 'customers') } }),
    ).toBe('allow');
    expect(allows(deploy, 'iam:PutRolePolicy', `arn:aws:iam::${account}:role/kestrel-pipeline/kestrel-${env}-customers-deploy`)).toBe(false);
    expect(allows(deploy, 'iam:CreateUser', '*')).toBe(false);
  });

  it('gives the plan role metadata reads only', () => {
    // prepare
    const plan = roleNamed(synth(env), `kestrel-${env}-customers-plan`).policy;
    const { accountId: account, region } = config;
    const table = `arn:aws:dynamodb:${region}:${account}:table/kestrel-${env}-customers-table`;

    // assess
    expect(allows(plan, 'dynamodb:DescribeTable', table)).toBe(true);
    expect(allows(plan, 'dynamodb:GetItem', table)).toBe(false);
    expect(allows(plan, 'dynamodb:UpdateTable', table)).toBe(false);
    expect(allows(plan, 'lambda:GetFunction', `arn:aws:lambda:${region}:${account}:function:kestrel-${env}-customers-f`)).toBe(true);
    expect(allows(plan, 'lambda:UpdateFunctionCode', `arn:aws:lambda:${region}:${account}:function:kestrel-${env}-customers-f`)).toBe(false);
    expect(allows(plan, 's3:GetObject', `arn:aws:s3:::kestrel-${env}-customers-exports/some/object`)).toBe(false);
    const writes = plan.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action).filter((a) => /:(Create|Put|Update|Delete|Tag)/.test(a));
    expect(writes).toEqual(['s3:PutObject', 's3:DeleteObject']);
  });

  it('gives the platform its bus, which is not under its name prefix', () => {
    // act
    const arns = ownedResourceArns({ env: config, service: 'platform', stateKeyArn: 'k' });

    // assess
    expect(arns).toContain(`arn:aws:events:${config.region}:${config.accountId}:event-bus/kestrel-${env}-bus`);
    expect(ownedResourceArns({ env: config, service: 'customers', stateKeyArn: 'k' }).some((arn) => arn.endsWith('event-bus/kestrel-' + env + '-bus'))).toBe(false);
  });

  it('keeps every inline policy under the IAM limit of 10,240 characters, and each boundary under the managed-policy limit of 6,144, for the longest service name', () => {
    // act
    const json = synthStack(new BootstrapStack(testApp(), { env: config, services: [...services, { name: 'analytics-ingest', owner: 'data' }] }));
    const policies = resourcesOfType(json, 'aws_iam_role_policy').map((p) => (p.values.policy as string).length);
    const boundaries = resourcesOfType(json, 'aws_iam_policy').map((p) => (p.values.policy as string).length);
    expect(Math.max(...boundaries)).toBeLessThan(6_144);

    // assess
    expect(Math.max(...policies)).toBeLessThan(10_240);
  });
});

describe('bootstrap inputs', () => {
  it('refuses an empty or duplicated service list, naming the problem', () => {
    // act
    const attempt = (list: typeof services) => () => new BootstrapStack(testApp(), { env: environment('staging'), services: list });

    // assess
    expect(attempt([])).toThrow('services: at least one service is needed');
    expect(attempt([PLATFORM_SERVICE, PLATFORM_SERVICE])).toThrow('services: "platform" appears more than once');
  });

  it('derives its services from the apps/*/service.ts manifests, plus the platform', async () => {
    // prepare
    const withManifest = readdirSync(`${repoRoot}/apps`, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && readdirSync(`${repoRoot}/apps/${entry.name}`).includes('service.ts'))
      .map((entry) => entry.name);

    // act
    const discovered = await discoverServices(repoRoot);

    // assess
    expect(discovered.map((s) => s.name)).toEqual([...withManifest, 'platform'].sort());
    expect(discovered.every((s) => s.owner.length > 0)).toBe(true);
  });

  it('declares the same Terraform targets in cdktf.json as the app', () => {
    // act
    const cdktfJson = JSON.parse(readFileSync(new URL('../cdktf.json', import.meta.url), 'utf8')) as { targetVersions?: unknown };

    // assess
    expect(cdktfJson.targetVersions).toEqual(TERRAFORM_TARGET_VERSIONS);
  });
});

describe.each(ENVIRONMENT_NAMES)('escalation paths of findings 1 and 2 (%s), decided on the synthesized policies', (env) => {
  const config = environment(env);
  const json = synthStack(new BootstrapStack(testApp(), { env: config, services: [PLATFORM_SERVICE, { name: 'catalog', owner: 'team-catalog' }, { name: 'identity', owner: 'team-identity' }] }));
  const boundaryPolicy = resourcesOfType(json, 'aws_iam_policy').find((p) => p.values.name === `kestrel-${env}-catalog-boundary`);
  const boundary = JSON.parse(String(boundaryPolicy?.values.policy)) as PolicyDocument;
  const principals = {
    deploy: { account: config.accountId, policy: roleNamed(json, `kestrel-${env}-catalog-deploy`).policy },
    plan: { account: config.accountId, policy: roleNamed(json, `kestrel-${env}-catalog-plan`).policy },
    // A role the deploy wrote with `*` on `*`: only its boundary holds it.
    'created-role': { account: config.accountId, policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, boundary },
  };

  it.each(escalationCases(config).map((c) => [`${c.finding}: ${c.principal} — ${c.step}`, c] as const))('%s', (_name, escalation) => {
    // act
    const decision = decide(principals[escalation.principal], escalation.request);

    // assess
    if (escalation.expected === 'denied') expect(decision).not.toBe('allow');
    else expect(decision).toBe(escalation.expected);
  });

  it('creates each boundary under the pipeline path, where no deploy role reaches', () => {
    // assess
    expect(boundaryPolicy?.values).toMatchObject({ name: `kestrel-${env}-catalog-boundary`, path: '/kestrel-pipeline/' });
    expect(resourcesOfType(json, 'aws_iam_policy').map((p) => p.values.name).sort()).toEqual(
      ['catalog', 'identity', 'platform'].map((s) => `kestrel-${env}-${s}-boundary`),
    );
  });

  it('lets no boundary allow IAM, STS or any control-plane write', () => {
    // act
    const actions = boundary.Statement.flatMap((s) => s.Action);

    // assess
    expect(actions.filter((a) => /^(iam|sts|organizations|account):/.test(a) || a === '*' || a.endsWith(':*'))).toEqual([]);
    expect(actions.filter((a) => /:(Create(?!LogStream)|Delete(?!Item|Message)|Put(?!Item|Object|Events|Record|LogEvents|TraceSegments|TelemetryRecords)|Update(?!Item)|Tag|Untag|Attach)/.test(a))).toEqual([]);
  });
});
