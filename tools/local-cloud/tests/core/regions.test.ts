/**
 * Regions through the edge with the real SDK: resources live in their stack's
 * provider region (the local cloud's one region, eu-west-1 by default); ARNs,
 * answers and a function's environment carry it; a call signed for another
 * region sees a region with nothing in it, each service answering with its own
 * not-found error or an empty list; a stack of another region is refused at apply.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand, DescribeRuleCommand, EventBridgeClient, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionCommand, InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DescribeParametersCommand, GetParameterCommand, GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../src/cloud';
import { buildFixtureStack } from '../lambda/support';
import type { FixtureStack } from '../lambda/support';
import { startEnforcedFixtureCloud } from '../iam/support';
import { AWS_CLI_SKIP_REASON, awsCli, awsCliInstalled } from '../support/aws-cli';

const ADMIN = { accessKeyId: 'local', secretAccessKey: 'local' };
const ACCOUNT = '000000000000';
const HOME = 'eu-west-1';
const ELSEWHERE = 'us-east-1';

function writeStack(stack: FixtureStack, region: string, dir = stack.stackDir): void {
  mkdirSync(dir, { recursive: true });
  const terraform = {
    provider: { aws: [{ region, allowed_account_ids: [ACCOUNT] }] },
    resource: {
      aws_dynamodb_table: { orders: { name: 'orders', billing_mode: 'PAY_PER_REQUEST', hash_key: 'pk', attribute: [{ name: 'pk', type: 'S' }] } },
      aws_sqs_queue: { orders: { name: 'orders-in' } },
      aws_cloudwatch_event_bus: { bus: { name: 'kestrel-bus' } },
      aws_ssm_parameter: { name: { name: '/kestrel/bus-name', type: 'String', value: 'kestrel-bus' } },
      aws_iam_role: {
        fn: {
          name: 'regional-fn',
          assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
        },
      },
      aws_lambda_function: {
        fn: { function_name: 'regional-fn', handler: 'index.handler', runtime: 'nodejs24.x', filename: stack.zipAsset, role: '${aws_iam_role.fn.arn}' },
      },
    },
  };
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(terraform));
}

describe('regions', () => {
  let stack: FixtureStack;
  let cloud: LocalCloud;
  const client = <T>(Client: new (config: object) => T, region: string): T => new Client({ endpoint: cloud.endpoint, region, credentials: ADMIN, maxAttempts: 1 });

  beforeAll(async () => {
    stack = await buildFixtureStack();
    writeStack(stack, HOME);
    cloud = await startEnforcedFixtureCloud(stack);
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
    stack?.cleanup();
  });

  it('runs the stacks’ provider region, eu-west-1, by default, and says so in /_local/state', async () => {
    expect(cloud.context.region).toBe(HOME);
    expect(await cloud.state()).toMatchObject({ region: HOME });
    expect(cloud.stacks()[0]?.providerRegion).toBe(HOME);
  });

  it('resources live in that region: ARNs and answers carry it', async () => {
    const table = await client(DynamoDBClient, HOME).send(new DescribeTableCommand({ TableName: 'orders' }));
    expect(table.Table?.TableArn).toBe(`arn:aws:dynamodb:${HOME}:${ACCOUNT}:table/orders`);
    const sqs = client(SQSClient, HOME);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders-in' }));
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn).toBe(`arn:aws:sqs:${HOME}:${ACCOUNT}:orders-in`);
    expect((await client(EventBridgeClient, HOME).send(new DescribeEventBusCommand({ Name: 'kestrel-bus' }))).Arn).toBe(`arn:aws:events:${HOME}:${ACCOUNT}:event-bus/kestrel-bus`);
    const fn = await client(LambdaClient, HOME).send(new GetFunctionCommand({ FunctionName: 'regional-fn' }));
    expect(fn.Configuration?.FunctionArn).toBe(`arn:aws:lambda:${HOME}:${ACCOUNT}:function:regional-fn`);
  });

  it('a function runs in its region (AWS_REGION, its ARN in the context)', async () => {
    const invoke = (action: object) => client(LambdaClient, HOME).send(new InvokeCommand({ FunctionName: 'regional-fn', Payload: JSON.stringify(action) }));
    const env = JSON.parse(Buffer.from((await invoke({ action: 'env', keys: ['AWS_REGION', 'AWS_DEFAULT_REGION'] })).Payload ?? []).toString('utf8')) as Record<string, string>;
    expect(env).toEqual({ AWS_REGION: HOME, AWS_DEFAULT_REGION: HOME });
  });

  it('a call signed for another region finds no table, queue, bus, function or parameter there', async () => {
    await expect(client(DynamoDBClient, ELSEWHERE).send(new DescribeTableCommand({ TableName: 'orders' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Requested resource not found: Table: orders not found',
    });
    await expect(client(DynamoDBClient, ELSEWHERE).send(new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'x' } } }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(client(SQSClient, ELSEWHERE).send(new GetQueueUrlCommand({ QueueName: 'orders-in' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    // A URL handed over from the queue's own region does not reach it from another.
    const { QueueUrl } = await client(SQSClient, HOME).send(new GetQueueUrlCommand({ QueueName: 'orders-in' }));
    await expect(client(SQSClient, ELSEWHERE).send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(client(EventBridgeClient, ELSEWHERE).send(new DescribeEventBusCommand({ Name: 'kestrel-bus' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Event bus kestrel-bus does not exist.',
    });
    await expect(client(LambdaClient, ELSEWHERE).send(new InvokeCommand({ FunctionName: 'regional-fn', Payload: '{}' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Function not found: arn:aws:lambda:${ELSEWHERE}:${ACCOUNT}:function:regional-fn`,
      $metadata: { httpStatusCode: 404 },
    });
    await expect(client(SSMClient, ELSEWHERE).send(new GetParameterCommand({ Name: '/kestrel/bus-name' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await expect(client(EventBridgeClient, ELSEWHERE).send(new DescribeRuleCommand({ Name: 'any-rule', EventBusName: 'kestrel-bus' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Rule any-rule does not exist on EventBus kestrel-bus.' });
  });

  it('lists in another region are empty; PutEvents there reaches only that region’s default bus', async () => {
    expect((await client(DynamoDBClient, ELSEWHERE).send(new ListTablesCommand({}))).TableNames).toEqual([]);
    expect((await client(DynamoDBClient, HOME).send(new ListTablesCommand({}))).TableNames).toEqual(['orders']);
    expect((await client(SQSClient, ELSEWHERE).send(new ListQueuesCommand({}))).QueueUrls).toBeUndefined();
    expect((await client(LambdaClient, ELSEWHERE).send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    expect((await client(EventBridgeClient, ELSEWHERE).send(new ListRulesCommand({ EventBusName: 'kestrel-bus' }))).Rules).toEqual([]);
    expect((await client(SSMClient, ELSEWHERE).send(new DescribeParametersCommand({}))).Parameters).toEqual([]);
    expect((await client(SSMClient, ELSEWHERE).send(new GetParametersByPathCommand({ Path: '/kestrel' }))).Parameters).toEqual([]);
    expect((await client(SSMClient, HOME).send(new GetParametersByPathCommand({ Path: '/kestrel' }))).Parameters).toHaveLength(1);
    const put = await client(EventBridgeClient, ELSEWHERE).send(
      new PutEventsCommand({ Entries: [{ EventBusName: 'kestrel-bus', Source: 'kestrel.orders', DetailType: 'X', Detail: '{}' }, { Source: 'kestrel.orders', DetailType: 'X', Detail: '{}' }] }),
    );
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries?.[0]).toEqual({ ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus kestrel-bus does not exist.' });
    expect(put.Entries?.[1]?.EventId).toEqual(expect.any(String));
  });

  it('between services, an SQS or Lambda ARN of another region or account names nothing of ours', () => {
    const { sqs, lambda } = cloud.context.peers;
    expect(sqs().queueExists(`arn:aws:sqs:${HOME}:${ACCOUNT}:orders-in`)).toBe(true);
    expect(sqs().queueExists(`arn:aws:sqs:${ELSEWHERE}:${ACCOUNT}:orders-in`)).toBe(false);
    expect(sqs().queueExists(`arn:aws:sqs:${HOME}:111111111111:orders-in`)).toBe(false);
    expect(lambda().functionExists(`arn:aws:lambda:${HOME}:${ACCOUNT}:function:regional-fn`)).toBe(true);
    expect(lambda().functionExists(`arn:aws:lambda:${ELSEWHERE}:${ACCOUNT}:function:regional-fn`)).toBe(false);
  });

  it('creating in another region is refused, naming the region to sign for', async () => {
    await expect(client(SQSClient, ELSEWHERE).send(new CreateQueueCommand({ QueueName: 'elsewhere' }))).rejects.toMatchObject({
      name: 'LocalCloudRegionNotServed',
      message: expect.stringContaining(`This local cloud runs one region, ${HOME}`),
    });
  });

  it('an assumed role asking another region is judged by IAM first (the ARN names that region)', async () => {
    const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const assumed = await client(STSClient, HOME).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/regional-fn`, RoleSessionName: 'dev' }));
    const credentials = { accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken! };
    const ddb = new DynamoDBClient({ endpoint: cloud.endpoint, region: ELSEWHERE, credentials, maxAttempts: 1 });
    await expect(ddb.send(new GetItemCommand({ TableName: 'orders', Key: { pk: { S: 'x' } } }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`on resource: arn:aws:dynamodb:${ELSEWHERE}:${ACCOUNT}:table/orders`),
    });
    expect(cloud.iamDenials().pop()).toMatchObject({ action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:${ELSEWHERE}:${ACCOUNT}:table/orders` });
  });

  it.skipIf(!awsCliInstalled)(`the AWS CLI (SQS query protocol) in another region gets the legacy not-found code ${awsCliInstalled ? '' : AWS_CLI_SKIP_REASON}`, async () => {
    const result = await awsCli(cloud.endpoint, ['sqs', 'get-queue-url', '--queue-name', 'orders-in', '--region', ELSEWHERE]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('AWS.SimpleQueueService.NonExistentQueue');
    expect(await awsCli(cloud.endpoint, ['sqs', 'get-queue-url', '--queue-name', 'orders-in'])).toMatchObject({ code: 0 });
  });

  it('a stack whose provider names another region is refused at apply', async () => {
    const dir = join(stack.root, 'stacks', 'elsewhere');
    writeStack(stack, ELSEWHERE, dir);
    await expect(cloud.applyStacks([dir])).rejects.toThrow(
      `Stack 'elsewhere': its AWS provider's region is ${ELSEWHERE}, but this local cloud runs ${HOME}; resources live in their provider's region, so start the local cloud in ${ELSEWHERE}`,
    );
  });
});
