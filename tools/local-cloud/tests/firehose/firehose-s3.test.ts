import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { DescribeDeliveryStreamCommand, FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createS3Module } from '../../src/services/s3';
import { createFirehoseModule } from '../../src/services/firehose';
import type { FirehoseModule } from '../../src/services/firehose';
import type { LocalServiceModule, ResolvedResource } from '../../src/core/types';
import { clientConfig, startHarness } from '../sqs/harness';
import type { Harness } from '../sqs/harness';

function resource(type: string, name: string, config: Record<string, unknown>): ResolvedResource {
  return { stack: 'analytics-ingest', type, name, address: `${type}.${name}`, config, stackDir: '/tmp' };
}

async function apply(modules: readonly LocalServiceModule[], item: ResolvedResource): Promise<Record<string, unknown>> {
  const provisioner = modules.flatMap((module) => module.provisioners).find((candidate) => candidate.type === item.type);
  if (!provisioner) throw new Error(`no provisioner for ${item.type}`);
  return provisioner.apply(item);
}

/** The analytics-ingest stream as its stack declares it (cdktn synthesizes nested blocks as objects). */
const deliveryStream = resource('aws_kinesis_firehose_delivery_stream', 'events', {
  name: 'kestrel-events',
  destination: 'extended_s3',
  extended_s3_configuration: {
    bucket_arn: 'arn:aws:s3:::kestrel-raw-zone',
    role_arn: 'arn:aws:iam::000000000000:role/firehose',
    prefix: 'events/source=!{partitionKeyFromQuery:source}/detail_type=!{partitionKeyFromQuery:detail_type}/dt=!{timestamp:yyyy-MM-dd}/',
    error_output_prefix: 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
    buffering_size: 64,
    buffering_interval: 60,
    compression_format: 'GZIP',
    dynamic_partitioning_configuration: { enabled: true },
    processing_configuration: {
      enabled: true,
      processors: [
        {
          type: 'MetadataExtraction',
          parameters: [
            { parameter_name: 'MetadataExtractionQuery', parameter_value: '{source:.source,detail_type:."detail-type"}' },
            { parameter_name: 'JsonParsingEngine', parameter_value: 'JQ-1.6' },
          ],
        },
        { type: 'AppendDelimiterToRecord', parameters: [] },
      ],
    },
  },
});

describe('firehose to S3 (s3rver) through the edge, provisioned from Terraform', () => {
  let harness: Harness;
  let firehose: FirehoseClient;
  let s3: S3Client;

  beforeAll(async () => {
    harness = await startHarness([createS3Module, createFirehoseModule]);
    firehose = new FirehoseClient(clientConfig(harness.edge.endpoint));
    s3 = new S3Client({ ...clientConfig(harness.edge.endpoint), forcePathStyle: true });
  }, 60_000);
  afterAll(async () => {
    firehose.destroy();
    s3.destroy();
    await harness?.stop();
  });

  it('keeps the stream across a graceful stop and start and delivers what was buffered when it stopped (kill -9: tests/crash)', async () => {
    // prepare
    await apply(harness.modules, resource('aws_s3_bucket', 'raw', { bucket: 'kestrel-raw-zone' }));
    const exported = await apply(harness.modules, deliveryStream);
    const events = [
      { source: 'kestrel.customers', 'detail-type': 'CustomerRegistered.v1', detail: { n: 1 } },
      { source: 'kestrel.customers', 'detail-type': 'CustomerRegistered.v1', detail: { n: 2 } },
      { source: 'kestrel.catalog', 'detail-type': 'ProductAdded.v1', detail: { n: 3 } },
    ];
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'kestrel-events', Records: events.map((event) => ({ Data: new TextEncoder().encode(JSON.stringify(event)) })) }));
    expect((harness.modules[1] as FirehoseModule).service.summaries()[0]).toMatchObject({ buffered: 3, delivered: 0 });
    // act: stopping must not lose the buffer (64 MiB / 60 s would otherwise hold it).
    await harness.restart();
    const described = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'kestrel-events' }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'kestrel-raw-zone' }));
    // assess
    expect(exported).toMatchObject({ arn: 'arn:aws:firehose:eu-west-1:000000000000:deliverystream/kestrel-events', version_id: '1' });
    expect(described.DeliveryStreamDescription?.DeliveryStreamStatus).toBe('ACTIVE');
    const keys = (listed.Contents ?? []).map((object) => object.Key as string).sort();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^events\/source=kestrel\.catalog\/detail_type=ProductAdded\.v1\/dt=\d{4}-\d\d-\d\d\/kestrel-events-1-\d{4}(-\d\d){5}-[0-9a-f-]{36}\.gz$/);
    expect(keys[1]).toMatch(/^events\/source=kestrel\.customers\/detail_type=CustomerRegistered\.v1\//);
    const customers = await s3.send(new GetObjectCommand({ Bucket: 'kestrel-raw-zone', Key: keys[1] }));
    const lines = gunzipSync(Buffer.from(await customers.Body!.transformToByteArray())).toString().trim().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([events[0], events[1]]);
  }, 60_000);

  it('bumps the stream version when the stack changes its configuration', async () => {
    // act
    const unchanged = await apply(harness.modules, deliveryStream);
    const changed = await apply(harness.modules, {
      ...deliveryStream,
      config: { ...deliveryStream.config, extended_s3_configuration: { ...(deliveryStream.config.extended_s3_configuration as object), buffering_interval: 120 } },
    });
    // assess
    expect(unchanged.version_id).toBe('1');
    expect(changed.version_id).toBe('2');
  });

  it('names the resource and attribute when the stack asks for something not emulated', async () => {
    const lambdaTransform = resource('aws_kinesis_firehose_delivery_stream', 'transformed', {
      name: 'transformed',
      destination: 'extended_s3',
      extended_s3_configuration: {
        bucket_arn: 'arn:aws:s3:::kestrel-raw-zone',
        processing_configuration: { enabled: true, processors: [{ type: 'Lambda', parameters: [{ parameter_name: 'LambdaArn', parameter_value: 'arn:aws:lambda:eu-west-1:000000000000:function:t' }] }] },
      },
    });
    await expect(apply(harness.modules, lambdaTransform)).rejects.toThrow("aws_kinesis_firehose_delivery_stream.transformed: Processor type 'Lambda' is not emulated");
    await expect(apply(harness.modules, resource('aws_kinesis_firehose_delivery_stream', 'http', { name: 'http', destination: 'http_endpoint' }))).rejects.toThrow(
      "aws_kinesis_firehose_delivery_stream.http: destination 'http_endpoint' is not emulated",
    );
  });
});
