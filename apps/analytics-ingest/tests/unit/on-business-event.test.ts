import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PutRecordBatchCommand, PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import { UserRegisteredV1, UserSignedInV1 } from '@kestrel/contracts';
import { FirehoseSender } from '../../src/adapters/firehose-sender';
import { createPseudonymiser } from '../../src/domain';
import { handler, ingestBatch } from '../../src/handlers/on-business-event';
import type { QueueRecord } from '../../src/handlers/on-business-event';
import { eventBridgeEvent, TEST_KEY } from '../fixtures/events';

/** A Firehose double refusing, every time, the records that contain a marker; keeps what it accepted. */
function firehoseRefusing(marker?: string) {
  const accepted: string[] = [];
  return {
    accepted,
    async send(command: PutRecordBatchCommand): Promise<PutRecordBatchCommandOutput> {
      const responses = (command.input.Records ?? []).map((record, i) => {
        const text = Buffer.from(record.Data as Uint8Array).toString('utf8');
        if (marker !== undefined && text.includes(marker)) return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' };
        accepted.push(text);
        return { RecordId: `r${i}` };
      });
      return { FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length, RequestResponses: responses, $metadata: {} };
    },
  };
}

const runtime = (client: ReturnType<typeof firehoseRefusing>) => ({
  service: 'analytics-ingest',
  pseudonymise: createPseudonymiser(TEST_KEY),
  sender: new FirehoseSender({ client, deliveryStreamName: 'raw-events', maxAttempts: 3, sleep: async () => undefined }),
});

const message = (event: unknown): QueueRecord => ({ messageId: randomUUID(), body: typeof event === 'string' ? event : JSON.stringify(event) });
const eventIdOf = (record: QueueRecord) => (JSON.parse(record.body) as { detail: { metadata: { eventId: string } } }).detail.metadata.eventId;

function signIn(n: number) {
  return eventBridgeEvent(UserSignedInV1, { userId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, clientId: 'web', method: 'password', signedInAt: '2026-01-15T09:00:00.000Z' });
}

/** The parts of Lambda's context the observability wrapper reads. */
const lambdaContext = (awsRequestId: string) => ({ awsRequestId, functionName: 'kestrel-staging-analytics-ingest-ingest' }) as Context;

/** A batch log that keeps what it was told. */
function memoryLog() {
  const entries: { level: 'warn' | 'error'; message: string; extra: Record<string, unknown> }[] = [];
  return {
    entries,
    warn: (message: string, extra: Record<string, unknown>) => void entries.push({ level: 'warn', message, extra }),
    error: (message: string, extra: Record<string, unknown>) => void entries.push({ level: 'error', message, extra }),
  };
}

afterEach(() => vi.restoreAllMocks());

describe('ingest handler: an SQS batch of EventBridge events', () => {
  it('delivers every event of a clean batch and reports no failures', async () => {
    // prepare
    const records = Array.from({ length: 20 }, (_, n) => message(signIn(n)));
    const firehose = firehoseRefusing();

    // act
    const response = await ingestBatch(records, runtime(firehose));

    // assess
    expect(response).toEqual({ batchItemFailures: [] });
    const delivered = firehose.accepted.join('');
    for (const record of records) expect(delivered).toContain(eventIdOf(record));
    expect(firehose.accepted.length).toBeLessThan(records.length);
  });

  it('names exactly the messages whose events sit in a record Firehose kept refusing', async () => {
    // prepare: one registration among sign-ins; Firehose refuses whatever record carries it
    const registration = eventBridgeEvent(UserRegisteredV1, UserRegisteredV1.example);
    const records = [...Array.from({ length: 30 }, (_, n) => message(signIn(n))), message(registration)];
    const refused = eventIdOf(records[30] as QueueRecord);
    const firehose = firehoseRefusing(refused);

    // act
    const { batchItemFailures } = await ingestBatch(records, runtime(firehose));

    // assess: the failed messages are those not delivered, and only those
    const delivered = firehose.accepted.join('');
    const undelivered = records.filter((record) => !delivered.includes(eventIdOf(record))).map((record) => record.messageId);
    expect(batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(undelivered.sort());
    expect(batchItemFailures.map((failure) => failure.itemIdentifier)).toContain(records[30]?.messageId);
    expect(batchItemFailures.length).toBeLessThan(records.length);
  });

  it('quarantines a body that is not an event instead of failing it', async () => {
    // prepare
    const records = [message('not json at all'), message({ source: 'kestrel.billing', 'detail-type': 'InvoicePaid', detail: { metadata: { version: 1 }, data: {} } })];
    const firehose = firehoseRefusing();

    const log = memoryLog();

    // act
    const response = await ingestBatch(records, runtime(firehose), log);

    // assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(log.entries.map((entry) => [entry.level, entry.message, (entry.extra.reason as { code: string }).code]).sort()).toEqual([
      ['warn', 'event quarantined', 'not-an-event'],
      ['warn', 'event quarantined', 'unknown-contract'],
    ]);
    const rows = firehose.accepted.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { zone: string; reason: { code: string } });
    expect(rows.map((row) => [row.zone, row.reason.code]).sort()).toEqual([
      ['quarantine', 'not-an-event'],
      ['quarantine', 'unknown-contract'],
    ]);
  });

  it('refuses an event that is not an SQS batch, naming what it expects, in a log line carrying the correlation id', async () => {
    // prepare: the structured logger writes one JSON object per line
    const lines: Record<string, unknown>[] = [];
    const capture = (chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter((l) => l.trim().startsWith('{'))) lines.push(JSON.parse(line) as Record<string, unknown>);
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const event = signIn(1);

    // act
    const invoke = handler(event, lambdaContext('request-1'));

    // assess
    await expect(invoke).rejects.toThrow('analytics-ingest expects an SQS event (Records[] with messageId and body) from its subscription queue');
    const failure = lines.find((line) => line.message === 'invocation failed');
    expect(failure).toMatchObject({ service: 'analytics-ingest', function: 'ingest', correlation_id: event.detail.metadata.correlationId });
  });
});
