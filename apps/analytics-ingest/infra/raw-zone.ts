import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktn/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogStream } from '@cdktn/provider-aws/lib/cloudwatch-log-stream';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { KinesisFirehoseDeliveryStream } from '@cdktn/provider-aws/lib/kinesis-firehose-delivery-stream';
import { KmsAlias } from '@cdktn/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktn/provider-aws/lib/kms-key';
import { PolicyBuilder } from '@kestrel/infra-constructs';
import type { EnvironmentConfig, KestrelStack } from '@kestrel/infra-constructs';
import { FIREHOSE_ERROR_OUTPUT_PREFIX, FIREHOSE_PREFIX, METADATA_EXTRACTION_QUERY, ZONES } from '../lake';
import { RAW_EVENTS_STREAM } from '../service';
import type { LakeSettings } from './lake-settings';
import { SecureBucket } from './secure-bucket';

export interface RawZoneProps {
  stack: KestrelStack;
  env: EnvironmentConfig;
  settings: LakeSettings;
}

/** Prefixes Firehose writes under; its role may write nowhere else. */
export const FIREHOSE_WRITE_PREFIXES = [ZONES.raw, ZONES.quarantine, ZONES.errors].map((zone) => `${zone}/`);

/**
 * The raw zone: its own KMS key, the bucket (kept forever, moved to Glacier
 * after `rawToGlacierDays`, quarantine expiring after `quarantineExpiryDays`)
 * and the Firehose delivery stream that fills it — de-aggregating the
 * function's newline-packed records, partitioning each row by zone, source,
 * detail-type and arrival hour, GZIP-compressing — with a role that can
 * write to this bucket's zone prefixes and nothing else.
 */
export class RawZone extends Construct {
  readonly key: KmsKey;
  readonly bucket: SecureBucket;
  readonly deliveryStream: KinesisFirehoseDeliveryStream;
  readonly firehoseRole: IamRole;
  readonly firehosePolicy = new PolicyBuilder();
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, { stack, env, settings }: RawZoneProps) {
    super(scope, id);

    this.key = new KmsKey(this, 'key', {
      description: `Kestrel ${env.name} analytics lake: raw zone and Athena results`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          // Who may use the key is decided in IAM (Firehose's role, analysts' roles), like every key here.
          { Sid: 'AccountAdministersThroughIam', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${env.accountId}:root` }, Action: ['kms:*'], Resource: '*' },
        ],
      }),
    });
    // Under the service's name prefix: the deploy role manages only keys carrying its own alias.
    new KmsAlias(this, 'key-alias', { name: `alias/${stack.resourceName('lake')}`, targetKeyId: this.key.keyId });

    this.bucket = new SecureBucket(this, 'bucket', {
      // Bucket names are global: the account id keeps ours from colliding with anyone's.
      bucketName: `${stack.resourceName('raw-zone')}-${env.accountId}`,
      keyArn: this.key.arn,
      lifecycle: [
        {
          id: 'raw-to-glacier',
          status: 'Enabled',
          filter: [{ prefix: `${ZONES.raw}/` }],
          transition: [{ days: settings.rawToGlacierDays, storageClass: 'GLACIER' }],
          // Versioning guards against overwrites; an overwritten version is kept long enough to restore.
          noncurrentVersionExpiration: [{ noncurrentDays: settings.noncurrentVersionExpiryDays }],
        },
        {
          id: 'quarantine-expiry',
          status: 'Enabled',
          filter: [{ prefix: `${ZONES.quarantine}/` }],
          expiration: [{ days: settings.quarantineExpiryDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
        },
      ],
    });

    // The manifest grants the ingest function this stream by the same logical name.
    const streamName = stack.resourceName(RAW_EVENTS_STREAM);
    this.logGroup = new CloudwatchLogGroup(this, 'firehose-logs', { name: `/aws/kinesisfirehose/${streamName}`, retentionInDays: env.logRetentionDays });
    const logStream = new CloudwatchLogStream(this, 'firehose-log-stream', { name: 'DestinationDelivery', logGroupName: this.logGroup.name });

    this.firehoseRole = new IamRole(this, 'firehose-role', {
      name: streamName,
      description: `Firehose ${streamName}: writes the analytics raw zone`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'firehose.amazonaws.com' },
            Action: 'sts:AssumeRole',
            // Only Firehose acting for this account (confused-deputy guard).
            Condition: { StringEquals: { 'sts:ExternalId': env.accountId } },
          },
        ],
      }),
    });
    const bucketArn = this.bucket.arn;
    this.firehosePolicy.add({
      Sid: 'LocateBucket',
      Effect: 'Allow',
      Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
      Resource: [bucketArn],
    });
    this.firehosePolicy.add({
      Sid: 'WriteZonePrefixes',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'],
      Resource: FIREHOSE_WRITE_PREFIXES.map((prefix) => `${bucketArn}/${prefix}*`),
    });
    this.firehosePolicy.add({
      Sid: 'EncryptWithLakeKey',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: [this.key.arn],
      Condition: { StringEquals: { 'kms:ViaService': `s3.${env.region}.amazonaws.com` } },
    });
    this.firehosePolicy.add({
      Sid: 'DeliveryLogs',
      Effect: 'Allow',
      Action: ['logs:PutLogEvents'],
      Resource: [`${this.logGroup.arn}:log-stream:DestinationDelivery`],
    });
    const firehosePolicy = new IamRolePolicy(this, 'firehose-policy', { name: 'raw-zone-writer', role: this.firehoseRole.id, policy: this.firehosePolicy.render() });

    this.deliveryStream = new KinesisFirehoseDeliveryStream(this, 'stream', {
      name: streamName,
      destination: 'extended_s3',
      // The lake's own key: records wait in the stream (PII before pseudonymisation fails) under a key we control and audit.
      serverSideEncryption: { enabled: true, keyType: 'CUSTOMER_MANAGED_CMK', keyArn: this.key.arn },
      extendedS3Configuration: {
        roleArn: this.firehoseRole.arn,
        bucketArn,
        prefix: FIREHOSE_PREFIX,
        errorOutputPrefix: FIREHOSE_ERROR_OUTPUT_PREFIX,
        // Dynamic partitioning requires a buffer of at least 64 MiB.
        bufferingSize: 64,
        bufferingInterval: settings.bufferingIntervalSeconds,
        compressionFormat: 'GZIP',
        fileExtension: '.json.gz',
        dynamicPartitioningConfiguration: { enabled: true, retryDuration: 300 },
        processingConfiguration: {
          enabled: true,
          processors: [
            // The function packs several rows per record (5 KB billing); split them back first.
            { type: 'RecordDeAggregation', parameters: [{ parameterName: 'SubRecordType', parameterValue: 'JSON' }] },
            {
              type: 'MetadataExtraction',
              parameters: [
                { parameterName: 'MetadataExtractionQuery', parameterValue: METADATA_EXTRACTION_QUERY },
                { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
              ],
            },
            // One row per line in S3 (NDJSON), whatever the producer sent.
            { type: 'AppendDelimiterToRecord', parameters: [] },
          ],
        },
        cloudwatchLoggingOptions: { enabled: true, logGroupName: this.logGroup.name, logStreamName: logStream.name },
      },
      // The role must hold its permissions before the first delivery.
      dependsOn: [firehosePolicy],
    });
  }

  get deliveryStreamArn(): string {
    return this.deliveryStream.arn;
  }
}
