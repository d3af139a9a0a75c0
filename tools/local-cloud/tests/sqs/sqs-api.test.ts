import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  type SQSServiceException,
} from '@aws-sdk/client-sqs';
import { createSqsModule, type SqsModule } from '../../src/services/sqs';
import { clientConfig, startHarness, type Harness } from './harness';

describe('SQS through the SDK', () => {
  let harness: Harness;
  let sqs: SQSClient;

  beforeAll(async () => {
    harness = await startHarness([createSqsModule]);
    sqs = new SQSClient(clientConfig(harness.edge.endpoint));
  });

  afterAll(async () => {
    sqs.destroy();
    await harness.stop();
  });

  async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
    const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    return created.QueueUrl as string;
  }

  it('sends and receives a message with attributes; the SDK accepts the MD5s', async () => {
    // prepare
    const queueUrl = await createQueue('roundtrip');
    // act
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: '{"hello":"wörld"}',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'greeting' },
          count: { DataType: 'Number', StringValue: '3' },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      }),
    );
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    // assess
    const message = received.Messages?.[0];
    expect(message?.MessageId).toBe(sent.MessageId);
    expect(message?.Body).toBe('{"hello":"wörld"}');
    expect(message?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message?.MessageAttributes?.kind).toEqual({ DataType: 'String', StringValue: 'greeting' });
    expect(Array.from(message?.MessageAttributes?.blob?.BinaryValue ?? [])).toEqual([1, 2, 3]);
    expect(message?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(Number(message?.Attributes?.SentTimestamp)).toBeGreaterThan(1_700_000_000_000);
  });

  it('hides received messages until they are deleted or their visibility changes', async () => {
    // prepare
    const queueUrl = await createQueue('visibility');
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'one' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    // act
    const whileHidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    const counts = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle, VisibilityTimeout: 0 }));
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: again.Messages?.[0]?.ReceiptHandle }));
    const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    // assess
    expect(whileHidden.Messages).toBeUndefined();
    expect(counts.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1', VisibilityTimeout: '30' });
    expect(counts.Attributes?.QueueArn).toBe('arn:aws:sqs:eu-west-1:000000000000:visibility');
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(after.Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('moves a message to the dead-letter queue once it was received maxReceiveCount times', async () => {
    // prepare
    const dlqUrl = await createQueue('orders-dlq');
    const queueUrl = await createQueue('orders', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:000000000000:orders-dlq', maxReceiveCount: 2 }),
    });
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));
    // act: two failed processing attempts, then a third receive
    for (let attempt = 0; attempt < 2; attempt++) {
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: received.Messages?.[0]?.ReceiptHandle, VisibilityTimeout: 0 }));
    }
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageSystemAttributeNames: ['All'] }));
    const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
    // assess
    expect(third.Messages).toBeUndefined();
    expect(dead.Messages?.[0]?.MessageId).toBe(sent.MessageId);
    expect(dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn).toBe('arn:aws:sqs:eu-west-1:000000000000:orders');
    expect(sources.queueUrls).toEqual([queueUrl]);
  });

  it('long polling returns as soon as a message arrives', async () => {
    // prepare
    const queueUrl = await createQueue('long-poll');
    // act
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'late' }));
    const received = await polling;
    // assess
    expect(received.Messages?.[0]?.Body).toBe('late');
  });

  it('answers a missing queue with QueueDoesNotExist (query-compatible error mapping)', async () => {
    // act
    const failure = await sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })).catch((error: unknown) => error);
    // assess
    expect(failure).toBeInstanceOf(QueueDoesNotExist);
    expect((failure as QueueDoesNotExist).message).toBe('The specified queue does not exist.');
  });

  it('rejects out-of-range parameters with InvalidParameterValue and conflicting re-creation with QueueNameExists', async () => {
    // prepare
    const queueUrl = await createQueue('limits', { VisibilityTimeout: '10' });
    // act
    const tooMany = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 11 })).catch((error: unknown) => error);
    const conflict = await sqs.send(new CreateQueueCommand({ QueueName: 'limits', Attributes: { VisibilityTimeout: '20' } })).catch((error: unknown) => error);
    const same = await sqs.send(new CreateQueueCommand({ QueueName: 'limits', Attributes: { VisibilityTimeout: '10' } }));
    const badAttribute = await sqs
      .send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { VisibilityTimeout: '50000' } }))
      .catch((error: unknown) => error);
    // assess
    expect((tooMany as SQSServiceException).name).toBe('InvalidParameterValue');
    expect((tooMany as Error).message).toContain('MaxNumberOfMessages');
    expect((conflict as SQSServiceException).name).toBe('QueueNameExists');
    expect(same.QueueUrl).toBe(queueUrl);
    expect((badAttribute as SQSServiceException).name).toBe('InvalidAttributeValue');
  });

  it('sends a batch with per-entry failures and deletes a batch', async () => {
    // prepare
    const queueUrl = await createQueue('batch');
    // act
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'first' },
          { Id: 'b', MessageBody: 'second', DelaySeconds: 901 },
          { Id: 'c', MessageBody: 'third' },
        ],
      }),
    );
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: (received.Messages ?? []).map((message, index) => ({ Id: `m${index}`, ReceiptHandle: message.ReceiptHandle })).concat([{ Id: 'bad', ReceiptHandle: 'not-a-handle!' }]),
      }),
    );
    // assess
    expect(sent.Successful?.map((entry) => entry.Id)).toEqual(['a', 'c']);
    expect(sent.Failed).toEqual([expect.objectContaining({ Id: 'b', SenderFault: true, Code: 'InvalidParameterValue' })]);
    expect(received.Messages?.map((message) => message.Body).sort()).toEqual(['first', 'third']);
    expect(deleted.Successful).toHaveLength(2);
    expect(deleted.Failed).toEqual([expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid' })]);
  });

  it('delivers a FIFO group in order, one in-flight batch at a time, and drops duplicates', async () => {
    // prepare
    const queueUrl = await createQueue('jobs.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    for (const body of ['1', '2', '3']) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageGroupId: 'g' }));
    const duplicate = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '1', MessageGroupId: 'g' }));
    // act
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 2 }));
    const blocked = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    for (const message of first.Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    const rest = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    const missingGroup = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })).catch((error: unknown) => error);
    // assess
    expect(duplicate.SequenceNumber).toBe('00000000000000000001');
    expect(first.Messages?.map((message) => message.Body)).toEqual(['1', '2']);
    expect(blocked.Messages).toBeUndefined();
    expect(rest.Messages?.map((message) => message.Body)).toEqual(['3']);
    expect((missingGroup as SQSServiceException).name).toBe('MissingParameter');
  });

  it('purges at most once a minute and deletes queues', async () => {
    // prepare
    const queueUrl = await createQueue('purge-me');
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }));
    // act
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    const second = await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl })).catch((error: unknown) => error);
    const afterPurge = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'purge' }));
    // assess
    expect((second as SQSServiceException).name).toBe('PurgeQueueInProgress');
    expect(afterPurge.Attributes?.ApproximateNumberOfMessages).toBe('0');
    expect(listed.QueueUrls ?? []).toEqual([]);
  });

  it('keeps queues and messages across a graceful stop and start (kill -9: tests/crash)', async () => {
    // prepare
    const queueUrl = await createQueue('durable');
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'survivor' }));
    // act
    await harness.restart();
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    // assess
    expect(received.Messages?.[0]?.Body).toBe('survivor');
    expect((harness.modules[0] as SqsModule).state[0]?.describe()).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'durable', inFlight: 1, depth: 0 })]),
    );
  });
});
