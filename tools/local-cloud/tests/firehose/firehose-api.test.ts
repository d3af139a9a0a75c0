import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import {
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import type { _Record } from '@aws-sdk/client-firehose';
import { firehoseModuleFactory } from '../../src/services/firehose';
import type { FirehoseModule, ObjectStore } from '../../src/services/firehose';
import { clientConfig, startHarness } from '../sqs/harness';
import type { Harness } from '../sqs/harness';
import { seededRandom } from '../support/seeded-random';

/** Objects written, by key. */
class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, Buffer>();
  async putObject(bucket: string, key: string, body: Buffer): Promise<void> {
    this.objects.set(`${bucket}/${key}`, body);
  }
}

const NOW = Date.UTC(2026, 4, 17, 9, 30, 15);
const encode = (text: string) => new TextEncoder().encode(text);

describe('firehose API through the edge', () => {
  let harness: Harness;
  let firehose: FirehoseClient;
  const store = new MemoryStore();
  const module = () => harness.modules[0] as FirehoseModule;

  beforeAll(async () => {
    harness = await startHarness([firehoseModuleFactory({ store, now: () => NOW, random: seededRandom(7), inMemory: true })]);
    // No SDK retries: the tests look at each answer as Firehose gave it.
    firehose = new FirehoseClient({ ...clientConfig(harness.edge.endpoint), maxAttempts: 1 });
  });
  afterAll(async () => {
    firehose.destroy();
    await harness.stop();
  });
  beforeEach(() => {
    store.objects.clear();
    module().service.setFaults(undefined);
  });

  async function createStream(name: string, destination: Record<string, unknown> = {}): Promise<void> {
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: name,
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          RoleARN: 'arn:aws:iam::000000000000:role/firehose',
          BucketARN: 'arn:aws:s3:::raw-zone',
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 300 },
          ...destination,
        },
      }),
    );
  }

  it('creates, describes, lists and deletes delivery streams', async () => {
    // prepare
    await createStream('lifecycle', { Prefix: 'raw/', CompressionFormat: 'GZIP' });
    // act
    const described = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'lifecycle' }));
    const listed = await firehose.send(new ListDeliveryStreamsCommand({}));
    const duplicate = await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'lifecycle', ExtendedS3DestinationConfiguration: { RoleARN: 'r', BucketARN: 'arn:aws:s3:::raw-zone' } })).catch((error: Error) => error);
    await firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: 'lifecycle' }));
    const missing = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'lifecycle' })).catch((error: Error) => error);
    // assess
    const description = described.DeliveryStreamDescription;
    expect(description?.DeliveryStreamARN).toBe('arn:aws:firehose:eu-west-1:000000000000:deliverystream/lifecycle');
    expect(description?.DeliveryStreamStatus).toBe('ACTIVE');
    expect(description?.VersionId).toBe('1');
    expect(description?.CreateTimestamp).toEqual(new Date(NOW));
    expect(description?.Destinations?.[0]?.ExtendedS3DestinationDescription).toMatchObject({ BucketARN: 'arn:aws:s3:::raw-zone', Prefix: 'raw/', CompressionFormat: 'GZIP', BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 300 } });
    expect(listed.DeliveryStreamNames).toContain('lifecycle');
    expect(duplicate).toMatchObject({ name: 'ResourceInUseException' });
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', message: 'Firehose lifecycle under account 000000000000 not found.' });
  });

  it('refuses a prefix that breaks Firehose rules with InvalidArgumentException', async () => {
    const error = await createStream('bad-prefix', { Prefix: 'raw/!{timestamp:yyyy}/' }).catch((caught: Error) => caught);
    expect(error).toMatchObject({ name: 'InvalidArgumentException', message: 'ErrorOutputPrefix cannot be null or empty when Prefix contains expressions' });
  });

  it('enforces the PutRecordBatch limits the way Firehose does', async () => {
    // prepare
    await createStream('limits');
    const put = (records: _Record[]) => firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'limits', Records: records })).catch((error: Error) => error);
    // act
    const tooMany = await put(Array.from({ length: 501 }, () => ({ Data: encode('x') })));
    const tooLarge = await put([{ Data: encode('ok') }, { Data: new Uint8Array(1_024_001) }]);
    const exactlyAtRecordLimit = await put([{ Data: new Uint8Array(1_024_000) }]);
    const overRequestLimit = await put(Array.from({ length: 5 }, () => ({ Data: new Uint8Array(900 * 1024) })));
    const unknownStream = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'nope', Records: [{ Data: encode('x') }] })).catch((error: Error) => error);
    // assess
    expect(tooMany).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'records' failed to satisfy constraint: Member must have length less than or equal to 500") });
    expect(tooLarge).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1024000") });
    expect(exactlyAtRecordLimit).toMatchObject({ FailedPutCount: 0 });
    expect(overRequestLimit).toMatchObject({ name: 'InvalidArgumentException', message: 'Records size exceeds 4 MB limit' });
    expect(unknownStream).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('reports injected per-record failures so a client can retry only the failed records', async () => {
    // prepare
    await createStream('flaky', { Prefix: 'flaky/', ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord', Parameters: [] }] } });
    module().service.setFaults({ failureRate: 0.3 });
    let pending = Array.from({ length: 200 }, (_, index) => JSON.stringify({ n: index }));
    const attempts: number[] = [];
    // act: the client loop every producer should have — resend only what failed.
    while (pending.length && attempts.length < 20) {
      const result = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'flaky', Records: pending.map((text) => ({ Data: encode(text) })) }));
      attempts.push(result.FailedPutCount ?? 0);
      const responses = result.RequestResponses ?? [];
      for (const response of responses) {
        if (response.ErrorCode) expect(response).toEqual({ ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' });
        else expect(response.RecordId).toMatch(/^[A-Za-z0-9]{100,}$/);
      }
      expect(responses.filter((response) => response.ErrorCode)).toHaveLength(result.FailedPutCount ?? -1);
      pending = pending.filter((_, index) => responses[index]?.ErrorCode);
    }
    await module().service.flush('flaky');
    // assess
    expect(attempts[0]).toBeGreaterThan(0);
    expect(pending).toEqual([]);
    const delivered = [...store.objects.values()].map((body) => body.toString()).join('').trim().split('\n');
    expect(delivered.map((line) => (JSON.parse(line) as { n: number }).n).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, index) => index));
  });

  it('fails a whole PutRecord call when a fault is injected', async () => {
    await createStream('flaky-single');
    module().service.setFaults({ failureRate: 1 });
    const error = await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'flaky-single', Record: { Data: encode('x') } })).catch((caught: Error) => caught);
    expect(error).toMatchObject({ name: 'ServiceUnavailableException', message: 'Slow down.', $metadata: { httpStatusCode: 503 } });
  });

  it('turns fault injection on and off through the local control operation', async () => {
    // prepare
    await createStream('controlled');
    const control = (body: unknown) =>
      fetch(harness.edge.endpoint, { method: 'POST', headers: { 'x-amz-target': 'Firehose_20150804.LocalSetFaultInjection', 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) });
    // act
    const on = await control({ FailureRate: 1, ErrorCode: 'InternalFailure', ErrorMessage: 'injected' });
    const failed = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'controlled', Records: [{ Data: encode('a') }] }));
    await control({ FailureRate: 0 });
    const passed = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'controlled', Records: [{ Data: encode('a') }] }));
    // assess
    expect(on.status).toBe(200);
    expect(failed.RequestResponses).toEqual([{ ErrorCode: 'InternalFailure', ErrorMessage: 'injected' }]);
    expect(passed.FailedPutCount).toBe(0);
  });

  it('delivers GZIP objects named like Firehose under the evaluated prefix', async () => {
    // prepare
    await createStream('named', { Prefix: 'raw/', CompressionFormat: 'GZIP' });
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'named', Records: [{ Data: encode('{"a":1}\n') }, { Data: encode('{"a":2}\n') }] }));
    await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'named', Record: { Data: encode('{"a":3}\n') } }));
    // act
    const flushed = await fetch(harness.edge.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'Firehose_20150804.LocalFlush', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ DeliveryStreamName: 'named' }),
    });
    // assess
    expect(flushed.status).toBe(200);
    const [[key, body]] = [...store.objects.entries()] as [[string, Buffer]];
    expect(key).toMatch(/^raw-zone\/raw\/2026\/05\/17\/09\/named-1-2026-05-17-09-30-15-[0-9a-f-]{36}\.gz$/);
    expect(gunzipSync(body).toString()).toBe('{"a":1}\n{"a":2}\n{"a":3}\n');
    expect(module().service.summaries().find((stream) => stream.name === 'named')).toMatchObject({ buffered: 0, delivered: 3, failed: 0, objectsWritten: 1 });
  });

  it('partitions dynamically with a jq query and sends unparseable records to the error prefix', async () => {
    // prepare
    await createStream('partitioned', {
      Prefix: 'events/source=!{partitionKeyFromQuery:source}/detail_type=!{partitionKeyFromQuery:detail_type}/!{timestamp:yyyy/MM/dd}/',
      ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
      DynamicPartitioningConfiguration: { Enabled: true },
      ProcessingConfiguration: {
        Enabled: true,
        Processors: [
          { Type: 'MetadataExtraction', Parameters: [{ ParameterName: 'MetadataExtractionQuery', ParameterValue: '{source:.source,detail_type:."detail-type"}' }, { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' }] },
          { Type: 'AppendDelimiterToRecord', Parameters: [] },
        ],
      },
    });
    const events = [
      { source: 'kestrel.customers', 'detail-type': 'CustomerRegistered.v1', id: 1 },
      { source: 'kestrel.catalog', 'detail-type': 'ProductAdded.v1', id: 2 },
      { source: 'kestrel.customers', 'detail-type': 'CustomerRegistered.v1', id: 3 },
    ];
    // act
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'partitioned', Records: [...events.map((event) => ({ Data: encode(JSON.stringify(event)) })), { Data: encode('not json') }] }));
    await module().service.flush('partitioned');
    // assess
    const byPrefix = new Map([...store.objects.entries()].map(([key, body]) => [key.slice(0, key.lastIndexOf('/') + 1), body.toString()]));
    expect(byPrefix.get('raw-zone/events/source=kestrel.customers/detail_type=CustomerRegistered.v1/2026/05/17/')).toBe(`${JSON.stringify(events[0])}\n${JSON.stringify(events[2])}\n`);
    expect(byPrefix.get('raw-zone/events/source=kestrel.catalog/detail_type=ProductAdded.v1/2026/05/17/')).toBe(`${JSON.stringify(events[1])}\n`);
    const error = JSON.parse(byPrefix.get('raw-zone/errors/processing-failed/2026/05/17/') as string) as Record<string, unknown>;
    expect(error).toMatchObject({ errorCode: 'DynamicPartitioning.MetadataExtractionFailed', errorMessage: 'Non JSON record provided', rawData: Buffer.from('not json').toString('base64'), arrivalTimestamp: NOW });
  });

  it('delivers a buffer as soon as it reaches the buffering size', async () => {
    // prepare
    await createStream('size-triggered', { Prefix: 'big/' });
    const chunk = new Uint8Array(600 * 1024).fill(97);
    // act: 2 × 600 KiB crosses the 1 MiB hint.
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'size-triggered', Records: [{ Data: chunk }, { Data: chunk }] }));
    await new Promise((resolve) => setImmediate(resolve));
    await module().service.flush('size-triggered');
    // assess
    const sizes = [...store.objects.values()].map((body) => body.length);
    expect(sizes).toEqual([1200 * 1024]);
  });
});

describe('firehose shutdown when S3 cannot be reached', () => {
  it('saves what it could not deliver and delivers it after the next start', async () => {
    // prepare: S3 is down while the local cloud stops.
    const store = new MemoryStore();
    let s3Up = false;
    const flakyStore: ObjectStore = {
      async putObject(bucket, key, body) {
        if (!s3Up) throw new Error('connect ECONNREFUSED 127.0.0.1:4569');
        await store.putObject(bucket, key, body);
      },
    };
    const harness = await startHarness([firehoseModuleFactory({ store: flakyStore })]);
    const client = new FirehoseClient({ ...clientConfig(harness.edge.endpoint), maxAttempts: 1 });
    try {
      await client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'survivor',
          ExtendedS3DestinationConfiguration: { RoleARN: 'arn:aws:iam::000000000000:role/f', BucketARN: 'arn:aws:s3:::raw-zone', Prefix: 'kept/', BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 900 } },
        }),
      );
      await client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'survivor', Records: [{ Data: encode('one\n') }, { Data: encode('two\n') }] }));
      // act
      await harness.restart();
      s3Up = true;
      const restarted = harness.modules[0] as FirehoseModule;
      const bufferedAfterRestart = restarted.service.summaries()[0]?.buffered;
      await restarted.service.flush();
      // assess
      expect(bufferedAfterRestart).toBe(2);
      expect([...store.objects.values()].map((body) => body.toString())).toEqual(['one\ntwo\n']);
    } finally {
      client.destroy();
      await harness.stop();
    }
  });
});
