/**
 * Resource policies at the edge, with the real SDK and sessions of applied
 * roles: an SQS queue's `Policy`, an S3 bucket policy and a function's
 * `aws_lambda_permission`s are evaluated with the caller's identity policies as
 * AWS does within one account: their `Deny` wins over an identity grant, their
 * `Allow` naming a role grants alone. `aws:SecureTransport` is true for calls
 * from this machine and false for a call that crossed a network in clear text.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { secureTransport } from '../../src/iam/authorizer';
import { lambdaModuleFactory } from '../../src/services/lambda';
import { createS3Module } from '../../src/services/s3';
import { createSqsModule } from '../../src/services/sqs';
import { createStsModule } from '../../src/services/sts';
import { buildFixtureStack } from '../lambda/support';
import type { FixtureStack } from '../lambda/support';

const ADMIN = { accessKeyId: 'local', secretAccessKey: 'local' };
const ACCOUNT = '000000000000';
const REGION = 'eu-west-1';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const trustLambda = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

function writeStack(stack: FixtureStack): void {
  const workerGrants = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'SendToQueues', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: ['${aws_sqs_queue.locked.arn}', '${aws_sqs_queue.open.arn}'] },
      { Sid: 'UseBucket', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: '${aws_s3_bucket.lake.arn}/*' },
    ],
  };
  const terraform = {
    provider: { aws: [{ region: REGION }] },
    resource: {
      aws_iam_role: { worker: { name: 'worker', assume_role_policy: trustLambda }, reader: { name: 'reader', assume_role_policy: trustLambda } },
      aws_iam_role_policy: { worker: { name: 'grants', role: '${aws_iam_role.worker.id}', policy: JSON.stringify(workerGrants) } },
      aws_sqs_queue: { locked: { name: 'locked' }, open: { name: 'open' } },
      aws_sqs_queue_policy: {
        // The worker's own grant allows sending here; the queue's Deny wins.
        locked: {
          queue_url: '${aws_sqs_queue.locked.url}',
          policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'NotTheWorker', Effect: 'Deny', Principal: { AWS: role('worker') }, Action: 'sqs:SendMessage', Resource: '${aws_sqs_queue.locked.arn}' }] }),
        },
        // The reader has no identity grant at all; the queue's Allow naming its role is enough within the account.
        open: {
          queue_url: '${aws_sqs_queue.open.url}',
          policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'ReaderSends', Effect: 'Allow', Principal: { AWS: role('reader') }, Action: 'sqs:SendMessage', Resource: '${aws_sqs_queue.open.arn}' }] }),
        },
      },
      aws_s3_bucket: { lake: { bucket: 'policy-lake' } },
      aws_s3_bucket_policy: {
        lake: {
          bucket: '${aws_s3_bucket.lake.id}',
          policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Sid: 'DenyPlainHttp', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['${aws_s3_bucket.lake.arn}', '${aws_s3_bucket.lake.arn}/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
              { Sid: 'SealedPrefix', Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: '${aws_s3_bucket.lake.arn}/sealed/*' },
            ],
          }),
        },
      },
      aws_lambda_function: { fn: { function_name: 'policy-fn', handler: 'index.handler', runtime: 'nodejs24.x', filename: stack.zipAsset, role: '${aws_iam_role.worker.arn}' } },
      aws_lambda_permission: { reader: { statement_id: 'ReaderInvokes', action: 'lambda:InvokeFunction', function_name: '${aws_lambda_function.fn.function_name}', principal: role('reader') } },
    },
  };
  writeFileSync(join(stack.stackDir, 'cdk.tf.json'), JSON.stringify(terraform));
}

describe('resource policies at the edge', () => {
  let stack: FixtureStack;
  let cloud: LocalCloud;
  const sessions: Record<string, AwsCredentialIdentity> = {};
  const client = <T>(Client: new (config: object) => T, credentials: AwsCredentialIdentity): T =>
    new Client({ endpoint: cloud.endpoint, region: REGION, credentials, maxAttempts: 1, forcePathStyle: true });

  beforeAll(async () => {
    stack = await buildFixtureStack();
    writeStack(stack);
    cloud = await startLocalCloud({
      inMemory: true,
      dataDir: join(stack.root, 'data'),
      iam: 'enforce',
      modules: [createSqsModule, createS3Module, lambdaModuleFactory({ runtimes: { fetchMissing: true } }), createStsModule],
    });
    await cloud.applyStacks([stack.stackDir]);
    for (const name of ['worker', 'reader']) {
      const { Credentials } = await client(STSClient, ADMIN).send(new AssumeRoleCommand({ RoleArn: role(name), RoleSessionName: 'test' }));
      sessions[name] = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
    }
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
    stack?.cleanup();
  });

  it("a queue policy's Deny wins over the caller's identity grant", async () => {
    const sqs = client(SQSClient, sessions.worker!);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/locked`, MessageBody: 'x' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/worker/test is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:${REGION}:${ACCOUNT}:locked with an explicit deny in a resource-based policy`,
    });
    expect(cloud.iamDenials().at(-1)).toMatchObject({ outcome: 'ExplicitDeny', decidingStatements: [{ policy: 'queue locked (Policy)', statement: 'Sid "NotTheWorker"' }] });
    expect((await sqs.send(new SendMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/open`, MessageBody: 'x' }))).MessageId).toEqual(expect.any(String));
  });

  it("a queue policy's Allow naming a role grants alone within the account", async () => {
    const sqs = client(SQSClient, sessions.reader!);
    expect((await sqs.send(new SendMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/open`, MessageBody: 'x' }))).MessageId).toEqual(expect.any(String));
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/locked`, MessageBody: 'x' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('a bucket policy: its TLS-only deny spares calls from this machine, its other Deny holds', async () => {
    const s3 = client(S3Client, sessions.worker!);
    await s3.send(new PutObjectCommand({ Bucket: 'policy-lake', Key: 'open/a.json', Body: '{}' }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket: 'policy-lake', Key: 'open/a.json' }))).Body?.transformToString()).toBe('{}');
    await s3.send(new PutObjectCommand({ Bucket: 'policy-lake', Key: 'sealed/b.json', Body: '{}' }));
    await expect(s3.send(new GetObjectCommand({ Bucket: 'policy-lake', Key: 'sealed/b.json' }))).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(cloud.iamDenials().at(-1)).toMatchObject({ action: 's3:GetObject', decidingStatements: [{ policy: 'bucket policy-lake (policy)', statement: 'Sid "SealedPrefix"' }] });
  });

  it('aws:SecureTransport: true from this machine, false from another (a device on the LAN reaching the edge in clear text)', () => {
    expect(secureTransport(undefined)).toBe('true');
    expect(secureTransport('127.0.0.1')).toBe('true');
    expect(secureTransport('::ffff:127.0.0.1')).toBe('true');
    expect(secureTransport('::1')).toBe('true');
    expect(secureTransport('192.0.2.10')).toBe('false');
    const iam = cloud.context.iam!;
    const session = iam.sessionForRole(role('worker'), 'lan-device');
    const put = { action: 's3:PutObject', resource: 'arn:aws:s3:::policy-lake/open/c.json' };
    expect(iam.decide(session, put, { region: REGION }, '127.0.0.1').decision.allowed).toBe(true);
    expect(iam.decide(session, put, { region: REGION }, '192.0.2.10').decision).toMatchObject({ outcome: 'ExplicitDeny', decidingStatements: [{ statement: 'Sid "DenyPlainHttp"' }] });
  });

  it("a function's permission naming a role lets that role invoke it; a role with neither grant nor permission is denied", async () => {
    const invoked = await client(LambdaClient, sessions.reader!).send(new InvokeCommand({ FunctionName: 'policy-fn', Payload: JSON.stringify({ action: 'echo' }) }));
    expect(invoked.StatusCode).toBe(200);
    await expect(client(LambdaClient, sessions.worker!).send(new InvokeCommand({ FunctionName: 'policy-fn', Payload: '{}' }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
  });
});
