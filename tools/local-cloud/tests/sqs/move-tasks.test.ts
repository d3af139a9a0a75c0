/**
 * DLQ redrive (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask)
 * through the real SDK: messages go back where they came from with their
 * bodies and attributes, and none is lost or duplicated when a task is
 * cancelled or the local cloud stops mid-task.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  type SQSServiceException,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsModule } from '../../src/services/sqs';
import { clientConfig, startHarness, type Harness } from './harness';

const arn = (name: string) => `arn:aws:sqs:eu-west-1:000000000000:${name}`;

describe('SQS message move tasks through the SDK', () => {
  let harness: Harness;
  let sqs: SQSClient;

  beforeAll(async () => {
    harness = await startHarness([createSqsModule], { dataDir: mkdtempSync(join(tmpdir(), 'sqs-move-')) });
    sqs = new SQSClient({ ...clientConfig(harness.edge.endpoint), maxAttempts: 1 });
  });

  afterAll(async () => {
    sqs.destroy();
    await harness.stop();
  });

  /** A source queue whose messages go to its DLQ after one receive. */
  async function queuePair(name: string): Promise<{ sourceUrl: string; dlqUrl: string }> {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const source = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: { VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(`${name}-dlq`), maxReceiveCount: 1 }) },
      }),
    );
    return { sourceUrl: source.QueueUrl as string, dlqUrl: dlq.QueueUrl as string };
  }

  async function sendNumbered(queueUrl: string, count: number): Promise<void> {
    for (let first = 0; first < count; first += 10) {
      const ids = Array.from({ length: Math.min(10, count - first) }, (_, index) => first + index);
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: ids.map((id) => ({
            Id: `m${id}`,
            MessageBody: JSON.stringify({ id }),
            MessageAttributes: { kind: { DataType: 'String', StringValue: `kind-${id}` }, raw: { DataType: 'Binary', BinaryValue: new Uint8Array([id]) } },
          })),
        }),
      );
    }
  }

  /** Receives (and deletes) every message of a queue. */
  async function drainInto(queueUrl: string): Promise<Array<{ body: string; kind?: string; raw?: number }>> {
    const seen: Array<{ body: string; kind?: string; raw?: number }> = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
      if (Messages.length === 0) return seen;
      for (const message of Messages) {
        seen.push({ body: message.Body as string, kind: message.MessageAttributes?.kind?.StringValue, raw: message.MessageAttributes?.raw?.BinaryValue?.[0] });
      }
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }));
    }
  }

  /** Receives until nothing is visible, without deleting: with maxReceiveCount 1, the second round sends each message to the DLQ. */
  async function receiveWithoutDeleting(queueUrl: string): Promise<number> {
    let received = 0;
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
      if (Messages.length === 0) return received;
      received += Messages.length;
    }
  }

  async function depth(queueUrl: string): Promise<number> {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
  }

  async function latestTask(dlqName: string): Promise<ListMessageMoveTasksResultEntry> {
    const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn(dlqName) }));
    return Results[0] as ListMessageMoveTasksResultEntry;
  }

  async function settled(dlqName: string): Promise<ListMessageMoveTasksResultEntry> {
    for (;;) {
      const task = await latestTask(dlqName);
      if (task.Status !== 'RUNNING') return task;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends `count` messages and pushes every one of them into the DLQ. */
  async function deadLetters(name: string, count: number) {
    const pair = await queuePair(name);
    await sendNumbered(pair.sourceUrl, count);
    // A visibility timeout of 0 makes every receive a new one: each message is received once, then redriven.
    expect(await receiveWithoutDeleting(pair.sourceUrl)).toBe(count);
    expect(await depth(pair.dlqUrl)).toBe(count);
    return pair;
  }

  it('moves dead letters back to their source queue with bodies and attributes', async () => {
    // prepare
    const { sourceUrl, dlqUrl } = await deadLetters('orders', 12);
    // act
    const started = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('orders-dlq') }));
    const task = await settled('orders-dlq');
    // assess
    expect(started.TaskHandle).toEqual(expect.any(String));
    expect(task).toMatchObject({ Status: 'COMPLETED', SourceArn: arn('orders-dlq'), ApproximateNumberOfMessagesMoved: 12, ApproximateNumberOfMessagesToMove: 12 });
    expect(task.TaskHandle).toBeUndefined();
    expect(task.DestinationArn).toBeUndefined();
    expect(await depth(dlqUrl)).toBe(0);
    const back = await drainInto(sourceUrl);
    expect(back.map((message) => JSON.parse(message.body).id).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    for (const message of back) {
      const id = JSON.parse(message.body).id as number;
      expect(message).toMatchObject({ kind: `kind-${id}`, raw: id });
    }
  });

  it('moves to an explicit destination at the given rate and lists it', async () => {
    // prepare
    const { dlqUrl } = await deadLetters('payments', 3);
    const elsewhere = await sqs.send(new CreateQueueCommand({ QueueName: 'payments-replay' }));
    // act
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('payments-dlq'), DestinationArn: arn('payments-replay'), MaxNumberOfMessagesPerSecond: 100 }));
    const task = await settled('payments-dlq');
    // assess
    expect(task).toMatchObject({ Status: 'COMPLETED', DestinationArn: arn('payments-replay'), MaxNumberOfMessagesPerSecond: 100, ApproximateNumberOfMessagesMoved: 3 });
    expect(await depth(dlqUrl)).toBe(0);
    expect(await depth(elsewhere.QueueUrl as string)).toBe(3);
  });

  it('cancels a running task: every message is in exactly one of the two queues', async () => {
    // prepare
    const { sourceUrl, dlqUrl } = await deadLetters('slow', 30);
    // act
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('slow-dlq'), MaxNumberOfMessagesPerSecond: 2 }));
    const running = await latestTask('slow-dlq');
    const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    const task = await latestTask('slow-dlq');
    // assess
    expect(running).toMatchObject({ Status: 'RUNNING', TaskHandle });
    expect(task).toMatchObject({ Status: 'CANCELLED', ApproximateNumberOfMessagesMoved: cancelled.ApproximateNumberOfMessagesMoved });
    const moved = await drainInto(sourceUrl);
    const left = await drainInto(dlqUrl);
    expect(moved).toHaveLength(cancelled.ApproximateNumberOfMessagesMoved as number);
    const ids = [...moved, ...left].map((message) => JSON.parse(message.body).id as number).sort((a, b) => a - b);
    expect(ids).toEqual([...Array(30).keys()]);
  });

  it('refuses what AWS refuses, with the reason', async () => {
    // prepare
    await queuePair('refusals');
    const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: SQSServiceException) => ({ name: error.name, message: error.message }));
    // act
    const notADlq = await rejection(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('refusals') })));
    const missing = await rejection(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('nowhere') })));
    const badHandle = await rejection(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'not-a-handle' })));
    const missingDestination = await rejection(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('refusals-dlq'), DestinationArn: arn('nowhere') })));
    // assess
    expect(notADlq).toMatchObject({ name: 'InvalidParameterValue', message: expect.stringContaining('must be configured as a dead-letter queue') });
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', message: expect.stringContaining('SourceArn') });
    expect(badHandle).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(missingDestination).toMatchObject({ name: 'ResourceNotFoundException', message: expect.stringContaining('DestinationArn') });
  });

  it('fails a task whose message has no source to return to, keeping the message', async () => {
    // prepare: a message sent straight to the DLQ has no DeadLetterQueueSourceArn
    const { dlqUrl } = await queuePair('direct');
    await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: 'sent here directly' }));
    // act
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('direct-dlq') }));
    const task = await settled('direct-dlq');
    // assess
    expect(task).toMatchObject({ Status: 'FAILED', ApproximateNumberOfMessagesMoved: 0, FailureReason: expect.stringContaining('give a DestinationArn') });
    expect((await drainInto(dlqUrl)).map((message) => message.body)).toEqual(['sent here directly']);
  });

  it('a task interrupted by a stop is FAILED after the restart and no message is lost or doubled', async () => {
    // prepare
    await deadLetters('interrupted', 20);
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('interrupted-dlq'), MaxNumberOfMessagesPerSecond: 1 }));
    // act
    await harness.restart();
    const task = await latestTask('interrupted-dlq');
    // assess
    expect(task).toMatchObject({ Status: 'FAILED', FailureReason: expect.stringContaining('stopped while the task ran') });
    const moved = await drainInto(`${harness.edge.endpoint}/000000000000/interrupted`);
    const left = await drainInto(`${harness.edge.endpoint}/000000000000/interrupted-dlq`);
    expect(moved).toHaveLength(task.ApproximateNumberOfMessagesMoved as number);
    expect([...moved, ...left].map((message) => JSON.parse(message.body).id as number).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });
});
