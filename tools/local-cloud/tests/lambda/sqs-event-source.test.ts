/**
 * SQS → Lambda event source mappings through the edge, with the real SDK:
 * a stack (queues with redrive, functions, mappings) applied from Terraform
 * JSON, messages sent with SendMessageBatch, the function's own log of
 * what each invocation received, and the local cloud's log of the batches a
 * throttled function never received.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { lambdaModuleFactory } from '../../src/services/lambda';
import type { LambdaModule } from '../../src/services/lambda';
import { failedItems } from '../../src/services/lambda/sqs-event-source';
import { createSqsModule } from '../../src/services/sqs';

/**
 * The consumer: logs each batch (one JSON line per invocation) and answers by
 * what the messages ask: `fail` → named in batchItemFailures, `throw` → the
 * invocation throws, `sleep` → takes that long.
 */
const CONSUMER = `
import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  const records = event.Records;
  appendFileSync(process.env.BATCH_LOG, JSON.stringify({ queue: records[0].eventSourceARN.split(':').pop(), records: records.map((r) => ({
    messageId: r.messageId, body: JSON.parse(r.body), receiveCount: r.attributes.ApproximateReceiveCount, shape: {
      eventSource: r.eventSource, awsRegion: r.awsRegion, receiptHandle: typeof r.receiptHandle, sentTimestamp: /^\\d{13}$/.test(r.attributes.SentTimestamp),
      firstReceive: /^\\d{13}$/.test(r.attributes.ApproximateFirstReceiveTimestamp), md5OfBody: r.md5OfBody.length, messageAttributes: r.messageAttributes } })) }) + '\\n');
  const asks = records.map((r) => JSON.parse(r.body));
  const sleep = asks.find((a) => a.sleep);
  if (sleep) await new Promise((resolve) => setTimeout(resolve, sleep.sleep));
  if (asks.some((a) => a.throw)) throw new Error('this batch fails');
  return { batchItemFailures: records.filter((r) => JSON.parse(r.body).fail).map((r) => ({ itemIdentifier: r.messageId })) };
};
`;

interface LoggedBatch {
  queue: string;
  records: Array<{ messageId: string; body: { n: number; fail?: boolean; throw?: boolean }; receiveCount: string; shape: Record<string, unknown> }>;
}

const queueName = (name: string) => `esm-${name}`;

function mapping(queue: string, overrides: Record<string, unknown> = {}) {
  return {
    function_name: '${aws_lambda_function.consumer.arn}',
    event_source_arn: `\${aws_sqs_queue.${queue}.arn}`,
    batch_size: 25,
    maximum_batching_window_in_seconds: 1,
    function_response_types: ['ReportBatchItemFailures'],
    ...overrides,
  };
}

/**
 * The queues of the throttling tests, each with its own consumer (reserved concurrency) and mapping (one message a
 * batch, so the five pollers hold five batches): `maxReceiveCount` and, for `bounded`, `scaling_config`.
 */
const THROTTLED = {
  'throttled-once': { reserved: 1, maxReceiveCount: 1 },
  'throttled-retried': { reserved: 1, maxReceiveCount: 3 },
  bounded: { reserved: 2, maxReceiveCount: 1, maximumConcurrency: 2 },
} as const;
type ThrottledQueue = keyof typeof THROTTLED;

/** A synthesized-stack folder: the consumers as a directory asset, six queues with dead-letter queues, six mappings. */
function writeStack(root: string, batchLog: string, overrides: { paused?: Record<string, unknown> } = {}): string {
  const stackDir = join(root, 'stacks', 'esm');
  mkdirSync(join(stackDir, 'assets', 'consumer', 'HASH'), { recursive: true });
  writeFileSync(join(stackDir, 'assets', 'consumer', 'HASH', 'index.mjs'), CONSUMER);
  const queue = (name: string, visibility: number, maxReceiveCount = 2) => ({
    name: queueName(name),
    visibility_timeout_seconds: visibility,
    redrive_policy: `{"deadLetterTargetArn":"\${aws_sqs_queue.${name}-dlq.arn}","maxReceiveCount":${maxReceiveCount}}`,
  });
  const consumer = (name: string, timeout: number, reserved?: number) => ({
    function_name: name,
    handler: 'index.handler',
    runtime: 'nodejs24.x',
    filename: 'assets/consumer/HASH',
    role: 'arn:aws:iam::000000000000:role/esm-consumer',
    timeout,
    ...(reserved === undefined ? {} : { reserved_concurrent_executions: reserved }),
    environment: { variables: { BATCH_LOG: batchLog } },
  });
  const throttled = Object.entries(THROTTLED);
  const queues = {
    // 'batched' must not redeliver a batch still being handled: on a loaded machine (two cores shared by
    // parallel suites) a cold start plus a batch took over 2 s and came back as duplicates. 6 s keeps a
    // margin while its partial-batch retries still fit the test's time.
    batched: queue('batched', 6),
    thrown: queue('thrown', 2),
    paused: queue('paused', 2),
    // The same margin, so a batch the function did receive never comes back while it runs.
    ...Object.fromEntries(throttled.map(([name, settings]) => [name, queue(name, 6, settings.maxReceiveCount)])),
  };
  const document = {
    resource: {
      aws_sqs_queue: Object.fromEntries(Object.entries(queues).flatMap(([name, config]) => [[name, config], [`${name}-dlq`, { name: queueName(`${name}-dlq`) }]])),
      aws_lambda_function: {
        consumer: consumer('esm-consumer', 2),
        ...Object.fromEntries(throttled.map(([name, settings]) => [name, consumer(`esm-${name}`, 5, settings.reserved)])),
      },
      aws_lambda_event_source_mapping: {
        batched: mapping('batched'),
        thrown: mapping('thrown'),
        paused: mapping('paused', { enabled: false, ...overrides.paused }),
        ...Object.fromEntries(
          throttled.map(([name, settings]) => [
            name,
            mapping(name, {
              function_name: `\${aws_lambda_function.${name}.arn}`,
              batch_size: 1,
              maximum_batching_window_in_seconds: 0,
              function_response_types: [],
              ...('maximumConcurrency' in settings ? { scaling_config: { maximum_concurrency: settings.maximumConcurrency } } : {}),
            }),
          ]),
        ),
      },
    },
  };
  writeFileSync(join(stackDir, 'cdk.tf.json'), JSON.stringify(document));
  return stackDir;
}

let cloud: LocalCloud;
let sqs: SQSClient;
let root: string;
let batchLog: string;
let stackDir: string;
/** The local cloud's log lines of batches given back because the function stayed throttled. */
const givenBack: Array<{ queue: string; messageIds: string[]; receiveCounts: number[]; attempts: number; reason: string }> = [];
const queueUrl = (name: string) => `${cloud.endpoint}/000000000000/${queueName(name)}`;

function batches(queue?: string): LoggedBatch[] {
  if (!existsSync(batchLog)) return [];
  return readFileSync(batchLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LoggedBatch)
    .filter((batch) => queue === undefined || batch.queue === queueName(queue));
}

async function send(queue: string, bodies: Array<Record<string, unknown>>): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < bodies.length; start += 10) {
    const entries = bodies.slice(start, start + 10).map((body, index) => ({
      Id: String(start + index),
      MessageBody: JSON.stringify(body),
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
    }));
    const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl(queue), Entries: entries }));
    ids.push(...(result.Successful ?? []).map((entry) => entry.MessageId as string));
  }
  return ids;
}

async function depth(queue: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl(queue), AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes.ApproximateNumberOfMessages), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible) };
}

/** Polls a condition (these tests wait on real visibility timeouts), failing with what was last seen. */
async function eventually<T>(probe: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met; last value: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function drainDeadLetters(queue: string): Promise<Array<{ id: string; receiveCount: number }>> {
  const found: Array<{ id: string; receiveCount: number }> = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(`${queue}-dlq`), MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    if (Messages.length === 0) return found;
    found.push(...Messages.map((m) => ({ id: m.MessageId as string, receiveCount: Number(m.Attributes?.ApproximateReceiveCount) })));
  }
}

const lambdaModule = () => cloud.modules.find((module) => module.name === 'lambda') as LambdaModule;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sqs-event-source-'));
  batchLog = join(root, 'batches.ndjson');
  stackDir = writeStack(root, batchLog);
  cloud = await startLocalCloud({
    inMemory: true,
    modules: [createSqsModule, lambdaModuleFactory({ runtimes: { fetchMissing: true } })],
    log: (message, fields) => {
      if (message.startsWith('lambda: batch given back')) givenBack.push({ ...(fields as (typeof givenBack)[number]), queue: String(fields?.queue).split(':').pop() as string });
    },
  });
  await cloud.applyStacks([stackDir]);
  sqs = new SQSClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  await cloud?.stop();
  rmSync(root, { recursive: true, force: true });
}, 30_000);

/** What became of each message sent to a throttling test's queue, once every one is accounted for. */
async function settle(queue: ThrottledQueue, ids: readonly string[]) {
  const deadLettered: Array<{ id: string; receiveCount: number }> = [];
  const delivered = () => batches(queue).flatMap((batch) => batch.records);
  await eventually(
    async () => {
      deadLettered.push(...(await drainDeadLetters(queue)));
      return new Set([...delivered().map((record) => record.messageId), ...deadLettered.map((message) => message.id)]).size;
    },
    (accounted) => accounted >= ids.length,
    90_000,
  );
  const remaining = await eventually(() => depth(queue), (d) => d.visible + d.inFlight === 0);
  const mappings = (await cloud.state()).eventSourceMappings as Array<Record<string, unknown> & { eventSourceArn: string }>;
  const timesGivenBack = (id: string) => givenBack.filter((entry) => entry.queue === queueName(queue) && entry.messageIds.includes(id)).length;
  return {
    delivered: delivered(),
    // A drain receives without deleting; a message seen twice (its visibility timeout passed) is one message.
    deadLettered: [...new Set(deadLettered.map((message) => message.id))],
    remaining,
    timesGivenBack,
    givenBack: givenBack.filter((entry) => entry.queue === queueName(queue)),
    mapping: mappings.find((entry) => entry.eventSourceArn.endsWith(`:${queueName(queue)}`)) as Record<string, unknown>,
  };
}

/** None lost, none twice: each message sent was received by the function or dead-lettered, and the queue is empty. */
function expectEachDeliveredOrDeadLetteredOnce(outcome: Awaited<ReturnType<typeof settle>>, ids: readonly string[]): void {
  expect([...outcome.delivered.map((record) => record.messageId), ...outcome.deadLettered].sort()).toEqual([...ids].sort());
  expect(outcome.remaining).toEqual({ visible: 0, inFlight: 0 });
}

// Each message makes its invocation last 300 ms. The five pollers each hold a message; the other four retry with
// backoff for the 1 s their visibility timeout (6 s) leaves after the function's timeout (5 s), in which the function's
// one slot runs three batches at most (fewer after a cold start): some batches are given back.
const slowMessages = (count: number) => Array.from({ length: count }, (_, n) => ({ n, sleep: 300 }));

describe('SQS event source mapping of a throttled function (as Lambda documents it for SQS)', () => {
  it('retries a throttled batch while its visibility timeout allows, then gives it back: that receive counts, so maxReceiveCount 1 dead-letters it', async () => {
    // prepare: reserved concurrency 1, five pollers
    const ids = await send('throttled-once', slowMessages(20));

    // act
    const outcome = await settle('throttled-once', ids);

    // assess: each message the function never received was given back once, then dead-lettered
    expectEachDeliveredOrDeadLetteredOnce(outcome, ids);
    expect(outcome.deadLettered.length).toBeGreaterThan(0);
    for (const id of outcome.deadLettered) expect(outcome.timesGivenBack(id)).toBe(1);
    for (const record of outcome.delivered) expect([record.receiveCount, outcome.timesGivenBack(record.messageId)]).toEqual(['1', 0]);
    for (const entry of outcome.givenBack) {
      expect(entry.reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
      expect(entry.attempts).toBeGreaterThan(1);
    }
    expect(outcome.mapping).toMatchObject({ deleted: outcome.delivered.length, throttledMessages: outcome.deadLettered.length, failedBatches: 0 });
    expect(outcome.mapping.throttles).toBeGreaterThan(outcome.givenBack.length);
  }, 120_000);

  it('counts each throttled receive in ApproximateReceiveCount: a message given back n times arrives with n + 1, or is dead-lettered at maxReceiveCount', async () => {
    // prepare: reserved concurrency 1, maxReceiveCount 3
    const ids = await send('throttled-retried', slowMessages(20));

    // act
    const outcome = await settle('throttled-retried', ids);

    // assess
    expectEachDeliveredOrDeadLetteredOnce(outcome, ids);
    expect(outcome.givenBack.length).toBeGreaterThan(0);
    for (const record of outcome.delivered) expect(Number(record.receiveCount)).toBe(1 + outcome.timesGivenBack(record.messageId));
    for (const id of outcome.deadLettered) expect(outcome.timesGivenBack(id)).toBe(THROTTLED['throttled-retried'].maxReceiveCount);
    for (const entry of outcome.givenBack) expect(entry.receiveCounts.every((count) => count >= 1 && count <= 3)).toBe(true);
  }, 120_000);

  it('keeps every message out of the dead-letter queue with scaling_config.maximum_concurrency no higher than the reserved concurrency', async () => {
    // prepare: reserved concurrency 2, maximum_concurrency 2, maxReceiveCount 1 (a single throttled receive would dead-letter)
    const ids = await send('bounded', slowMessages(20));

    // act
    const outcome = await settle('bounded', ids);

    // assess
    expectEachDeliveredOrDeadLetteredOnce(outcome, ids);
    expect(outcome.deadLettered).toEqual([]);
    expect(outcome.delivered.every((record) => record.receiveCount === '1')).toBe(true);
    expect(outcome.mapping).toMatchObject({ scalingConfig: { maximumConcurrency: 2 }, concurrentBatches: 2, throttles: 0, throttledBatches: 0, deleted: 20 });
    expect(lambdaModule().service.registry.get('esm-bounded')?.counters.throttles).toBe(0);
  }, 120_000);
});

describe('SQS event source mapping', () => {
  it('delivers every message once, in batches of at most batch_size, in SQS\'s event shape, and deletes them', async () => {
    // prepare
    const ids = await send('batched', Array.from({ length: 60 }, (_, n) => ({ n })));

    // act
    const seen = await eventually(
      () => batches('batched'),
      (logged) => logged.flatMap((batch) => batch.records).length >= 60,
    );
    const remaining = await eventually(() => depth('batched'), (d) => d.visible + d.inFlight === 0);

    // assess
    const records = seen.flatMap((batch) => batch.records);
    expect(records.map((record) => record.messageId).sort()).toEqual([...ids].sort());
    expect(Math.max(...seen.map((batch) => batch.records.length))).toBeLessThanOrEqual(25);
    expect(seen.length).toBeLessThan(60);
    expect(records[0]).toMatchObject({
      receiveCount: '1',
      shape: {
        eventSource: 'aws:sqs',
        awsRegion: 'eu-west-1',
        receiptHandle: 'string',
        sentTimestamp: true,
        firstReceive: true,
        md5OfBody: 32,
        messageAttributes: { kind: { stringValue: 'test', stringListValues: [], binaryListValues: [], dataType: 'String' } },
      },
    });
    expect(remaining).toEqual({ visible: 0, inFlight: 0 });
  });

  it('returns only the messages a partial batch response names, and moves them to the dead-letter queue after maxReceiveCount', async () => {
    // prepare
    const before = batches('batched').length;
    const bodies = Array.from({ length: 12 }, (_, n) => ({ n: 100 + n, fail: n % 4 === 0 }));
    const ids = await send('batched', bodies);
    const failing = ids.filter((_, index) => bodies[index]?.fail);

    // act: the failing ones come back after the 6 s visibility timeout, fail again, then move on
    const dead = await eventually(() => drainDeadLetters('batched'), (found) => found.length > 0, 40_000);
    const all = [...dead, ...(await eventually(() => drainDeadLetters('batched'), () => true))];
    const remaining = await depth('batched');

    // assess
    const records = batches('batched').slice(before).flatMap((batch) => batch.records);
    const deliveries = (id: string) => records.filter((record) => record.messageId === id).map((record) => record.receiveCount);
    expect(failing).toHaveLength(3);
    for (const id of failing) expect(deliveries(id)).toEqual(['1', '2']);
    for (const id of ids.filter((id) => !failing.includes(id))) expect(deliveries(id)).toEqual(['1']);
    expect(all.map((message) => message.id).sort()).toEqual([...failing].sort());
    expect(remaining).toEqual({ visible: 0, inFlight: 0 });
  }, 60_000);

  it('returns the whole batch when the function throws', async () => {
    // prepare: one message of the batch makes the invocation throw
    const ids = await send('thrown', [{ n: 1 }, { n: 2, throw: true }, { n: 3 }]);

    // act
    const dead = await eventually(
      () => drainDeadLetters('thrown'),
      (found) => found.length > 0,
    );
    const all = [...dead, ...(await eventually(() => drainDeadLetters('thrown'), () => true))];

    // assess: every message of the failed batch was received twice, then dead-lettered; each error halved the mapping's concurrent batches
    const records = batches('thrown').flatMap((batch) => batch.records);
    for (const id of ids) expect(records.filter((record) => record.messageId === id).map((record) => record.receiveCount)).toEqual(['1', '2']);
    expect(all.map((message) => message.id).sort()).toEqual([...ids].sort());
    const mappings = (await cloud.state()).eventSourceMappings as Array<{ eventSourceArn: string; concurrentBatches: number; failedBatches: number }>;
    expect(mappings.find((entry) => entry.eventSourceArn.endsWith(`:${queueName('thrown')}`))).toMatchObject({ failedBatches: 2, concurrentBatches: 1 });
  });

  it('leaves the queue alone while disabled, and consumes it once enabled', async () => {
    // prepare
    const ids = await send('paused', [{ n: 1 }, { n: 2 }]);
    const state = (await cloud.state()).eventSourceMappings as Array<{ eventSourceArn: string; state: string; batches: number }>;
    const paused = state.find((entry) => entry.eventSourceArn.endsWith(queueName('paused')));
    const waiting = await depth('paused');

    // act
    writeStack(root, batchLog, { paused: { enabled: true } });
    await cloud.applyStacks([stackDir]);
    const seen = await eventually(() => batches('paused'), (logged) => logged.flatMap((batch) => batch.records).length >= 2);

    // assess
    expect(paused).toMatchObject({ state: 'Disabled', batches: 0 });
    expect(waiting).toEqual({ visible: 2, inFlight: 0 });
    expect(seen.flatMap((batch) => batch.records).map((record) => record.messageId).sort()).toEqual([...ids].sort());
    expect(((await cloud.state()).eventSourceMappings as Array<{ state: string }>).map((entry) => entry.state)).toEqual(Array(6).fill('Enabled'));
  });

  it('stops cleanly: a batch in flight finishes and is deleted before stop resolves', async () => {
    // prepare
    const [id] = await send('batched', [{ n: 999, sleep: 1_000 }]);
    await eventually(() => batches('batched'), (logged) => logged.some((batch) => batch.records.some((record) => record.messageId === id)));

    // act
    await lambdaModule().eventSources.stop();
    const after = await depth('batched');

    // assess
    expect(after).toEqual({ visible: 0, inFlight: 0 });
    expect(lambdaModule().eventSources.all().map((entry) => entry.describe().deleted)).toContain(60 + 9 + 1);
  });
});

describe('mapping validation, as Lambda refuses it', () => {
  it.each([
    [{ batch_size: 50, maximum_batching_window_in_seconds: 0 }, /batch_size 50 is above 10, which needs maximum_batching_window_in_seconds of at least 1/],
    [{ batch_size: 10_001 }, /batch_size 10001 is outside 1\.\.10000/],
    [{ maximum_batching_window_in_seconds: 301 }, /maximum_batching_window_in_seconds 301 is outside 0\.\.300/],
    [{ event_source_arn: 'arn:aws:dynamodb:eu-west-1:000000000000:table/t/stream/1' }, /SQS queues only \(dynamodb sources are not emulated\)/],
    [{ filter_criteria: { filter: [{ pattern: '{}' }] } }, /filter_criteria is not emulated locally/],
    [{ scaling_config: { maximum_concurrency: 1 } }, /scaling_config\.maximum_concurrency 1 is outside 2\.\.1000/],
    [{ scaling_config: [{ maximum_concurrency: 1001 }] }, /scaling_config\.maximum_concurrency 1001 is outside 2\.\.1000/],
  ])('refuses %j', async (overrides, message) => {
    // prepare
    const dir = join(root, 'stacks', `invalid-${Object.keys(overrides).join('-')}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify({ resource: { aws_lambda_event_source_mapping: { bad: { ...mapping('batched'), function_name: 'esm-consumer', event_source_arn: `arn:aws:sqs:eu-west-1:000000000000:${queueName('batched')}`, ...overrides } } } }));

    // act
    const apply = cloud.applyStacks([dir]);

    // assess
    await expect(apply).rejects.toThrow(message);
  });
});

describe('reading a partial batch response', () => {
  const batch = new Set(['a', 'b']);

  it.each([
    ['null', new Set()],
    ['{}', new Set()],
    ['{"batchItemFailures":[]}', new Set()],
    ['{"batchItemFailures":null}', new Set()],
    ['{"batchItemFailures":[{"itemIdentifier":"b"}]}', new Set(['b'])],
    ['{"batchItemFailures":[{"itemIdentifier":"c"}]}', 'all'],
    ['{"batchItemFailures":[{"itemIdentifier":""}]}', 'all'],
    ['{"batchItemFailures":[{"itemIdentifier":null}]}', 'all'],
    ['{"batchItemFailures":[{"id":"a"}]}', 'all'],
    ['{"batchItemFailures":"a"}', 'all'],
    ['not json', 'all'],
  ])('%s → %o', (payload, expected) => {
    // act
    const result = failedItems(payload, batch);

    // assess
    expect(result).toEqual(expected);
  });
});
