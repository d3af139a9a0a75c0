import { cpSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { KinesisFirehoseDeliveryStream } from '@cdktn/provider-aws/lib/kinesis-firehose-delivery-stream';
import { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';
import { bundleFunction, bundleService } from '@kestrel/bundle';
import { UserRegisteredV1, UserSignedInV1 } from '@kestrel/contracts';
import { createKestrelApp } from '@kestrel/infra-constructs/app';
import { environment } from '@kestrel/infra-constructs/environments';
import { ServiceStack } from '@kestrel/infra-constructs/service/service-stack';
import { defineService, resolveParameterName } from '@kestrel/service-manifest';

const WORKSPACE = resolve(import.meta.dirname, '../../../..');

/** The drill's lake, as analytics-ingest's: a Firehose stream (by its logical name) and the key parameter its ingest reads. */
export const LAKE_STREAM = 'lake';
const KEY_PARAMETER_PATTERN = '/kestrel/{env}/ops-drill/pseudonymisation-key';
export const keyParameter = (env: string) => resolveParameterName(KEY_PARAMETER_PATTERN, env);

/**
 * A service for the repair tools' tests and the game day: one subscription delivered directly and
 * one through a queue, both consuming UserRegistered v1 (it carries personal data, so inspect's
 * redaction shows), whose consumers (./drill-consumer.ts) fail on demand and record what they
 * handle; the direct one writes each event to the `records` table first. And a small lake:
 * analytics-ingest's own `ingest` bundle on a queued subscription to UserSignedIn v1 (only the
 * lake drills publish it), reading its pseudonymisation key from SSM and writing a Firehose stream
 * to S3, with drill timings (no batching window, 20 s visibility, one receive before the
 * dead-letter queue) where analytics-ingest waits 20 s per batch and retries for an hour.
 */
export const drillManifest = defineService({
  name: 'ops-drill',
  description: 'Fixture: consumers that fail on demand, for the repair tools.',
  owner: { team: 'team-platform' },
  functions: {
    'on-user-registered': {
      description: 'Records each event it is given, or throws while broken.',
      handler: 'src/handlers/on-user-registered.ts',
      triggers: [{ kind: 'event', subscription: 'user-registered' }],
      access: { tables: [{ table: 'records', mode: 'write' }] },
    },
    'on-user-registered-batch': {
      description: 'Records each queued event, or returns every message while broken.',
      handler: 'src/handlers/on-user-registered-batch.ts',
      triggers: [{ kind: 'event', subscription: 'user-registered-batches' }],
      timeoutSeconds: 10,
    },
    ingest: {
      description: "analytics-ingest's ingest bundle: pseudonymises each event and puts it on the lake stream.",
      // Bundled from analytics-ingest's own src/handlers/on-business-event.ts (see bundle below).
      handler: 'src/handlers/on-business-event.ts',
      triggers: [{ kind: 'event', subscription: 'user-signed-in-lake' }],
      // Room for the Firehose sender's ten attempts (backoff capped at 3 s).
      timeoutSeconds: 20,
      memoryMb: 512,
      access: { parameters: [KEY_PARAMETER_PATTERN], deliveryStreams: [LAKE_STREAM] },
    },
  },
  tables: {
    records: { description: 'One item per event the direct consumer handled.', globalIndexes: [], stream: false, ttl: false },
  },
  publishes: [],
  consumes: [
    {
      name: 'user-registered',
      description: 'Delivered directly: one async invocation per event.',
      events: [UserRegisteredV1],
      target: 'on-user-registered',
      retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 },
    },
    {
      name: 'user-registered-batches',
      description: 'Delivered through a queue in batches.',
      events: [UserRegisteredV1],
      target: 'on-user-registered-batch',
      retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 },
      delivery: { kind: 'queue', batchSize: 10, maximumBatchingWindowSeconds: 0, maxReceiveCount: 2, visibilityTimeoutSeconds: 10 },
    },
    {
      name: 'user-signed-in-lake',
      description: 'Sign-ins into the drill lake, through a queue, as analytics-ingest takes every event.',
      events: [UserSignedInV1],
      target: 'ingest',
      retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 },
      delivery: { kind: 'queue', batchSize: 10, maximumBatchingWindowSeconds: 0, maxReceiveCount: 1, visibilityTimeoutSeconds: 20 },
    },
  ],
  operatorSecrets: [{ parameter: KEY_PARAMETER_PATTERN, description: 'HMAC key of the drill lake pseudonyms (base64 of 32 random bytes)' }],
});

/** The file whose presence makes one consumer fail. */
export const brokenSwitch = (dir: string, functionName: string) => join(dir, `${functionName}.broken`);

/** Bundles the functions: the drill consumer (this folder) as each of its two, analytics-ingest's own `ingest`. */
async function bundle(bundlesDir: string): Promise<void> {
  const consumer = await bundleFunction(join(import.meta.dirname, 'drill-consumer.ts'), 'drill-consumer', join(bundlesDir, '.build'));
  for (const name of ['on-user-registered', 'on-user-registered-batch']) cpSync(join(consumer.file, '..'), join(bundlesDir, name), { recursive: true });
  await bundleService({ serviceDir: join(WORKSPACE, 'apps/analytics-ingest'), outDir: bundlesDir, functions: ['ingest'] });
}

/** The lake the ingest bundle writes: a bucket and a Firehose stream delivering to it (no buffering, uncompressed). */
function addLake(stack: ServiceStack, accountId: string): KinesisFirehoseDeliveryStream {
  const name = stack.resourceName(LAKE_STREAM);
  const bucket = new S3Bucket(stack, 'lake-bucket', { bucket: `${name}-${accountId}`, forceDestroy: true });
  const role = new IamRole(stack, 'lake-firehose-role', {
    name,
    assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'firehose.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
  });
  new IamRolePolicy(stack, 'lake-firehose-policy', {
    role: role.name,
    policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: [`${bucket.arn}/*`] }] }),
  });
  return new KinesisFirehoseDeliveryStream(stack, 'lake-stream', {
    name,
    destination: 'extended_s3',
    extendedS3Configuration: { roleArn: role.arn, bucketArn: bucket.arn, prefix: 'raw/', bufferingSize: 1, bufferingInterval: 0, compressionFormat: 'UNCOMPRESSED' },
  });
}

/** Synthesizes the drill service's staging stack under `dir` (its consumers record there); returns the stack folder to apply. */
export async function synthDrillStack(dir: string): Promise<string> {
  const bundlesDir = join(dir, 'bundles');
  await bundle(bundlesDir);
  const outdir = join(dir, 'cdktf.out');
  const app = createKestrelApp({ outdir });
  const env = environment('staging');
  const stack = new ServiceStack(app, { manifest: drillManifest, env, bundlesDir });
  for (const name of ['on-user-registered', 'on-user-registered-batch']) {
    const fn = stack.functions.get(name).lambda;
    fn.addOverride('environment.variables.DRILL_DIR', dir);
    fn.addOverride('environment.variables.DRILL_FUNCTION', name);
  }
  const lake = addLake(stack, env.accountId);
  const ingest = stack.functions.get('ingest');
  // As analytics-ingest's stack: the SecureString is encrypted with the service key, read through SSM only.
  ingest.grant({ Sid: 'DecryptKeyParameter', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [stack.key.arn], Condition: { StringEquals: { 'kms:ViaService': `ssm.${env.region}.amazonaws.com` } } });
  ingest.lambda.addOverride('environment.variables.DELIVERY_STREAM_NAME', lake.name);
  ingest.lambda.addOverride('environment.variables.PSEUDONYMISATION_KEY_PARAMETER', keyParameter(env.name));
  app.synth();
  const [synthesized] = readdirSync(join(outdir, 'stacks'));
  return join(outdir, 'stacks', synthesized as string);
}
