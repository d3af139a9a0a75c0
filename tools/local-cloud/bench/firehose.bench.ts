/**
 * Firehose throughput of the local cloud, through the real SDK client over
 * the edge endpoint, delivering to S3 (s3rver through the edge).
 *
 * Two streams, each fed for `--seconds` by `--concurrency` producers sending
 * PutRecordBatch calls of 500 records (~1 KiB JSON events, the shape the
 * analytics-ingest stack sends):
 * - `plain`: prefix `raw/`, GZIP, 1 MiB buffers;
 * - `partitioned`: dynamic partitioning by `{source, detail_type}` (jq),
 *   newline delimiter, GZIP, 1 MiB buffers — the analytics-ingest stream.
 * Reports records/s accepted, PutRecordBatch latency, objects and bytes
 * written, and how long the final flush took.
 *
 * Writes `bench-results/firehose.json`.
 * Run: `npx tsx bench/firehose.bench.ts [--seconds 10] [--concurrency 4]` from tools/local-cloud.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateDeliveryStreamCommand, FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../src/core/types';
import { createS3Module } from '../src/services/s3';
import { createFirehoseModule, type FirehoseModule } from '../src/services/firehose';
import { argument, composeServices, percentiles, writeBenchResult } from './support';

const SECONDS = argument('seconds', 10);
const CONCURRENCY = argument('concurrency', 4);
const BATCH = 500;

const SOURCES = ['kestrel.customers', 'kestrel.catalog', 'kestrel.identity'];
const TYPES = ['CustomerRegistered.v1', 'ProductAdded.v1', 'UserSignedUp.v1', 'StoreOpened.v1'];

/** A ~1 KiB EventBridge event as the analytics rule forwards it. */
function event(n: number): Uint8Array {
  const detail = { metadata: { eventId: `e-${n}`, occurredAt: new Date().toISOString(), correlationId: `c-${n % 97}` }, data: { id: `id-${n}`, note: 'x'.repeat(800) } };
  return new TextEncoder().encode(
    JSON.stringify({ version: '0', id: `ev-${n}`, 'detail-type': TYPES[n % TYPES.length], source: SOURCES[n % SOURCES.length], account: LOCAL_ACCOUNT_ID, time: new Date().toISOString(), region: LOCAL_REGION, resources: [], detail }),
  );
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'firehose-bench-'));
  const { edge, modules } = await composeServices((context) => [createS3Module(context), createFirehoseModule(context)], { dataDir, inMemory: true });
  for (const module of modules) await module.start?.();
  const firehoseModule = modules[1] as FirehoseModule;
  const config = { endpoint: edge.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'BENCH', secretAccessKey: 'bench' } };
  const firehose = new FirehoseClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-raw' }));
  const common = { RoleARN: 'arn:aws:iam::000000000000:role/firehose', BucketARN: 'arn:aws:s3:::bench-raw', BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 }, CompressionFormat: 'GZIP' as const };
  await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'plain', ExtendedS3DestinationConfiguration: { ...common, Prefix: 'plain/' } }));
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: 'partitioned',
      ExtendedS3DestinationConfiguration: {
        ...common,
        Prefix: 'events/source=!{partitionKeyFromQuery:source}/detail_type=!{partitionKeyFromQuery:detail_type}/dt=!{timestamp:yyyy-MM-dd}/',
        ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
        DynamicPartitioningConfiguration: { Enabled: true },
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            { Type: 'MetadataExtraction', Parameters: [{ ParameterName: 'MetadataExtractionQuery', ParameterValue: '{source:.source,detail_type:."detail-type"}' }, { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' }] },
            { Type: 'AppendDelimiterToRecord', Parameters: [] },
          ],
        },
      },
    }),
  );

  const results: Record<string, unknown> = {};
  let counter = 0;
  for (const stream of ['plain', 'partitioned']) {
    const latencies: number[] = [];
    let records = 0;
    let failed = 0;
    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < deadline) {
          const batch = Array.from({ length: BATCH }, () => ({ Data: event(counter++) }));
          const sent = performance.now();
          const answer = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: stream, Records: batch }));
          latencies.push(performance.now() - sent);
          records += BATCH - (answer.FailedPutCount ?? 0);
          failed += answer.FailedPutCount ?? 0;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const flushStarted = performance.now();
    await firehoseModule.service.flush(stream);
    const flushMs = performance.now() - flushStarted;
    let objects = 0;
    let bytes = 0;
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'bench-raw', Prefix: stream === 'plain' ? 'plain/' : 'events/', ContinuationToken: token }));
      objects += page.KeyCount ?? 0;
      bytes += (page.Contents ?? []).reduce((sum, object) => sum + (object.Size ?? 0), 0);
      token = page.NextContinuationToken;
    } while (token);
    const summary = firehoseModule.service.summaries().find((candidate) => candidate.name === stream);
    results[stream] = {
      seconds: Math.round(elapsed * 10) / 10,
      recordsAccepted: records,
      recordsFailed: failed,
      recordsPerSecond: Math.round(records / elapsed),
      putRecordBatchCalls: latencies.length,
      putRecordBatchLatencyMs: percentiles(latencies),
      objectsWritten: objects,
      gzipBytesWritten: bytes,
      recordsDelivered: summary?.delivered,
      finalFlushMs: Math.round(flushMs),
    };
    console.log(stream, results[stream]);
  }

  firehose.destroy();
  s3.destroy();
  for (const module of [...modules].reverse()) await module.stop();
  await edge.close();
  rmSync(dataDir, { recursive: true, force: true });

  const file = writeBenchResult('firehose', {
    benchmark: 'firehose',
    setup: { seconds: SECONDS, concurrency: CONCURRENCY, recordsPerCall: BATCH, recordBytes: event(0).length, buffering: '1 MiB / 60 s', compression: 'GZIP', path: 'SDK → edge → Firehose → SDK → edge → S3 module → s3rver' },
    results,
  });
  console.log(`wrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
