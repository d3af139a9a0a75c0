import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DescribePipeCommand, ListPipesCommand, PipesClient, StartPipeCommand, StopPipeCommand, CreatePipeCommand } from '@aws-sdk/client-pipes';
import { createDynamoDbModule } from '../../src/services/dynamodb';
import { createEventBridgeModule } from '../../src/services/eventbridge';
import { createSqsModule } from '../../src/services/sqs';
import { pipesModuleFactory } from '../../src/services/pipes';
import type { PipesModule } from '../../src/services/pipes';
import type { EventPublisher, LocalServiceModule, PutEventsEntry, ResolvedResource } from '../../src/core/types';
import { clientConfig, startHarness } from '../sqs/harness';
import type { Harness } from '../sqs/harness';

const fastPipes = pipesModuleFactory({ pollIntervalMs: 25, retryBaseDelayMs: 5, retryMaxDelayMs: 20 });

async function apply(modules: readonly LocalServiceModule[], type: string, name: string, config: Record<string, unknown>): Promise<Record<string, unknown>> {
  const resource: ResolvedResource = { stack: 'customers', type, name, address: `${type}.${name}`, config, stackDir: '/tmp' };
  const provisioner = modules.flatMap((module) => module.provisioners).find((candidate) => candidate.type === type);
  if (!provisioner) throw new Error(`no provisioner for ${type}`);
  return provisioner.apply(resource);
}

const pipesOf = (harness: Harness) => harness.modules.find((module) => module.name === 'pipes') as PipesModule;

/** The outbox pipe every service stack declares (as cdktn synthesizes aws_pipes_pipe). */
function outboxPipe(name: string, streamArn: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    role_arn: 'arn:aws:iam::000000000000:role/outbox-pipe',
    source: streamArn,
    target: 'arn:aws:events:eu-west-1:000000000000:event-bus/platform',
    source_parameters: {
      dynamodb_stream_parameters: { starting_position: 'TRIM_HORIZON', batch_size: 10, maximum_retry_attempts: 2, dead_letter_config: { arn: 'arn:aws:sqs:eu-west-1:000000000000:outbox-dlq' } },
      filter_criteria: { filter: [{ pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'OUTBOX#' }] } } } }) }] },
    },
    target_parameters: {
      input_template: '<$.dynamodb.NewImage.detail.S>',
      eventbridge_event_bus_parameters: { source: '$.dynamodb.NewImage.source.S', detail_type: '$.dynamodb.NewImage.detailType.S' },
    },
    ...overrides,
  };
}

function envelope(customerId: string) {
  return { metadata: { eventId: randomUUID(), occurredAt: new Date().toISOString(), correlationId: 'c-1' }, data: { customerId, email: `${customerId}@example.com` } };
}

/** The service's write: its own item and the outbox item in one transaction. */
async function registerCustomer(ddb: DynamoDBClient, table: string, customerId: string) {
  const event = envelope(customerId);
  await ddb.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: table, Item: { pk: { S: `CUSTOMER#${customerId}` }, sk: { S: 'PROFILE' }, email: { S: event.data.email } } } },
        {
          Put: {
            TableName: table,
            Item: {
              pk: { S: `OUTBOX#${event.metadata.eventId}` },
              sk: { S: 'EVENT' },
              detail: { S: JSON.stringify(event) },
              detailType: { S: 'CustomerRegistered.v1' },
              source: { S: 'kestrel.customers' },
            },
          },
        },
      ],
    }),
  );
  return event;
}

async function createTable(ddb: DynamoDBClient, name: string): Promise<string> {
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  const described = await ddb.send(new DescribeTableCommand({ TableName: name }));
  return described.Table?.LatestStreamArn as string;
}

async function receiveAll(sqs: SQSClient, queueUrl: string, expected: number): Promise<Array<{ Body?: string; MessageAttributes?: Record<string, { StringValue?: string }> }>> {
  const messages: Array<{ Body?: string; MessageAttributes?: Record<string, { StringValue?: string }> }> = [];
  for (let polls = 0; polls < 20 && messages.length < expected; polls++) {
    const page = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
    messages.push(...(page.Messages ?? []));
  }
  return messages;
}

describe('outbox pipe: DynamoDB Local stream → filter → template → bus → rule → SQS', () => {
  let harness: Harness;
  let ddb: DynamoDBClient;
  let sqs: SQSClient;
  let events: EventBridgeClient;
  let pipes: PipesClient;
  let observedQueue: string;
  let dlqUrl: string;

  beforeAll(async () => {
    harness = await startHarness([createDynamoDbModule, createSqsModule, (context) => createEventBridgeModule(context, { retryTimeScale: 0.001 }), fastPipes]);
    const config = clientConfig(harness.edge.endpoint);
    ddb = new DynamoDBClient(config);
    sqs = new SQSClient(config);
    events = new EventBridgeClient(config);
    pipes = new PipesClient(config);
    observedQueue = (await sqs.send(new CreateQueueCommand({ QueueName: 'observed-events' }))).QueueUrl as string;
    dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'outbox-dlq' }))).QueueUrl as string;
    await events.send(new CreateEventBusCommand({ Name: 'platform' }));
    await events.send(new PutRuleCommand({ Name: 'all-customer-events', EventBusName: 'platform', EventPattern: JSON.stringify({ source: ['kestrel.customers'] }) }));
    await events.send(
      new PutTargetsCommand({ Rule: 'all-customer-events', EventBusName: 'platform', Targets: [{ Id: 'observe', Arn: 'arn:aws:sqs:eu-west-1:000000000000:observed-events' }] }),
    );
  }, 120_000);
  afterAll(async () => {
    for (const client of [ddb, sqs, events, pipes]) client?.destroy();
    await harness?.stop();
  }, 60_000);

  it('publishes each outbox INSERT as the envelope, once, and ignores everything else', async () => {
    // prepare
    const streamArn = await createTable(ddb, 'customers');
    await apply(harness.modules, 'aws_pipes_pipe', 'outbox', outboxPipe('customers-outbox', streamArn));
    // act
    const first = await registerCustomer(ddb, 'customers', 'c-1');
    const second = await registerCustomer(ddb, 'customers', 'c-2');
    // A later change to an outbox item (e.g. a TTL stamp) is a MODIFY and must not publish again.
    await ddb.send(new UpdateItemCommand({ TableName: 'customers', Key: { pk: { S: `OUTBOX#${first.metadata.eventId}` }, sk: { S: 'EVENT' } }, UpdateExpression: 'SET expiresAt = :t', ExpressionAttributeValues: { ':t': { N: '1' } } }));
    await pipesOf(harness).service.whenIdle('customers-outbox');
    const received = await receiveAll(sqs, observedQueue, 2);
    // assess
    const published = received.map((message) => JSON.parse(message.Body as string) as Record<string, unknown>);
    expect(published).toHaveLength(2);
    expect(published.map((event) => event.detail)).toEqual([first, second]);
    expect(published[0]).toMatchObject({ source: 'kestrel.customers', 'detail-type': 'CustomerRegistered.v1', account: '000000000000', region: 'eu-west-1' });
    expect(pipesOf(harness).service.summaries()[0]).toMatchObject({ name: 'customers-outbox', state: 'RUNNING', read: 5, filteredOut: 3, processed: 2, failed: 0 });
    const dlqDepth = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(dlqDepth.Attributes?.ApproximateNumberOfMessages).toBe('0');
  }, 60_000);

  it('skips records already in the stream when the pipe starts at LATEST', async () => {
    // prepare
    const streamArn = await createTable(ddb, 'catalog');
    await registerCustomer(ddb, 'catalog', 'before-the-pipe');
    await apply(harness.modules, 'aws_pipes_pipe', 'latest', outboxPipe('catalog-outbox', streamArn, {
      source_parameters: { dynamodb_stream_parameters: { starting_position: 'LATEST' }, filter_criteria: { filter: [{ pattern: '{"eventName":["INSERT"],"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"OUTBOX#"}]}}}}' }] } },
    }));
    await pipesOf(harness).service.whenIdle('catalog-outbox');
    // act
    const after = await registerCustomer(ddb, 'catalog', 'after-the-pipe');
    await pipesOf(harness).service.whenIdle('catalog-outbox');
    const received = await receiveAll(sqs, observedQueue, 1);
    // assess
    expect(received.map((message) => (JSON.parse(message.Body as string) as { detail: unknown }).detail)).toEqual([after]);
  }, 60_000);

  it('answers DescribePipe, ListPipes, StopPipe and StartPipe, and a stopped pipe catches up when started', async () => {
    // act
    const stopped = await pipes.send(new StopPipeCommand({ Name: 'customers-outbox' }));
    const whileStopped = await registerCustomer(ddb, 'customers', 'c-while-stopped');
    const described = await pipes.send(new DescribePipeCommand({ Name: 'customers-outbox' }));
    const started = await pipes.send(new StartPipeCommand({ Name: 'customers-outbox' }));
    await pipesOf(harness).service.whenIdle('customers-outbox');
    const listed = await pipes.send(new ListPipesCommand({ NamePrefix: 'customers' }));
    const received = await receiveAll(sqs, observedQueue, 1);
    const missing = await pipes.send(new DescribePipeCommand({ Name: 'nope' })).catch((error: Error) => error);
    // assess
    expect(stopped).toMatchObject({ Name: 'customers-outbox', DesiredState: 'STOPPED', CurrentState: 'STOPPED' });
    expect(described).toMatchObject({
      Arn: 'arn:aws:pipes:eu-west-1:000000000000:pipe/customers-outbox',
      CurrentState: 'STOPPED',
      SourceParameters: { DynamoDBStreamParameters: { StartingPosition: 'TRIM_HORIZON', BatchSize: 10, MaximumRetryAttempts: 2 }, FilterCriteria: { Filters: [{ Pattern: expect.stringContaining('OUTBOX#') }] } },
      TargetParameters: { InputTemplate: '<$.dynamodb.NewImage.detail.S>', EventBridgeEventBusParameters: { Source: '$.dynamodb.NewImage.source.S', DetailType: '$.dynamodb.NewImage.detailType.S' } },
    });
    expect(described.CreationTime).toBeInstanceOf(Date);
    expect(started).toMatchObject({ DesiredState: 'RUNNING', CurrentState: 'RUNNING' });
    expect(listed.Pipes?.map((pipe) => pipe.Name)).toEqual(['customers-outbox']);
    expect(received.map((message) => (JSON.parse(message.Body as string) as { detail: unknown }).detail)).toEqual([whileStopped]);
    expect(missing).toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
  }, 60_000);

  it('refuses an invalid filter pattern with ValidationException and the field', async () => {
    const error = await pipes
      .send(
        new CreatePipeCommand({
          Name: 'bad',
          RoleArn: 'arn:aws:iam::000000000000:role/p',
          Source: 'arn:aws:dynamodb:eu-west-1:000000000000:table/customers/stream/x',
          Target: 'arn:aws:events:eu-west-1:000000000000:event-bus/platform',
          SourceParameters: { DynamoDBStreamParameters: { StartingPosition: 'LATEST' }, FilterCriteria: { Filters: [{ Pattern: '{"eventName": "INSERT"}' }] } },
        }),
      )
      .catch((caught: Error & { fieldList?: unknown }) => caught);
    expect(error).toMatchObject({ name: 'ValidationException', fieldList: [{ name: 'sourceParameters.filterCriteria.filters[0].pattern' }] });
  });

  it('resumes after a graceful stop and start without losing or replaying committed records (kill -9: tests/crash)', async () => {
    // prepare
    const before = await registerCustomer(ddb, 'customers', 'c-before-restart');
    await pipesOf(harness).service.whenIdle('customers-outbox');
    expect((await receiveAll(sqs, observedQueue, 1)).map((message) => (JSON.parse(message.Body as string) as { detail: unknown }).detail)).toEqual([before]);
    // act: the whole local cloud restarts (DynamoDB Local keeps its data in the data dir).
    await harness.restart();
    const after = await registerCustomer(ddb, 'customers', 'c-after-restart');
    await pipesOf(harness).service.whenIdle();
    const received = await receiveAll(sqs, observedQueue, 1);
    // assess
    expect(received.map((message) => (JSON.parse(message.Body as string) as { detail: unknown }).detail)).toEqual([after]);
  }, 120_000);

  it('retries failed entries, then reports them to the DLQ and moves on', async () => {
    // prepare: a bus that refuses one event id, whatever the attempt.
    const attempts: PutEventsEntry[] = [];
    let poisonId = '';
    const flakyBus: EventPublisher = {
      async putEvents(entries) {
        attempts.push(...entries);
        return {
          FailedEntryCount: entries.filter((entry) => entry.Detail?.includes(poisonId)).length,
          Entries: entries.map((entry) => (entry.Detail?.includes(poisonId) ? { ErrorCode: 'InternalFailure', ErrorMessage: 'bus unavailable' } : { EventId: randomUUID() })),
        };
      },
    };
    const isolated = await startHarness([createDynamoDbModule, createSqsModule, fastPipes], { extraPeers: { events: flakyBus } });
    const config = clientConfig(isolated.edge.endpoint);
    const localDdb = new DynamoDBClient(config);
    const localSqs = new SQSClient(config);
    try {
      const dlq = (await localSqs.send(new CreateQueueCommand({ QueueName: 'outbox-dlq' }))).QueueUrl as string;
      const streamArn = await createTable(localDdb, 'orders');
      await apply(isolated.modules, 'aws_pipes_pipe', 'outbox', outboxPipe('orders-outbox', streamArn));
      // act
      const poison = await registerCustomer(localDdb, 'orders', 'poison');
      poisonId = poison.metadata.eventId;
      const healthy = await registerCustomer(localDdb, 'orders', 'healthy');
      await pipesOf(isolated).service.whenIdle('orders-outbox');
      const deadLetters = await receiveAll(localSqs, dlq, 1);
      const depth = await localSqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['ApproximateNumberOfMessages'] }));
      // assess: 1 try + 2 retries for the poison record, then the healthy one once.
      expect(attempts.filter((entry) => entry.Detail?.includes(poisonId))).toHaveLength(3);
      expect(attempts.filter((entry) => entry.Detail?.includes(healthy.metadata.eventId))).toHaveLength(1);
      expect(deadLetters).toHaveLength(1);
      const letter = JSON.parse(deadLetters[0]?.Body as string) as Record<string, unknown>;
      expect(letter).toMatchObject({
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3, pipeArn: 'arn:aws:pipes:eu-west-1:000000000000:pipe/orders-outbox' },
        responseContext: { errorCode: 'InternalFailure', errorMessage: 'bus unavailable' },
        DDBStreamBatchInfo: { batchSize: 1, streamArn },
      });
      expect(deadLetters[0]?.MessageAttributes?.ERROR_CODE?.StringValue).toBe('InternalFailure');
      expect(depth.Attributes?.ApproximateNumberOfMessages).toBe('0');
      expect(pipesOf(isolated).service.summaries()[0]).toMatchObject({ processed: 1, failed: 1 });
    } finally {
      localDdb.destroy();
      localSqs.destroy();
      await isolated.stop();
    }
  }, 120_000);
});
