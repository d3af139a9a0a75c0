/**
 * What a local Firehose actually receives from the ingest handler's batch path, counted on the
 * wire: an HTTP proxy in front of the local cloud's edge counts every `PutRecordBatch` call, its
 * records and their decoded bytes, per handler invocation. The floor it is compared with comes
 * from Firehose's limits alone (each invocation needs ceil(bytes / 4 MiB) calls and at least one),
 * not from the handler's own packing, so a packing or retry regression shows as calls over 1.00×.
 */
import { request, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_MODULES, startLocalCloud } from '@kestrel/local-cloud';
import { FirehoseSender } from '../src/adapters/firehose-sender';
import { ingestBatch, type BatchLog, type QueueRecord } from '../src/handlers/on-business-event';
import { createPseudonymiser, FIREHOSE_LIMITS } from '../src/domain';
import { TEST_KEY } from '../tests/fixtures/events';

interface WireCounts {
  calls: number;
  records: number;
  bytes: number;
  billedBytes: number;
}

/** An HTTP proxy to `target` counting the Firehose PutRecordBatch calls that pass through. */
async function countingProxy(target: string): Promise<{ endpoint: string; counts: WireCounts; close(): Promise<void> }> {
  const counts: WireCounts = { calls: 0, records: 0, bytes: 0, billedBytes: 0 };
  const upstream = new URL(target);
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      if (String(incoming.headers['x-amz-target'] ?? '').endsWith('.PutRecordBatch')) {
        const { Records = [] } = JSON.parse(body.toString('utf8')) as { Records?: Array<{ Data: string }> };
        counts.calls += 1;
        counts.records += Records.length;
        for (const record of Records) {
          const bytes = Buffer.from(record.Data, 'base64').length;
          counts.bytes += bytes;
          counts.billedBytes += Math.ceil(bytes / FIREHOSE_LIMITS.billingUnitBytes) * FIREHOSE_LIMITS.billingUnitBytes;
        }
      }
      const forwarded = request({ host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      forwarded.on('error', (error) => outgoing.destroy(error));
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedByBatchSize {
  batchSize: number;
  invocations: number;
  events: number;
  putRecordBatchCalls: number;
  minimumCalls: number;
  callsOverMinimum: number;
  recordsReceived: number;
  bytesReceived: number;
  billedBytes: number;
  billedPerReceivedByte: number;
  returnedToQueue: number;
}

/**
 * Runs the handler's batch path over `records` (SQS messages) at each batch size against a local
 * Firehose (local cloud without DynamoDB Local and cognito-local) and reports what it received.
 */
export async function receivedByFirehose(records: readonly QueueRecord[], batchSizes: readonly number[]): Promise<ReceivedByBatchSize[]> {
  // Everything but the two services that start processes (DynamoDB Local, cognito-local): Firehose needs none of them.
  const modules = DEFAULT_MODULES.filter((factory) => factory.name !== 'createDynamoDbModule' && factory.name !== 'createCognitoModule');
  const cloud = await startLocalCloud({ inMemory: true, modules });
  const proxy = await countingProxy(cloud.endpoint);
  const config = { endpoint: proxy.endpoint, region: cloud.context.region, credentials: { accessKeyId: 'BENCH', secretAccessKey: 'bench' } };
  const firehose = new FirehoseClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const pseudonymise = createPseudonymiser(TEST_KEY);
  const results: ReceivedByBatchSize[] = [];
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'bench-lake' }));
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'bench-ingest',
        ExtendedS3DestinationConfiguration: { RoleARN: 'arn:aws:iam::000000000000:role/firehose', BucketARN: 'arn:aws:s3:::bench-lake', Prefix: 'raw/', BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 900 } },
      }),
    );
    const sender = new FirehoseSender({ client: firehose, deliveryStreamName: 'bench-ingest' });
    const silent: BatchLog = { warn: () => undefined, error: () => undefined };
    for (const batchSize of batchSizes) {
      Object.assign(proxy.counts, { calls: 0, records: 0, bytes: 0, billedBytes: 0 });
      let minimumCalls = 0;
      let invocations = 0;
      let returnedToQueue = 0;
      for (let start = 0; start < records.length; start += batchSize) {
        const before = proxy.counts.bytes;
        const { batchItemFailures } = await ingestBatch(records.slice(start, start + batchSize), { service: 'bench', sender, pseudonymise }, silent);
        invocations += 1;
        returnedToQueue += batchItemFailures.length;
        minimumCalls += Math.max(1, Math.ceil((proxy.counts.bytes - before) / FIREHOSE_LIMITS.maxBytesPerCall));
      }
      const { calls, records: recordsReceived, bytes, billedBytes } = proxy.counts;
      results.push({
        batchSize,
        invocations,
        events: records.length,
        putRecordBatchCalls: calls,
        minimumCalls,
        callsOverMinimum: Number((calls / minimumCalls).toFixed(3)),
        recordsReceived,
        bytesReceived: bytes,
        billedBytes,
        billedPerReceivedByte: Number((billedBytes / bytes).toFixed(3)),
        returnedToQueue,
      });
    }
  } finally {
    firehose.destroy();
    s3.destroy();
    await proxy.close();
    await cloud.stop();
  }
  return results;
}
