/**
 * IAM through the edge with the real SDK: a role assumed through STS (or given
 * to a Lambda function) can do exactly what the applied stack grants it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, FinalizeRequestMiddleware } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../src/cloud';
import { buildFixtureStack } from '../lambda/support';
import type { FixtureStack } from '../lambda/support';
import { startEnforcedFixtureCloud } from './support';

const ADMIN = { accessKeyId: 'local', secretAccessKey: 'local' };
const ACCOUNT = '000000000000';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/orders-handler`;

/** A queue policy letting EventBridge send for one rule, as the stacks write them. */
const queuePolicy = (queueArn: string, ruleArn: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'OnlyItsRule', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } } }],
  });

/** A service stack as cdktn synthesizes it: its own table and queue, another service's table, a role granting its own. */
function writeStack(stack: FixtureStack): void {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'WriteOrders', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: ['${aws_dynamodb_table.orders.arn}'] },
      { Sid: 'SendToOwnQueue', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: ['${aws_sqs_queue.orders.arn}'] },
      { Sid: 'PublishOwnEvents', Effect: 'Allow', Action: ['events:PutEvents'], Resource: ['${aws_cloudwatch_event_bus.bus.arn}'], Condition: { StringEquals: { 'events:source': 'kestrel.orders' } } },
    ],
  };
  const table = (name: string) => ({ name, billing_mode: 'PAY_PER_REQUEST', hash_key: 'pk', attribute: [{ name: 'pk', type: 'S' }] });
  const terraform = {
    resource: {
      aws_dynamodb_table: { orders: table('orders'), billing: table('billing') },
      aws_sqs_queue: { orders: { name: 'orders-out' }, billing: { name: 'billing-in' }, closed: { name: 'closed-target' }, dlq: { name: 'placed-dlq' } },
      aws_cloudwatch_event_bus: { bus: { name: 'kestrel-bus' } },
      aws_cloudwatch_event_rule: {
        placed: { name: 'order-placed', event_bus_name: '${aws_cloudwatch_event_bus.bus.name}', event_pattern: JSON.stringify({ source: ['kestrel.orders'] }) },
      },
      aws_cloudwatch_event_target: {
        closed: {
          rule: '${aws_cloudwatch_event_rule.placed.name}',
          event_bus_name: '${aws_cloudwatch_event_bus.bus.name}',
          target_id: 'closed',
          arn: '${aws_sqs_queue.closed.arn}',
          dead_letter_config: { arn: '${aws_sqs_queue.dlq.arn}' },
        },
      },
      // The target queue admits another rule only; the dead-letter queue admits this one.
      aws_sqs_queue_policy: {
        closed: { queue_url: '${aws_sqs_queue.closed.url}', policy: queuePolicy('${aws_sqs_queue.closed.arn}', 'arn:aws:events:eu-west-1:000000000000:rule/kestrel-bus/another-rule') },
        dlq: { queue_url: '${aws_sqs_queue.dlq.url}', policy: queuePolicy('${aws_sqs_queue.dlq.arn}', '${aws_cloudwatch_event_rule.placed.arn}') },
      },
      aws_iam_role: {
        handler: {
          name: 'orders-handler',
          assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
        },
        partner: {
          name: 'partner',
          assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: 'sts:AssumeRole' }] }),
        },
      },
      aws_iam_role_policy: { handler: { name: 'grants', role: '${aws_iam_role.handler.id}', policy: JSON.stringify(policy) } },
      aws_lambda_function: {
        sender: {
          function_name: 'orders-sender',
          handler: 'index.handler',
          runtime: 'nodejs24.x',
          filename: stack.zipAsset,
          role: '${aws_iam_role.handler.arn}',
          environment: { variables: { QUEUE_URL: '${aws_sqs_queue.orders.url}' } },
        },
        stranger: {
          function_name: 'billing-sender',
          handler: 'index.handler',
          runtime: 'nodejs24.x',
          filename: stack.zipAsset,
          role: '${aws_iam_role.handler.arn}',
          environment: { variables: { QUEUE_URL: '${aws_sqs_queue.billing.url}' } },
        },
      },
    },
  };
  writeFileSync(join(stack.stackDir, 'cdk.tf.json'), JSON.stringify(terraform));
}

describe('IAM at the edge', () => {
  let stack: FixtureStack;
  let cloud: LocalCloud;
  let admin: STSClient;
  let role: AwsCredentialIdentity;
  const client = <T>(Client: new (config: object) => T, credentials: AwsCredentialIdentity = role): T =>
    new Client({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials, maxAttempts: 1 });

  beforeAll(async () => {
    stack = await buildFixtureStack({ entry: 'sdk' });
    writeStack(stack);
    cloud = await startEnforcedFixtureCloud(stack);
    admin = client(STSClient, ADMIN);
    const assumed = await admin.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'developer' }));
    const credentials = assumed.Credentials!;
    role = { accessKeyId: credentials.AccessKeyId!, secretAccessKey: credentials.SecretAccessKey!, sessionToken: credentials.SessionToken! };
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
    stack?.cleanup();
  });

  it('GetCallerIdentity: the developer is the local administrator, an assumed role its session', async () => {
    expect(await admin.send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` });
    expect(await client(STSClient).send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/orders-handler/developer`,
      UserId: expect.stringMatching(/^AROA\w+:developer$/),
    });
  });

  it('the role reads and writes its own table exactly as granted', async () => {
    const ddb = client(DynamoDBClient);
    await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'o-1' } } }));
    expect((await ddb.send(new GetItemCommand({ TableName: 'orders', Key: { pk: { S: 'o-1' } } }))).Item).toEqual({ pk: { S: 'o-1' } });
    await expect(ddb.send(new DeleteItemCommand({ TableName: 'orders', Key: { pk: { S: 'o-1' } } }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/orders-handler/developer is not authorized to perform: dynamodb:DeleteItem on resource: arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/orders because no identity-based policy allows the dynamodb:DeleteItem action`,
    });
  });

  it("another service's table is denied", async () => {
    await expect(client(DynamoDBClient).send(new GetItemCommand({ TableName: 'billing', Key: { pk: { S: 'x' } } }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('PutEvents with a source the role does not own is denied', async () => {
    const events = client(EventBridgeClient);
    const entry = { EventBusName: 'kestrel-bus', DetailType: 'OrderPlaced', Detail: '{}' };
    expect((await events.send(new PutEventsCommand({ Entries: [{ ...entry, Source: 'kestrel.orders' }] }))).FailedEntryCount).toBe(0);
    await expect(events.send(new PutEventsCommand({ Entries: [{ ...entry, Source: 'kestrel.billing' }] }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('a request signed with the wrong secret is refused with AWS’s error, per protocol', async () => {
    const wrong = { ...role, secretAccessKey: `${role.secretAccessKey}x` };
    await expect(client(DynamoDBClient, wrong).send(new GetItemCommand({ TableName: 'orders', Key: { pk: { S: 'o-1' } } }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringMatching(/^The request signature we calculated does not match the signature you provided/),
    });
    await expect(client(STSClient, wrong).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
  });

  it('a request tampered with after signing is refused', async () => {
    const ddb = client(DynamoDBClient);
    // Runs right after the SDK signed the request: the body no longer matches the signature.
    const tamper: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
      const request = args.request as { body?: unknown };
      const text = typeof request.body === 'string' ? request.body : Buffer.from(request.body as Uint8Array).toString('utf8');
      request.body = text.replace('o-1', 'o-2');
      return next(args);
    };
    ddb.middlewareStack.addRelativeTo(tamper, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamperAfterSigning' });
    await expect(ddb.send(new GetItemCommand({ TableName: 'orders', Key: { pk: { S: 'o-1' } } }))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });

  it('a session key the local cloud never issued (or a wrong token) is refused', async () => {
    await expect(client(DynamoDBClient, { ...role, accessKeyId: 'ASIALCNOTISSUED000000' }).send(new GetItemCommand({ TableName: 'orders', Key: { pk: { S: 'x' } } }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    await expect(client(DynamoDBClient, { ...role, sessionToken: 'forged' }).send(new GetItemCommand({ TableName: 'orders', Key: { pk: { S: 'x' } } }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
  });

  it('AssumeRole by a session follows the trust policy', async () => {
    const sts = client(STSClient);
    const partner = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/partner`, RoleSessionName: 'chained' }));
    expect(partner.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/partner/chained`);
    // orders-handler trusts only lambda.amazonaws.com: a session of it cannot assume it again.
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'again' }))).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  });

  it('a Lambda function acts as its execution role', async () => {
    const lambda = client(LambdaClient, ADMIN);
    const own = await lambda.send(new InvokeCommand({ FunctionName: 'orders-sender', Payload: JSON.stringify({ text: 'hello' }) }));
    expect(own.FunctionError).toBeUndefined();
    const messages = await client(SQSClient, ADMIN).send(new ReceiveMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/orders-out`, WaitTimeSeconds: 1 }));
    expect(messages.Messages?.map((message) => message.Body)).toEqual(['hello']);

    const other = await lambda.send(new InvokeCommand({ FunctionName: 'billing-sender', Payload: JSON.stringify({ text: 'hello' }) }));
    expect(other.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(other.Payload!).toString())).toMatchObject({
      errorMessage: expect.stringContaining(`is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:eu-west-1:${ACCOUNT}:billing-in`),
    });
  }, 60_000);

  it('a queue whose policy does not admit a rule gets nothing; the rule’s dead-letter queue (which admits it) gets the event', async () => {
    const sqs = client(SQSClient, ADMIN);
    const events = client(EventBridgeClient, ADMIN);
    await events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'kestrel-bus', Source: 'kestrel.orders', DetailType: 'OrderPlaced', Detail: '{"orderId":"o-9"}' }] }));
    // The earlier PutEvents test's OrderPlaced (detail {}) matched the rule too.
    const dead: Message[] = [];
    const findNine = () => dead.find((message) => JSON.parse(message.Body!).detail.orderId === 'o-9');
    for (let attempt = 0; attempt < 10 && !findNine(); attempt++) {
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/placed-dlq`, WaitTimeSeconds: 1, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
      dead.push(...(received.Messages ?? []));
    }
    const nine = findNine();
    expect(nine?.MessageAttributes?.ERROR_CODE?.StringValue).toBe('NO_PERMISSIONS');
    const target = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/closed-target`, WaitTimeSeconds: 0 }));
    expect(target.Messages ?? []).toEqual([]);
    expect(cloud.iamDenials()).toContainEqual(
      expect.objectContaining({
        principal: 'events.amazonaws.com',
        action: 'sqs:SendMessage',
        resource: `arn:aws:sqs:eu-west-1:${ACCOUNT}:closed-target`,
        smallestAllowingStatement: { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:eu-west-1:${ACCOUNT}:closed-target`, Principal: { Service: 'events.amazonaws.com' } },
      }),
    );
  });

  it('every denial is recorded with the smallest statement that would allow it', async () => {
    const state = (await cloud.state()) as { iam: { mode: string; denials: Array<Record<string, unknown>> } };
    expect(state.iam.mode).toBe('enforce');
    expect(state.iam.denials).toContainEqual(
      expect.objectContaining({
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/orders-handler/billing-sender`,
        action: 'sqs:SendMessage',
        resource: `arn:aws:sqs:eu-west-1:${ACCOUNT}:billing-in`,
        outcome: 'ImplicitDeny',
        smallestAllowingStatement: { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:eu-west-1:${ACCOUNT}:billing-in` },
      }),
    );
    const logged = readFileSync(join(stack.root, 'data', 'logs', 'iam-denials.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { action: string });
    expect(logged.map((record) => record.action)).toEqual(expect.arrayContaining(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'events:PutEvents', 'sqs:SendMessage']));
  });

  it('an SQS call by the role follows its grants (query-compatible JSON protocol)', async () => {
    const sqs = client(SQSClient);
    await sqs.send(new SendMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/orders-out`, MessageBody: 'direct' }));
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/billing-in`, MessageBody: 'x' }))).rejects.toMatchObject({ name: expect.stringMatching(/^AccessDenied/) });
  });
});
