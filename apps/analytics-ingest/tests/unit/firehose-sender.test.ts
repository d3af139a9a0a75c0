import { describe, expect, it } from 'vitest';
import { ResourceNotFoundException, ServiceUnavailableException } from '@aws-sdk/client-firehose';
import type { PutRecordBatchCommand, PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import { FirehoseDeliveryError, FirehoseSender } from '../../src/adapters/firehose-sender';

type Script = (records: string[], call: number) => PutRecordBatchCommandOutput | Error;

/** A Firehose client double: answers each PutRecordBatch from a script and records what was sent. */
function scriptedClient(script: Script) {
  const calls: string[][] = [];
  return {
    calls,
    async send(command: PutRecordBatchCommand): Promise<PutRecordBatchCommandOutput> {
      const records = (command.input.Records ?? []).map((record) => Buffer.from(record.Data as Uint8Array).toString());
      calls.push(records);
      const answer = script(records, calls.length);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

function answer(records: string[], refuse: (record: string) => string | undefined): PutRecordBatchCommandOutput {
  const responses = records.map((record, i) => {
    const code = refuse(record);
    return code ? { ErrorCode: code, ErrorMessage: 'Slow down.' } : { RecordId: `id-${i}` };
  });
  return { FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length, RequestResponses: responses, Encrypted: false, $metadata: {} };
}

const records = (count: number, prefix = 'r') => Array.from({ length: count }, (_, i) => Buffer.from(`${prefix}${i}`));
const noWait = { sleep: async () => undefined, random: () => 0.5 };

describe('FirehoseSender', () => {
  it('sends within PutRecordBatch limits: one call per 500 records', async () => {
    // prepare
    const client = scriptedClient((sent) => answer(sent, () => undefined));
    const sender = new FirehoseSender({ client, deliveryStreamName: 'raw-events', ...noWait });

    // act
    const report = await sender.send(records(1_001));

    // assess
    expect(client.calls.map((c) => c.length)).toEqual([500, 500, 1]);
    expect(report).toEqual({ records: 1_001, bytes: report.bytes, calls: 3, retriedRecords: 0, attempts: 1 });
  });

  it('resends only the records Firehose refused, until all are in', async () => {
    // prepare: r1 and r3 refused once, r3 refused twice
    const refusals = new Map([
      ['r1', 1],
      ['r3', 2],
    ]);
    const client = scriptedClient((sent) =>
      answer(sent, (record) => {
        const left = refusals.get(record) ?? 0;
        if (left === 0) return undefined;
        refusals.set(record, left - 1);
        return 'ServiceUnavailableException';
      }),
    );
    const sender = new FirehoseSender({ client, deliveryStreamName: 'raw-events', ...noWait });

    // act
    const report = await sender.send(records(5));

    // assess
    expect(client.calls).toEqual([['r0', 'r1', 'r2', 'r3', 'r4'], ['r1', 'r3'], ['r3']]);
    expect(report).toMatchObject({ calls: 3, retriedRecords: 3, attempts: 3 });
  });

  it('waits with exponential backoff and full jitter between attempts', async () => {
    // prepare
    const waits: number[] = [];
    const client = scriptedClient((sent) => answer(sent, () => 'ServiceUnavailableException'));
    const sender = new FirehoseSender({ client, deliveryStreamName: 'raw-events', maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5, sleep: async (ms) => void waits.push(ms) });

    // act
    await sender.send(records(1)).catch(() => undefined);

    // assess: half of min(1000, 100 * 2^n)
    expect(waits).toEqual([50, 100, 200, 400, 500]);
  });

  it('throws after the last attempt, naming how many records are left and why', async () => {
    // prepare
    const client = scriptedClient((sent) => answer(sent, (record) => (record === 'r2' ? 'ServiceUnavailableException' : undefined)));
    const sender = new FirehoseSender({ client, deliveryStreamName: 'raw-events', maxAttempts: 3, ...noWait });

    // act
    const failure = await sender.send(records(4)).catch((error: unknown) => error);

    // assess
    expect(failure).toBeInstanceOf(FirehoseDeliveryError);
    expect(failure).toMatchObject({ failedRecords: 1, errors: { ServiceUnavailableException: 1 }, retryable: true });
    expect((failure as Error).message).toBe('1 of 4 records were still refused by raw-events after 3 attempts (ServiceUnavailableException x1)');
    expect(client.calls).toHaveLength(3);
  });

  it('retries a whole call that was throttled, then carries on', async () => {
    // prepare
    const client = scriptedClient((sent, call) =>
      call === 1 ? new ServiceUnavailableException({ message: 'Slow down.', $metadata: { httpStatusCode: 503 } }) : answer(sent, () => undefined),
    );
    const sender = new FirehoseSender({ client, deliveryStreamName: 'raw-events', ...noWait });

    // act
    const report = await sender.send(records(3));

    // assess
    expect(client.calls).toEqual([
      ['r0', 'r1', 'r2'],
      ['r0', 'r1', 'r2'],
    ]);
    expect(report).toMatchObject({ calls: 2, retriedRecords: 3, attempts: 2 });
  });

  it('retries a call that never got an HTTP answer (socket reset)', async () => {
    // prepare
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const client = scriptedClient((sent, call) => (call === 1 ? reset : answer(sent, () => undefined)));
    const sender = new FirehoseSender({ client, deliveryStreamName: 'raw-events', ...noWait });

    // act
    const report = await sender.send(records(2));

    // assess
    expect(report.attempts).toBe(2);
  });

  it('does not retry what can never succeed (a missing stream), and says so', async () => {
    // prepare
    const client = scriptedClient(() => new ResourceNotFoundException({ message: 'Firehose raw-events not found', $metadata: { httpStatusCode: 400 } }));
    const sender = new FirehoseSender({ client, deliveryStreamName: 'raw-events', ...noWait });

    // act
    const failure = await sender.send(records(2)).catch((error: unknown) => error);

    // assess
    expect(failure).toMatchObject({ name: 'FirehoseDeliveryError', retryable: false, errors: { ResourceNotFoundException: 2 } });
    expect(client.calls).toHaveLength(1);
  });

  it('resends the whole batch when failures cannot be attributed to records', async () => {
    // prepare
    const client = scriptedClient((_, call) =>
      call === 1 ? { FailedPutCount: 1, RequestResponses: [], $metadata: {} } : { FailedPutCount: 0, RequestResponses: [{ RecordId: 'a' }, { RecordId: 'b' }], $metadata: {} },
    );
    const sender = new FirehoseSender({ client, deliveryStreamName: 'raw-events', ...noWait });

    // act
    await sender.send(records(2));

    // assess
    expect(client.calls).toEqual([
      ['r0', 'r1'],
      ['r0', 'r1'],
    ]);
  });

  it('makes no call for no records', async () => {
    // prepare
    const client = scriptedClient((sent) => answer(sent, () => undefined));

    // act
    const report = await new FirehoseSender({ client, deliveryStreamName: 'raw-events' }).send([]);

    // assess
    expect(client.calls).toHaveLength(0);
    expect(report.calls).toBe(0);
  });
});
