/**
 * Services acting as their configured roles: a pipe reads its stream and puts
 * on its bus as its `role_arn`, judged by the role's policies like any caller.
 * One stack, one local cloud; each role differs from the working one by the
 * grant under test, so a missing grant fails the AWS way and is recorded.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribePipeCommand, PipesClient } from '@aws-sdk/client-pipes';
import { FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createDynamoDbModule } from '../../src/services/dynamodb';
import { createEventBridgeModule } from '../../src/services/eventbridge';
import { createFirehoseModule } from '../../src/services/firehose';
import { lambdaModuleFactory } from '../../src/services/lambda';
import type { LambdaModule } from '../../src/services/lambda';
import type { FirehoseModule } from '../../src/services/firehose';
import { pipesModuleFactory } from '../../src/services/pipes';
import type { PipesModule } from '../../src/services/pipes';
import { createS3Module } from '../../src/services/s3';
import { createSqsModule } from '../../src/services/sqs';
import { createStsModule } from '../../src/services/sts';
import { buildFixtureStack } from '../lambda/support';
import type { FixtureStack } from '../lambda/support';

const ACCOUNT = '000000000000';
const ADMIN = { accessKeyId: 'local', secretAccessKey: 'local' };
const BUS_ARN = `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/platform`;

const trust = (service: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const READ_STREAM = { Sid: 'ReadOutboxStream', Effect: 'Allow', Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'], Resource: '${aws_dynamodb_table.outbox.stream_arn}' };
const putEvents = (source: string) => ({ Sid: 'PutOwnEvents', Effect: 'Allow', Action: 'events:PutEvents', Resource: '${aws_cloudwatch_event_bus.platform.arn}', Condition: { StringEquals: { 'events:source': source } } });

const WRITE_LAKE = { Sid: 'WriteLake', Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:ListBucket', 's3:PutObject'], Resource: ['${aws_s3_bucket.lake.arn}', '${aws_s3_bucket.lake.arn}/*'] };

/** The outbox pipe as cdktn synthesizes it, one per role. */
const pipe = (name: string, role: string, deadLetterArn?: string) => ({
  name,
  role_arn: `\${aws_iam_role.${role}.arn}`,
  source: '${aws_dynamodb_table.outbox.stream_arn}',
  target: '${aws_cloudwatch_event_bus.platform.arn}',
  source_parameters: {
    dynamodb_stream_parameters: { starting_position: 'TRIM_HORIZON', batch_size: 10, maximum_retry_attempts: 1, ...(deadLetterArn ? { dead_letter_config: { arn: deadLetterArn } } : {}) },
  },
  target_parameters: {
    input_template: '<$.dynamodb.NewImage.detail.S>',
    eventbridge_event_bus_parameters: { source: 'kestrel.customers', detail_type: '$.dynamodb.NewImage.detailType.S' },
  },
});

/** The lake's delivery stream as the analytics-ingest stack declares it, one per role. */
const deliveryStream = (name: string, role: string) => ({
  name,
  destination: 'extended_s3',
  extended_s3_configuration: { bucket_arn: '${aws_s3_bucket.lake.arn}', role_arn: `\${aws_iam_role.${role}.arn}`, prefix: `${name}/`, error_output_prefix: `errors/${name}/`, buffering_interval: 900 },
});

function writeStack(stackDir: string): void {
  const terraform = {
    resource: {
      aws_dynamodb_table: {
        outbox: { name: 'customers', billing_mode: 'PAY_PER_REQUEST', hash_key: 'pk', attribute: [{ name: 'pk', type: 'S' }], stream_enabled: true, stream_view_type: 'NEW_AND_OLD_IMAGES' },
      },
      aws_cloudwatch_event_bus: { platform: { name: 'platform' } },
      aws_cloudwatch_event_rule: {
        customers: { name: 'customers-events', event_bus_name: '${aws_cloudwatch_event_bus.platform.name}', event_pattern: JSON.stringify({ source: ['kestrel.customers'] }) },
        lake: { name: 'to-the-lake', event_bus_name: '${aws_cloudwatch_event_bus.platform.name}', event_pattern: JSON.stringify({ source: ['app.lake'] }) },
      },
      aws_s3_bucket: { lake: { bucket: 'kestrel-lake' } },
      aws_kinesis_firehose_delivery_stream: { granted: deliveryStream('lake-granted', 'firehose'), noPut: deliveryStream('lake-no-put', 'firehoseNoPut') },
      aws_sqs_queue: { observed: { name: 'observed' }, lakeTargetDlq: { name: 'lake-target-dlq' }, outboxDlq: { name: 'outbox-dead-letters' } },
      aws_sqs_queue_policy: {
        lakeTargetDlq: {
          queue_url: '${aws_sqs_queue.lakeTargetDlq.url}',
          policy: policy({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: '${aws_sqs_queue.lakeTargetDlq.arn}', Condition: { ArnEquals: { 'aws:SourceArn': '${aws_cloudwatch_event_rule.lake.arn}' } } }),
        },
        observed: {
          queue_url: '${aws_sqs_queue.observed.url}',
          policy: policy({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: '${aws_sqs_queue.observed.arn}', Condition: { ArnEquals: { 'aws:SourceArn': '${aws_cloudwatch_event_rule.customers.arn}' } } }),
        },
      },
      aws_cloudwatch_event_target: {
        observed: { rule: '${aws_cloudwatch_event_rule.customers.name}', event_bus_name: '${aws_cloudwatch_event_bus.platform.name}', target_id: 'observed', arn: '${aws_sqs_queue.observed.arn}' },
        // Firehose targets act as their role_arn: one may PutRecordBatch on the stream, the other only PutRecord.
        lakeGranted: { rule: '${aws_cloudwatch_event_rule.lake.name}', event_bus_name: '${aws_cloudwatch_event_bus.platform.name}', target_id: 'granted', arn: '${aws_kinesis_firehose_delivery_stream.granted.arn}', role_arn: '${aws_iam_role.toLake.arn}' },
        lakeRefused: {
          rule: '${aws_cloudwatch_event_rule.lake.name}',
          event_bus_name: '${aws_cloudwatch_event_bus.platform.name}',
          target_id: 'refused',
          arn: '${aws_kinesis_firehose_delivery_stream.granted.arn}',
          role_arn: '${aws_iam_role.toLakeRefused.arn}',
          dead_letter_config: { arn: '${aws_sqs_queue.lakeTargetDlq.arn}' },
        },
      },
      aws_iam_role: {
        granted: { name: 'outbox-pipe', assume_role_policy: trust('pipes.amazonaws.com') },
        wrongSource: { name: 'outbox-pipe-wrong-source', assume_role_policy: trust('pipes.amazonaws.com') },
        noRead: { name: 'outbox-pipe-no-read', assume_role_policy: trust('pipes.amazonaws.com') },
        dlqGranted: { name: 'outbox-pipe-dlq-granted', assume_role_policy: trust('pipes.amazonaws.com') },
        dlqRefused: { name: 'outbox-pipe-dlq-refused', assume_role_policy: trust('pipes.amazonaws.com') },
        firehose: { name: 'lake-firehose', assume_role_policy: trust('firehose.amazonaws.com') },
        firehoseNoPut: { name: 'lake-firehose-no-put', assume_role_policy: trust('firehose.amazonaws.com') },
        toLake: { name: 'events-to-lake', assume_role_policy: trust('events.amazonaws.com') },
        toLakeRefused: { name: 'events-to-lake-refused', assume_role_policy: trust('events.amazonaws.com') },
      },
      aws_iam_role_policy: {
        granted: { name: 'pipe', role: '${aws_iam_role.granted.id}', policy: policy(READ_STREAM, putEvents('kestrel.customers')) },
        wrongSource: { name: 'pipe', role: '${aws_iam_role.wrongSource.id}', policy: policy(READ_STREAM, putEvents('kestrel.catalog')) },
        noRead: { name: 'pipe', role: '${aws_iam_role.noRead.id}', policy: policy(putEvents('kestrel.customers')) },
        // Both put with a source their role does not admit, so their batch ends in the dead-letter queue, sent as the role.
        dlqGranted: { name: 'pipe', role: '${aws_iam_role.dlqGranted.id}', policy: policy(READ_STREAM, putEvents('kestrel.catalog'), { Sid: 'SendDeadLetters', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '${aws_sqs_queue.outboxDlq.arn}' }) },
        dlqRefused: { name: 'pipe', role: '${aws_iam_role.dlqRefused.id}', policy: policy(READ_STREAM, putEvents('kestrel.catalog')) },
        firehose: { name: 'lake', role: '${aws_iam_role.firehose.id}', policy: policy(WRITE_LAKE) },
        firehoseNoPut: { name: 'lake', role: '${aws_iam_role.firehoseNoPut.id}', policy: policy({ ...WRITE_LAKE, Action: ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:ListBucket'] }) },
        toLake: { name: 'put', role: '${aws_iam_role.toLake.id}', policy: policy({ Effect: 'Allow', Action: 'firehose:PutRecordBatch', Resource: '${aws_kinesis_firehose_delivery_stream.granted.arn}' }) },
        toLakeRefused: { name: 'put', role: '${aws_iam_role.toLakeRefused.id}', policy: policy({ Effect: 'Allow', Action: 'firehose:PutRecord', Resource: '${aws_kinesis_firehose_delivery_stream.granted.arn}' }) },
      },
      aws_pipes_pipe: {
        granted: pipe('outbox-granted', 'granted'),
        wrongSource: pipe('outbox-wrong-source', 'wrongSource'),
        noRead: pipe('outbox-no-read', 'noRead'),
        dlqGranted: pipe('outbox-dlq-granted', 'dlqGranted', '${aws_sqs_queue.outboxDlq.arn}'),
        dlqRefused: pipe('outbox-dlq-refused', 'dlqRefused', '${aws_sqs_queue.outboxDlq.arn}'),
      },
    },
  };
  writeFileSync(join(stackDir, 'cdk.tf.json'), JSON.stringify(terraform));
}

const eventsMaySend = (queueArn: string, ruleArn: string) =>
  policy({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } } });

const POLL_QUEUE = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/** A function consuming its queue through an event source mapping; `grants` are what its role may do on the queue. */
function writeConsumerStack(fixture: FixtureStack, grants: string[]): void {
  const terraform = {
    resource: {
      aws_sqs_queue: {
        work: { name: 'consumer-work', visibility_timeout_seconds: 30 },
        events_dlq: { name: 'consumer-events-dlq' },
        forward_dlq: { name: 'forward-dlq' },
        audited: { name: 'audited' },
      },
      aws_iam_role: { consumer: { name: 'consumer', assume_role_policy: trust('lambda.amazonaws.com') }, forwarder: { name: 'forwarder', assume_role_policy: trust('events.amazonaws.com') } },
      aws_iam_role_policy: {
        consumer: { name: 'poll', role: '${aws_iam_role.consumer.id}', policy: policy({ Sid: 'PollWork', Effect: 'Allow', Action: grants, Resource: '${aws_sqs_queue.work.arn}' }) },
        forwarder: {
          name: 'forward',
          role: '${aws_iam_role.forwarder.id}',
          policy: policy({ Sid: 'ForwardAllowed', Effect: 'Allow', Action: 'events:PutEvents', Resource: '${aws_cloudwatch_event_bus.audit.arn}', Condition: { StringEquals: { 'events:source': 'app.fwd.allowed' } } }),
        },
      },
      aws_lambda_function: { consumer: { function_name: 'consumer', handler: 'index.handler', runtime: 'nodejs24.x', filename: fixture.zipAsset, role: '${aws_iam_role.consumer.arn}', timeout: 3 } },
      aws_lambda_event_source_mapping: { work: { function_name: '${aws_lambda_function.consumer.function_name}', event_source_arn: '${aws_sqs_queue.work.arn}', batch_size: 1 } },
      // EventBridge → the same function: one rule has its aws_lambda_permission, the other has none.
      aws_cloudwatch_event_bus: { apps: { name: 'apps' }, audit: { name: 'audit' } },
      aws_cloudwatch_event_rule: {
        forward: { name: 'forward', event_bus_name: '${aws_cloudwatch_event_bus.apps.name}', event_pattern: JSON.stringify({ source: [{ prefix: 'app.fwd.' }] }) },
        audited: { name: 'audited', event_bus_name: '${aws_cloudwatch_event_bus.audit.name}', event_pattern: JSON.stringify({ source: [{ prefix: 'app.fwd.' }] }) },
        permitted: { name: 'permitted', event_bus_name: '${aws_cloudwatch_event_bus.apps.name}', event_pattern: JSON.stringify({ source: ['app.permitted'] }) },
        unpermitted: { name: 'unpermitted', event_bus_name: '${aws_cloudwatch_event_bus.apps.name}', event_pattern: JSON.stringify({ source: ['app.unpermitted'] }) },
      },
      aws_cloudwatch_event_target: {
        // Bus to bus as a role that may put only one source on the audit bus.
        forward: {
          rule: '${aws_cloudwatch_event_rule.forward.name}',
          event_bus_name: '${aws_cloudwatch_event_bus.apps.name}',
          target_id: 'audit',
          arn: '${aws_cloudwatch_event_bus.audit.arn}',
          role_arn: '${aws_iam_role.forwarder.arn}',
          dead_letter_config: { arn: '${aws_sqs_queue.forward_dlq.arn}' },
        },
        audited: { rule: '${aws_cloudwatch_event_rule.audited.name}', event_bus_name: '${aws_cloudwatch_event_bus.audit.name}', target_id: 'audited', arn: '${aws_sqs_queue.audited.arn}' },
        permitted: { rule: '${aws_cloudwatch_event_rule.permitted.name}', event_bus_name: '${aws_cloudwatch_event_bus.apps.name}', target_id: 'consumer', arn: '${aws_lambda_function.consumer.arn}' },
        unpermitted: {
          rule: '${aws_cloudwatch_event_rule.unpermitted.name}',
          event_bus_name: '${aws_cloudwatch_event_bus.apps.name}',
          target_id: 'consumer',
          arn: '${aws_lambda_function.consumer.arn}',
          dead_letter_config: { arn: '${aws_sqs_queue.events_dlq.arn}' },
        },
      },
      aws_lambda_permission: {
        permitted: { statement_id: 'AllowPermittedRule', action: 'lambda:InvokeFunction', function_name: '${aws_lambda_function.consumer.function_name}', principal: 'events.amazonaws.com', source_arn: '${aws_cloudwatch_event_rule.permitted.arn}' },
      },
      aws_sqs_queue_policy: {
        forward_dlq: { queue_url: '${aws_sqs_queue.forward_dlq.url}', policy: eventsMaySend('${aws_sqs_queue.forward_dlq.arn}', '${aws_cloudwatch_event_rule.forward.arn}') },
        audited: { queue_url: '${aws_sqs_queue.audited.url}', policy: eventsMaySend('${aws_sqs_queue.audited.arn}', '${aws_cloudwatch_event_rule.audited.arn}') },
        events_dlq: {
          queue_url: '${aws_sqs_queue.events_dlq.url}',
          policy: policy({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: '${aws_sqs_queue.events_dlq.arn}', Condition: { ArnEquals: { 'aws:SourceArn': '${aws_cloudwatch_event_rule.unpermitted.arn}' } } }),
        },
      },
    },
  };
  writeFileSync(join(fixture.stackDir, 'cdk.tf.json'), JSON.stringify(terraform));
}

describe('services act as their configured roles', () => {
  let root: string;
  let fixture: FixtureStack;
  let cloud: LocalCloud;
  const client = <T>(Client: new (config: object) => T): T => new Client({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: ADMIN, maxAttempts: 1 });
  const pipes = () => (cloud.modules.find((module) => module.name === 'pipes') as PipesModule).service;
  const runner = (name: string) => ({ stats: pipes().get(name).stats });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'service-roles-'));
    fixture = await buildFixtureStack({ entry: 'handler' });
    writeStack(root);
    cloud = await startLocalCloud({
      inMemory: true,
      dataDir: join(root, 'data'),
      iam: 'enforce',
      modules: [createDynamoDbModule, createSqsModule, createS3Module, createFirehoseModule, lambdaModuleFactory({ runtimes: { fetchMissing: true } }), (context) => createEventBridgeModule(context, { retryTimeScale: 0.001 }), pipesModuleFactory({ pollIntervalMs: 25, retryBaseDelayMs: 5, retryMaxDelayMs: 20 }), createStsModule],
    });
    await cloud.applyStacks([root]);
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
    fixture?.cleanup();
  });

  describe('Pipes', () => {
    beforeAll(async () => {
      await client(DynamoDBClient).send(new PutItemCommand({ TableName: 'customers', Item: { pk: { S: 'OUTBOX#1' }, detail: { S: '{"customerId":"c-1"}' }, detailType: { S: 'CustomerRegistered.v1' } } }));
      await pipes().whenIdle('outbox-granted');
      await pipes().whenIdle('outbox-wrong-source');
      // A pipe that cannot read never goes idle: wait for its first refusal instead.
      for (let waited = 0; waited < 100 && !pipes().get('outbox-no-read').stats.lastError; waited++) await new Promise((resolve) => setTimeout(resolve, 50));
      await pipes().whenIdle('outbox-dlq-granted');
      // Neither does one whose dead-letter send is refused (it retries the send).
      for (let waited = 0; waited < 100 && !pipes().get('outbox-dlq-refused').stats.lastError?.startsWith('dead-letter queue'); waited++) await new Promise((resolve) => setTimeout(resolve, 50));
    }, 60_000);

    it('with the grants, the pipe reads the stream and puts the event on the bus', async () => {
      const messages: Message[] = [];
      for (let polls = 0; polls < 10 && messages.length === 0; polls++) {
        messages.push(...((await client(SQSClient).send(new ReceiveMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/observed`, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }))).Messages ?? []));
      }
      // One event: only the granted pipe delivered; the others' puts were refused.
      expect(messages.map((message) => JSON.parse(message.Body ?? '{}'))).toEqual([expect.objectContaining({ source: 'kestrel.customers', 'detail-type': 'CustomerRegistered.v1', detail: { customerId: 'c-1' } })]);
      expect(runner('outbox-granted').stats).toMatchObject({ read: 1, delivered: 1, failed: 0 });
    });

    it('a role whose events:source condition does not admit the entries: PutEvents is refused, the batch fails after its retries, the denial is recorded', async () => {
      expect(runner('outbox-wrong-source').stats).toMatchObject({ read: 1, delivered: 0, failed: 1 });
      const described = await client(PipesClient).send(new DescribePipeCommand({ Name: 'outbox-wrong-source' }));
      expect(described.StateReason).toBe(
        `target: AccessDeniedException: User: arn:aws:sts::${ACCOUNT}:assumed-role/outbox-pipe-wrong-source/outbox-wrong-source is not authorized to perform: events:PutEvents on resource: ${BUS_ARN} because no identity-based policy allows the events:PutEvents action`,
      );
      expect(cloud.iamDenials()).toContainEqual(
        expect.objectContaining({
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/outbox-pipe-wrong-source/outbox-wrong-source`,
          action: 'events:PutEvents',
          resource: BUS_ARN,
          service: 'pipes',
          smallestAllowingStatement: { Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS_ARN },
        }),
      );
    });

    it('the dead-letter send is made as the pipe role: granted, the batch reaches the queue; refused, it is retried (nothing lost), the denial recorded', async () => {
      const dead: Message[] = [];
      for (let polls = 0; polls < 5; polls++) {
        dead.push(...((await client(SQSClient).send(new ReceiveMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/outbox-dead-letters`, WaitTimeSeconds: 1, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }))).Messages ?? []));
      }
      expect(dead.map((message) => message.MessageAttributes?.PIPE_ARN?.StringValue)).toEqual([`arn:aws:pipes:eu-west-1:${ACCOUNT}:pipe/outbox-dlq-granted`]);
      expect(runner('outbox-dlq-refused').stats.lastError).toBe(
        `dead-letter queue: User: arn:aws:sts::${ACCOUNT}:assumed-role/outbox-pipe-dlq-refused/outbox-dlq-refused is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:eu-west-1:${ACCOUNT}:outbox-dead-letters because no identity-based policy allows the sqs:SendMessage action`,
      );
      expect(cloud.iamDenials()).toContainEqual(expect.objectContaining({ principal: `arn:aws:sts::${ACCOUNT}:assumed-role/outbox-pipe-dlq-refused/outbox-dlq-refused`, action: 'sqs:SendMessage', service: 'pipes' }));
    });

    it('a role without the stream permissions: nothing is read (records stay in the stream), StateReason names the permission, the denial is recorded', async () => {
      expect(runner('outbox-no-read').stats).toMatchObject({ read: 0, delivered: 0 });
      const described = await client(PipesClient).send(new DescribePipeCommand({ Name: 'outbox-no-read' }));
      expect(described.StateReason).toMatch(/^source: AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role\/outbox-pipe-no-read\/outbox-no-read is not authorized to perform: dynamodb:DescribeStream on resource: arn:aws:dynamodb:eu-west-1:000000000000:table\/customers\/stream\//);
      expect(cloud.iamDenials()).toContainEqual(expect.objectContaining({ action: 'dynamodb:DescribeStream', principal: expect.stringContaining('outbox-pipe-no-read'), service: 'pipes' }));
    });
  });

  describe('Firehose', () => {
    const firehose = () => (cloud.modules.find((module) => module.name === 'firehose') as FirehoseModule).service;
    const put = (stream: string) => client(FirehoseClient).send(new PutRecordCommand({ DeliveryStreamName: stream, Record: { Data: new TextEncoder().encode('{"n":1}') } }));

    it('with s3:PutObject on the bucket, the stream writes its objects as its role', async () => {
      await put('lake-granted');
      await firehose().flush('lake-granted');
      const listed = await new S3Client({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: ADMIN, forcePathStyle: true }).send(new ListObjectsV2Command({ Bucket: 'kestrel-lake', Prefix: 'lake-granted/' }));
      expect(listed.KeyCount).toBe(1);
    });

    it('without it, the delivery fails and stays buffered for the next attempt (nothing lost), and the denial is recorded', async () => {
      await put('lake-no-put');
      await expect(firehose().flush('lake-no-put')).rejects.toMatchObject({ name: 'AccessDenied' });
      expect(firehose().summaries().find((stream) => stream.name === 'lake-no-put')).toMatchObject({ buffered: 1, delivered: 0 });
      expect(cloud.iamDenials()).toContainEqual(
        expect.objectContaining({
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/lake-firehose-no-put/AWSFirehoseToS3`,
          action: 's3:PutObject',
          resource: expect.stringMatching(/^arn:aws:s3:::kestrel-lake\/lake-no-put\/\d{4}\/\d\d\/\d\d\/\d\d\/lake-no-put-1-/),
          service: 's3',
        }),
      );
    });
  });

  describe('Lambda SQS event source mappings', () => {
    const queueUrl = () => `${cloud.endpoint}/${ACCOUNT}/consumer-work`;
    const visibleAndInFlight = async () => {
      const { Attributes } = await client(SQSClient).send(new GetQueueAttributesCommand({ QueueUrl: queueUrl(), AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
    };
    const mapping = () => (cloud.modules.find((module) => module.name === 'lambda') as LambdaModule).eventSources.all()[0];
    const until = async (condition: () => Promise<boolean> | boolean) => {
      for (let waited = 0; waited < 200 && !(await condition()); waited++) await new Promise((resolve) => setTimeout(resolve, 50));
    };

    it('a role that may not receive from the queue: CreateEventSourceMapping fails with Lambda’s message, the denial is recorded', async () => {
      writeConsumerStack(fixture, ['sqs:GetQueueAttributes']);
      await expect(cloud.applyStacks([fixture.stackDir])).rejects.toThrow('aws_lambda_event_source_mapping.work: The provided execution role does not have permissions to call ReceiveMessage on SQS');
      expect(cloud.iamDenials()).toContainEqual(
        expect.objectContaining({ principal: `arn:aws:sts::${ACCOUNT}:assumed-role/consumer/consumer`, action: 'sqs:ReceiveMessage', resource: `arn:aws:sqs:eu-west-1:${ACCOUNT}:consumer-work`, service: 'lambda' }),
      );
    });

    it('with the grants, the mapping is created and the function consumes the queue', async () => {
      writeConsumerStack(fixture, POLL_QUEUE);
      await cloud.applyStacks([fixture.stackDir]);
      await client(SQSClient).send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: '{"n":1}' }));
      await until(() => mapping()?.counters.deleted === 1);
      expect(mapping()?.counters).toMatchObject({ batches: 1, deleted: 1, refusedPolls: 0 });
      expect(await visibleAndInFlight()).toBe(0);
    });

    it('a grant removed after the mapping exists: the poll is refused at the call it needs, the message is not deleted, the denial is recorded', async () => {
      // Terraform leaves the unchanged mapping alone; only the role's policy changes.
      writeConsumerStack(fixture, ['sqs:ReceiveMessage', 'sqs:GetQueueAttributes']);
      await cloud.applyStacks([fixture.stackDir]);
      await client(SQSClient).send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: '{"n":2}' }));
      await until(() => (mapping()?.counters.refusedPolls ?? 0) > 0);
      expect(mapping()?.counters).toMatchObject({ batches: 2, deleted: 1 });
      expect(await visibleAndInFlight()).toBe(1);
      expect(cloud.iamDenials()).toContainEqual(expect.objectContaining({ principal: `arn:aws:sts::${ACCOUNT}:assumed-role/consumer/consumer`, action: 'sqs:DeleteMessage', service: 'lambda' }));
    });
  });

  describe('EventBridge → Lambda', () => {
    const invocations = () => (cloud.modules.find((module) => module.name === 'lambda') as LambdaModule).service.registry.get('consumer')?.counters.invocations ?? 0;

    it('the rule with an aws_lambda_permission invokes the function; the one without fails with NO_PERMISSIONS to its dead-letter queue, and the denial is recorded', async () => {
      const before = invocations();
      const entry = { EventBusName: 'apps', DetailType: 'Tested', Detail: '{}' };
      await client(EventBridgeClient).send(new PutEventsCommand({ Entries: [{ ...entry, Source: 'app.permitted' }, { ...entry, Source: 'app.unpermitted' }] }));
      const dead: Message[] = [];
      for (let polls = 0; polls < 10 && dead.length === 0; polls++) {
        dead.push(...((await client(SQSClient).send(new ReceiveMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/consumer-events-dlq`, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }))).Messages ?? []));
      }
      expect(dead.map((message) => message.MessageAttributes?.ERROR_CODE?.StringValue)).toEqual(['NO_PERMISSIONS']);
      expect(JSON.parse(dead[0]?.Body ?? '{}')).toMatchObject({ source: 'app.unpermitted' });
      const until = Date.now() + 10_000;
      while (invocations() === before && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(invocations()).toBe(before + 1);
      expect(cloud.iamDenials()).toContainEqual(
        expect.objectContaining({
          principal: 'events.amazonaws.com',
          action: 'lambda:InvokeFunction',
          resource: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:consumer`,
          service: 'lambda',
          smallestAllowingStatement: expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Action: 'lambda:InvokeFunction' }),
        }),
      );
    });
  });

  describe('EventBridge → another bus, as the target’s role', () => {
    const receive = async (queue: string): Promise<Message[]> => {
      const messages: Message[] = [];
      for (let polls = 0; polls < 10 && messages.length === 0; polls++) {
        messages.push(...((await client(SQSClient).send(new ReceiveMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/${queue}`, WaitTimeSeconds: 1, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }))).Messages ?? []));
      }
      return messages;
    };

    it('an event the role may put reaches the other bus; one it may not fails with NO_PERMISSIONS to the dead-letter queue, and the denial is recorded', async () => {
      const entry = { EventBusName: 'apps', DetailType: 'Forwarded', Detail: '{}' };
      await client(EventBridgeClient).send(new PutEventsCommand({ Entries: [{ ...entry, Source: 'app.fwd.allowed' }, { ...entry, Source: 'app.fwd.refused' }] }));
      expect((await receive('audited')).map((message) => JSON.parse(message.Body ?? '{}').source)).toEqual(['app.fwd.allowed']);
      const dead = await receive('forward-dlq');
      expect(dead.map((message) => [JSON.parse(message.Body ?? '{}').source, message.MessageAttributes?.ERROR_CODE?.StringValue])).toEqual([['app.fwd.refused', 'NO_PERMISSIONS']]);
      expect(dead[0]?.MessageAttributes?.ERROR_MESSAGE?.StringValue).toContain(`User: arn:aws:sts::${ACCOUNT}:assumed-role/forwarder/EventBridge is not authorized to perform: events:PutEvents`);
      expect(cloud.iamDenials()).toContainEqual(
        expect.objectContaining({ principal: `arn:aws:sts::${ACCOUNT}:assumed-role/forwarder/EventBridge`, action: 'events:PutEvents', resource: `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/audit`, service: 'events' }),
      );
    });
  });

  describe('EventBridge → Firehose, as the target’s role', () => {
    it('the role with firehose:PutRecordBatch delivers; the one without fails with NO_PERMISSIONS to the dead-letter queue, and the denial is recorded', async () => {
      const firehose = (cloud.modules.find((module) => module.name === 'firehose') as FirehoseModule).service;
      const bufferedBefore = firehose.summaries().find((stream) => stream.name === 'lake-granted')?.buffered ?? 0;
      await client(EventBridgeClient).send(new PutEventsCommand({ Entries: [{ EventBusName: 'platform', Source: 'app.lake', DetailType: 'Landed', Detail: '{}' }] }));
      const dead: Message[] = [];
      for (let polls = 0; polls < 10 && dead.length === 0; polls++) {
        dead.push(...((await client(SQSClient).send(new ReceiveMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/lake-target-dlq`, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }))).Messages ?? []));
      }
      expect(dead.map((message) => message.MessageAttributes?.ERROR_CODE?.StringValue)).toEqual(['NO_PERMISSIONS']);
      expect(dead[0]?.MessageAttributes?.ERROR_MESSAGE?.StringValue).toContain(`User: arn:aws:sts::${ACCOUNT}:assumed-role/events-to-lake-refused/EventBridge is not authorized to perform: firehose:PutRecordBatch`);
      expect(firehose.summaries().find((stream) => stream.name === 'lake-granted')?.buffered).toBe(bufferedBefore + 1);
      expect(cloud.iamDenials()).toContainEqual(
        expect.objectContaining({ principal: `arn:aws:sts::${ACCOUNT}:assumed-role/events-to-lake-refused/EventBridge`, action: 'firehose:PutRecordBatch', resource: `arn:aws:firehose:eu-west-1:${ACCOUNT}:deliverystream/lake-granted` }),
      );
    });
  });
});
