/**
 * The console's JSON API on a local cloud running SQS and EventBridge, driven
 * with the real SDK clients: events with their outcomes and filters, one event
 * with its contract, why a rule did not match, dead letters of a rule target
 * and of a queue redriven back, a flow's trace, and the live stream's batches
 * under a burst.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createSqsModule } from '../../src/services/sqs';
import { createEventBridgeModule } from '../../src/services/eventbridge';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const ACCOUNT = '000000000000';
const queueArn = (name: string) => `arn:aws:sqs:eu-west-1:${ACCOUNT}:${name}`;

let cloud: LocalCloud;
let events: EventBridgeClient;
let sqs: SQSClient;

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${cloud.endpoint}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

async function post<T>(path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${cloud.endpoint}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A CustomerCreated v1 event as customers publishes it (contract-valid). */
function customerCreated(correlationId: string, tier: string) {
  return {
    Source: 'kestrel.customers',
    DetailType: 'CustomerCreated',
    EventBusName: 'default',
    Detail: JSON.stringify({
      metadata: { eventId: randomUUID(), occurredAt: '2026-12-07T09:00:00.000Z', version: 1, correlationId, causationId: correlationId, producer: 'customers' },
      data: { customerId: 'c-1', tier },
    }),
  };
}

interface Batch {
  records: { type: string; outcome?: string }[];
  skipped: number;
}

/** Reads a Server-Sent Events stream's `batch` messages into `batches` until aborted. */
function readBatches(response: Response, batches: Batch[]): Promise<void> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  return (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const message = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = /^data: (.*)$/m.exec(message)?.[1];
        if (/^event: batch$/m.test(message) && data) batches.push(JSON.parse(data) as Batch);
      }
    }
  })().catch(() => undefined);
}

interface Summary {
  eventId: string;
  detailType: string;
  correlationId?: string;
  outcome: string;
  matchedRules: string[];
}

beforeAll(async () => {
  cloud = await startLocalCloud({ inMemory: true, modules: [createSqsModule, (context) => createEventBridgeModule(context, { runSchedules: false, retryTimeScale: 0.0001 })] });
  events = new EventBridgeClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials });
  sqs = new SQSClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials });
  // A rule whose target queue does not exist yet: its deliveries dead-letter at once (NO_RESOURCE).
  await sqs.send(new CreateQueueCommand({ QueueName: 'gold-customers-dlq' }));
  await events.send(new PutRuleCommand({ Name: 'gold-customers', EventPattern: JSON.stringify({ source: ['kestrel.customers'], detail: { data: { tier: ['gold'] } } }) }));
  await events.send(
    new PutTargetsCommand({ Rule: 'gold-customers', Targets: [{ Id: 'queue', Arn: queueArn('gold-customers'), DeadLetterConfig: { Arn: queueArn('gold-customers-dlq') }, RetryPolicy: { MaximumRetryAttempts: 0 } }] }),
  );
}, 60_000);

afterAll(async () => {
  events?.destroy();
  sqs?.destroy();
  await cloud?.stop();
});

describe('the console API', () => {
  const flow = `flow-${randomUUID()}`;
  let gold: string;
  let silver: string;

  it('lists events newest first with outcomes, filters them and shows one in full with its contract', async () => {
    const put = await events.send(new PutEventsCommand({ Entries: [customerCreated(flow, 'gold'), customerCreated(flow, 'silver')] }));
    [gold, silver] = (put.Entries ?? []).map((entry) => entry.EventId as string) as [string, string];

    const listed = await until(
      () => get<{ events: Summary[]; total: number }>(`/_local/events?correlationId=${flow}`),
      ({ body }) => body.events.some((event) => event.outcome === 'dead-lettered'),
    );
    expect(listed.body.total).toBe(2);
    expect(listed.body.events.map((event) => [event.eventId, event.outcome, event.matchedRules])).toEqual([
      [silver, 'unmatched', []],
      [gold, 'dead-lettered', ['gold-customers']],
    ]);
    const deadLettered = await get<{ events: Summary[] }>(`/_local/events?correlationId=${flow}&outcome=dead-lettered`);
    expect(deadLettered.body.events.map((event) => event.eventId)).toEqual([gold]);
    const byService = await get<{ total: number }>(`/_local/events?service=customers&detailType=CustomerCreated`);
    expect(byService.body.total).toBeGreaterThanOrEqual(2);
    const refused = await get<{ error: string; field: string }>('/_local/events?outcome=lost');
    expect(refused).toMatchObject({ status: 400, body: { field: 'outcome' } });

    const detail = await get<{
      event: { id: string; detail: unknown };
      version: number;
      producer: string;
      targetOutcomes: { rule: string; outcome: string; attempts: number; reason: string }[];
      contract: { found: boolean; key: string; valid: boolean; schema: { title: string }; issues: { path: string }[] };
    }>(`/_local/events/${gold}`);
    expect(detail.body).toMatchObject({ event: { id: gold }, version: 1, producer: 'customers' });
    expect(detail.body.targetOutcomes).toEqual([
      expect.objectContaining({ rule: 'gold-customers', outcome: 'dead-lettered', attempts: 1, reason: expect.stringContaining('NO_RESOURCE') }),
    ]);
    // The test's CustomerCreated carries only some of the contract's data fields: the console says which are missing.
    expect(detail.body.contract).toMatchObject({ found: true, valid: false, schema: { title: 'CustomerCreated v1' } });
    expect(JSON.stringify(detail.body.contract.issues)).toContain('detail.data');
    expect((await get('/_local/events/no-such-event')).status).toBe(404);
  });

  it('explains which field of the rule failed for an event it did not match', async () => {
    const { body } = await get<{ results: { rule: { name: string }; matches: boolean; explained: { failedField?: string; fields: { field: string; expected: unknown[]; actual: unknown[]; passed: boolean }[] }[] }[] }>(
      `/_local/explain?eventId=${silver}&rule=gold-customers`,
    );
    expect(body.results).toHaveLength(1);
    expect(body.results[0]).toMatchObject({ rule: { name: 'gold-customers' }, matches: false });
    expect(body.results[0]?.explained[0]?.failedField).toBe('detail.data.tier');
    expect(body.results[0]?.explained[0]?.fields).toContainEqual({ field: 'detail.data.tier', expected: ['gold'], actual: ['silver'], passed: false });

    const posted = await post<{ results: { matches: boolean }[] }>('/_local/explain', { eventId: gold, pattern: { detail: { data: { tier: [{ prefix: 'go' }] } } } });
    expect(posted.body.results[0]?.matches).toBe(true);
    const invalid = await post<{ field: string; error: string }>('/_local/explain', { eventId: gold, pattern: { source: 'x' } });
    expect(invalid).toMatchObject({ status: 400, body: { field: 'pattern' } });
  });

  it('shows the rule target’s dead letter with its error, and a redrive delivers it once the target exists', async () => {
    const dlqs = await get<{ queues: { name: string; depth: number; origins: { kind: string; rule?: string }[] }[] }>('/_local/dlq');
    expect(dlqs.body.queues).toContainEqual({ name: 'gold-customers-dlq', arn: queueArn('gold-customers-dlq'), depth: 1, origins: [expect.objectContaining({ kind: 'rule-dlq', rule: 'gold-customers' })] });
    const { body } = await get<{ messages: { messageId: string; eventId: string; attempts: number; error: { code: string }; origin: { rule: string } }[] }>('/_local/dlq/gold-customers-dlq/messages');
    expect(body.messages).toEqual([expect.objectContaining({ eventId: gold, attempts: 1, error: expect.objectContaining({ code: 'NO_RESOURCE' }), origin: expect.objectContaining({ rule: 'gold-customers' }) })]);

    // Fix the consumer, then redrive.
    await sqs.send(new CreateQueueCommand({ QueueName: 'gold-customers' }));
    const redriven = await post<{ redriven: number; failed: number }>('/_local/dlq/gold-customers-dlq/redrive', { messageIds: [body.messages[0]?.messageId] });
    expect(redriven.body).toMatchObject({ redriven: 1, failed: 0 });

    const detail = await until(
      () => get<{ outcome: string; targetOutcomes: { outcome: string; attempts: number }[] }>(`/_local/events/${gold}`),
      ({ body: event }) => event.outcome === 'delivered',
    );
    expect(detail.body.targetOutcomes).toEqual([expect.objectContaining({ outcome: 'delivered', attempts: 2 })]);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/gold-customers`, WaitTimeSeconds: 1 }));
    expect(JSON.parse(received.Messages?.[0]?.Body ?? '{}')).toMatchObject({ id: gold });
    expect((await get<{ queues: { name: string; depth: number }[] }>('/_local/dlq')).body.queues.find((queue) => queue.name === 'gold-customers-dlq')?.depth).toBe(0);
  });

  it('redrives a queue’s dead letters with a message move task, and deletes one', async () => {
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'work-dlq' }))).QueueUrl as string;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn as string;
    const workUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'work', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) } }))).QueueUrl as string;
    for (const body of ['one', 'two']) await sqs.send(new SendMessageCommand({ QueueUrl: workUrl, MessageBody: body }));
    // Received once and not deleted, each moves to the DLQ on the next receive.
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: workUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: workUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));

    const letters = await get<{ messages: { messageId: string; body: string; attempts: number; origin: { kind: string; sourceQueue: string } }[] }>('/_local/dlq/work-dlq/messages');
    expect(letters.body.messages.map((message) => [message.body, message.attempts, message.origin])).toEqual(
      expect.arrayContaining([
        ['one', 1, { kind: 'queue-dlq', sourceQueue: 'work' }],
        ['two', 1, { kind: 'queue-dlq', sourceQueue: 'work' }],
      ]),
    );
    const two = letters.body.messages.find((message) => message.body === 'two')?.messageId as string;
    const deleted = await fetch(`${cloud.endpoint}/_local/dlq/work-dlq/messages/${two}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);

    const redrive = await post<{ moveTask: { taskHandle: string; toMove: number } }>('/_local/dlq/work-dlq/redrive');
    expect(redrive.body.moveTask).toMatchObject({ toMove: 1 });
    const back = await until(
      () => sqs.send(new ReceiveMessageCommand({ QueueUrl: workUrl, WaitTimeSeconds: 1 })),
      (answer) => (answer.Messages?.length ?? 0) > 0,
    );
    expect(back.Messages?.map((message) => message.Body)).toEqual(['one']);
  });

  it('traces the flow: both events put and the target’s outcomes, in order', async () => {
    const { body } = await get<{ steps: { kind: string; title: string; eventId?: string }[] }>(`/_local/traces/${flow}`);
    expect(body.steps.map((step) => step.kind)).toEqual(['event.put', 'event.put', 'target.outcome', 'target.outcome']);
    expect(body.steps[0]?.title).toContain('kestrel.customers CustomerCreated v1 from customers on default');
    expect(body.steps.slice(2).map((step) => step.title)).toEqual([
      'rule gold-customers → queue gold-customers: dead-lettered',
      'rule gold-customers → queue gold-customers: delivered',
    ]);
    expect((await get('/_local/traces/nobody')).status).toBe(404);
  });

  it('streams a burst of 3,000 events as coalesced batches of at most 200, counting what it skipped', async () => {
    const controller = new AbortController();
    const response = await fetch(`${cloud.endpoint}/_local/events/stream?types=event.put&source=kestrel.burst`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const batches: Batch[] = [];
    const reading = readBatches(response, batches);

    const entry = { Source: 'kestrel.burst', DetailType: 'Tick', Detail: '{}' };
    for (let call = 0; call < 300; call += 10) {
      await Promise.all(Array.from({ length: 10 }, () => events.send(new PutEventsCommand({ Entries: Array.from({ length: 10 }, () => entry) }))));
    }
    const seen = () => batches.reduce((sum, batch) => sum + batch.records.length + batch.skipped, 0);
    await until(async () => seen(), (count) => count >= 3000);
    controller.abort();
    await reading;

    expect(seen()).toBe(3000);
    expect(batches.every((batch) => batch.records.length <= 200)).toBe(true);
    // 3,000 events came in far fewer messages than events.
    expect(batches.length).toBeLessThan(300);
  });

  it('streams the later outcomes of an event put before the stream opened (a redrive), to a stream filtered on its flow', async () => {
    // prepare: an event dead-lettered (its target queue missing) before the stream opens
    const late = `flow-${randomUUID()}`;
    await events.send(new PutRuleCommand({ Name: 'late-customers', EventPattern: JSON.stringify({ detail: { metadata: { correlationId: [late] } } }) }));
    await events.send(new PutTargetsCommand({ Rule: 'late-customers', Targets: [{ Id: 'queue', Arn: queueArn('late-customers'), DeadLetterConfig: { Arn: queueArn('gold-customers-dlq') } }] }));
    await events.send(new PutEventsCommand({ Entries: [customerCreated(late, 'bronze')] }));
    await until(() => get<{ events: Summary[] }>(`/_local/events?correlationId=${late}`), ({ body }) => body.events[0]?.outcome === 'dead-lettered');
    const controller = new AbortController();
    const response = await fetch(`${cloud.endpoint}/_local/events/stream?correlationId=${late}`, { signal: controller.signal });
    const batches: Batch[] = [];
    const reading = readBatches(response, batches);

    // act: fix the target, redrive the dead letter
    await sqs.send(new CreateQueueCommand({ QueueName: 'late-customers' }));
    await post('/_local/dlq/gold-customers-dlq/redrive');
    const outcomes = () => batches.flatMap((batch) => batch.records).filter((record) => record.type === 'target.outcome');
    await until(async () => outcomes().length, (count) => count > 0);
    controller.abort();
    await reading;

    // assess
    expect(outcomes().map((record) => record.outcome)).toEqual(['delivered']);
  });
});
