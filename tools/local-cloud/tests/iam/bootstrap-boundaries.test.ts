/**
 * Permissions boundaries bootstrap creates, evaluated locally: with the
 * synthesized bootstrap stack applied (its boundary policies become local
 * managed policies; the stack's account is read as the local one), a service
 * role naming its boundary is judged by it, so a grant wider than the
 * boundary is refused as in AWS, and the role shows no `unknownBoundary`.
 * Needs `nx run bootstrap:synth` (the platform stack tests need their synth alike).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createDynamoDbModule } from '../../src/services/dynamodb';
import { createS3Module } from '../../src/services/s3';
import { createStsModule } from '../../src/services/sts';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const BOOTSTRAP = join(repoRoot, 'infra', 'bootstrap', 'cdktf.out', 'stacks', 'bootstrap-staging');
const STAGING_ACCOUNT = '111111111111';
const ACCOUNT = '000000000000';
const ADMIN = { accessKeyId: 'local', secretAccessKey: 'local' };
const ROLE = 'kestrel-staging-identity-too-wide';

/** A role of the identity service, as a service stack writes it, whose own policy grants more than its boundary. */
function writeServiceStack(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const table = (name: string) => ({ name, billing_mode: 'PAY_PER_REQUEST', hash_key: 'pk', attribute: [{ name: 'pk', type: 'S' }] });
  const terraform = {
    provider: { aws: [{ region: 'eu-west-1', allowed_account_ids: [STAGING_ACCOUNT], default_tags: [{ tags: { service: 'identity', env: 'staging' } }] }] },
    resource: {
      aws_dynamodb_table: { own: table('kestrel-staging-identity-things'), other: { ...table('kestrel-staging-catalog-things'), tags: { service: 'catalog' } } },
      aws_iam_role: {
        // Reads any table tagged as its service's, as the boundaries admit the user pool and keys.
        tagged: {
          name: 'tag-reader',
          assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
          inline_policy: [
            { name: 'by-tag', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'OwnByTag', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/service': 'identity' } } }] }) },
          ],
        },
        wide: {
          name: ROLE,
          assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
          permissions_boundary: `arn:aws:iam::${STAGING_ACCOUNT}:policy/kestrel-pipeline/kestrel-staging-identity-boundary`,
          inline_policy: [{ name: 'too-wide', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'AnyTable', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: '*' }] }) }],
        },
      },
    },
  };
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(terraform));
}

describe('permissions boundaries from bootstrap', () => {
  let root: string;
  let cloud: LocalCloud;
  let session: AwsCredentialIdentity;

  beforeAll(async () => {
    if (!existsSync(join(BOOTSTRAP, 'cdk.tf.json'))) throw new Error(`${BOOTSTRAP} is missing: run npx nx run bootstrap:synth`);
    root = mkdtempSync(join(tmpdir(), 'bootstrap-boundaries-'));
    writeServiceStack(join(root, 'identity-staging'));
    cloud = await startLocalCloud({ inMemory: true, dataDir: join(root, 'data'), iam: 'enforce', modules: [createDynamoDbModule, createS3Module, createStsModule] });
    await cloud.applyStacks([BOOTSTRAP, join(root, 'identity-staging')]);
    const sts = new STSClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: ADMIN });
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`, RoleSessionName: 'test' }));
    session = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the role names the boundary bootstrap applied: known, in the local account', async () => {
    const roles = ((await cloud.state()).iam as { roles: Array<Record<string, unknown>> }).roles;
    const role = roles.find((candidate) => candidate.name === ROLE);
    expect(role).toMatchObject({ permissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/kestrel-pipeline/kestrel-staging-identity-boundary` });
    expect(role).not.toHaveProperty('unknownBoundary');
  });

  it('within the boundary the grant works; beyond it the call is refused naming the boundary', async () => {
    const ddb = new DynamoDBClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: session, maxAttempts: 1 });
    await ddb.send(new PutItemCommand({ TableName: 'kestrel-staging-identity-things', Item: { pk: { S: 'a' } } }));
    await expect(ddb.send(new PutItemCommand({ TableName: 'kestrel-staging-catalog-things', Item: { pk: { S: 'a' } } }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/test is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/kestrel-staging-catalog-things because no permissions boundary allows the dynamodb:PutItem action`,
    });
  });

  it('aws:ResourceTag/<key> is the resource’s tags: the provider’s default_tags, its own tags over them', async () => {
    const sts = new STSClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: ADMIN });
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/tag-reader`, RoleSessionName: 'test' }));
    const credentials = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
    const ddb = new DynamoDBClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials, maxAttempts: 1 });
    await ddb.send(new GetItemCommand({ TableName: 'kestrel-staging-identity-things', Key: { pk: { S: 'a' } } }));
    await expect(ddb.send(new GetItemCommand({ TableName: 'kestrel-staging-catalog-things', Key: { pk: { S: 'a' } } }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
