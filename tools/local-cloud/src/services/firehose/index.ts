/**
 * The local Kinesis Data Firehose: DirectPut delivery streams to S3 (the S3
 * module, reached through the edge like any SDK client), with Firehose's
 * request limits, per-record failures, prefix expressions, dynamic
 * partitioning (jq subset), GZIP, buffering hints and object naming.
 * Offers the `FirehoseRecordSink` peer to the other modules.
 *
 * Local-only controls (same endpoint, `X-Amz-Target: Firehose_20150804.<op>`):
 * `LocalFlush {DeliveryStreamName?}` delivers buffers now;
 * `LocalSetFaultInjection {FailureRate, ErrorCode?, ErrorMessage?}` makes a
 * fraction of records fail (also `LOCAL_CLOUD_FIREHOSE_FAILURE_RATE`).
 *
 * @example
 * const firehose = createFirehoseModule(context);
 * await firehose.service.flush(); // in tests: deliver without waiting for buffering_interval
 */
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { answerWhenDurable } from '../../core/journal';
import { AwsServiceError } from '../../core/types';
import type { LocalCloudContext, LocalServiceFactory, LocalServiceModule, ResourceProvisioner } from '../../core/types';
import { createFirehoseApi } from './api';
import { configFromTerraform } from './config';
import type { ObjectStore } from './delivery-stream';
import { FirehoseService } from './firehose-service';
import type { FaultInjection } from './firehose-service';

export { FirehoseService, validateBatch, MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES } from './firehose-service';
export type { DeliveryStreamSummary, FaultInjection, PutRecordBatchResult } from './firehose-service';
export type { ObjectStore, DeliveryStreamConfig } from './delivery-stream';
export { compileJq, JqError } from './jq';

export interface FirehoseModuleOptions {
  /** Where objects are written; default: S3 through the edge endpoint. */
  store?: ObjectStore;
  faults?: FaultInjection;
  now?: () => number;
  random?: () => number;
  /** Keep stream definitions in memory only (default: `<dataDir>/firehose/streams.json` unless `context.inMemory`). */
  inMemory?: boolean;
}

export interface FirehoseModule extends LocalServiceModule {
  readonly service: FirehoseService;
  readonly provides: { firehose: FirehoseService };
}

/**
 * Writes objects with the S3 SDK through the edge (path-style, as s3rver needs), as the delivery stream's role:
 * with the local cloud's IAM, a session of that role signs the write and the edge judges `s3:PutObject` like any
 * caller's (a refusal fails the delivery, which is retried, and is recorded). Without a role or IAM: as the administrator.
 */
export function edgeObjectStore(context: LocalCloudContext): ObjectStore & { destroy(): void } {
  const clients = new Map<string, S3Client>();
  const clientFor = (roleArn: string | undefined): S3Client => {
    const key = context.iam && roleArn ? roleArn : '';
    let client = clients.get(key);
    if (!client) {
      const session = key ? context.iam?.sessionForRole(key, 'AWSFirehoseToS3') : undefined;
      client = new S3Client({
        endpoint: context.endpoint,
        region: context.region,
        forcePathStyle: true,
        credentials: session
          ? { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken }
          : { accessKeyId: 'firehose-local', secretAccessKey: 'local' },
      });
      clients.set(key, client);
    }
    return client;
  };
  return {
    async putObject(bucket, key, body, asRole) {
      await clientFor(asRole).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    destroy() {
      for (const client of clients.values()) client.destroy();
    },
  };
}

function faultsFromEnvironment(): FaultInjection | undefined {
  const rate = process.env.LOCAL_CLOUD_FIREHOSE_FAILURE_RATE;
  if (rate === undefined || rate === '') return undefined;
  const failureRate = Number(rate);
  if (!(failureRate >= 0 && failureRate <= 1)) throw new Error(`LOCAL_CLOUD_FIREHOSE_FAILURE_RATE must be a number between 0 and 1, got '${rate}'`);
  return { failureRate };
}

function provisioner(service: FirehoseService): ResourceProvisioner {
  return {
    type: 'aws_kinesis_firehose_delivery_stream',
    async apply(resource) {
      const config = configFromTerraform(resource.config, resource.address);
      try {
        const { arn, version } = service.upsert(config);
        return { id: arn, arn, name: config.name, version_id: String(version), destination_id: 'destinationId-000000000001' };
      } catch (error) {
        if (error instanceof AwsServiceError) throw new Error(`${resource.address}: ${error.message}`);
        throw error;
      }
    },
    async destroy(resource) {
      const name = String(resource.config.name);
      if (service.has(name)) await service.delete(name);
    },
  };
}

/**
 * A Firehose module factory with non-default options.
 *
 * @example
 * const factory = firehoseModuleFactory({ faults: { failureRate: 0.2 } });
 */
export function firehoseModuleFactory(options: FirehoseModuleOptions = {}): (context: LocalCloudContext) => FirehoseModule {
  return (context) => {
    const edgeStore = options.store ? undefined : edgeObjectStore(context);
    const service = new FirehoseService({
      accountId: context.accountId,
      region: context.region,
      store: options.store ?? (edgeStore as ObjectStore),
      statePath: options.inMemory || context.inMemory ? undefined : join(context.dataDir, 'firehose', 'streams.json'),
      now: options.now,
      random: options.random,
      faults: options.faults ?? faultsFromEnvironment(),
      log: (message) => context.log(message),
    });
    return {
      name: 'firehose',
      // Flushes its buffers on stop, so S3 (and the edge) must still be up.
      stopOrder: 20,
      service,
      provides: { firehose: service },
      // Acknowledged means durable: PutRecord(Batch) answers once its records are on disk.
      handlers: [answerWhenDurable(createFirehoseApi(service), () => service.durable())],
      provisioners: [provisioner(service)],
      state: [{ stateKey: 'deliveryStreams', describe: () => service.summaries() }],
      async stop() {
        try {
          await service.stop();
        } finally {
          edgeStore?.destroy();
        }
      },
    };
  };
}

/** The Firehose module with default options (fault injection from `LOCAL_CLOUD_FIREHOSE_FAILURE_RATE`). */
export const createFirehoseModule: LocalServiceFactory = firehoseModuleFactory();
