import type { Construct } from 'constructs';
import { TerraformOutput } from 'cdktn';
import { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import { eventRegistry } from '@kestrel/contracts';
import type { EventRegistry } from '@kestrel/contracts';
import { ServiceStack } from '@kestrel/infra-constructs';
import type { EnvironmentConfig } from '@kestrel/infra-constructs';
import manifest, { pseudonymisationKeyParameter } from '../service';
import { LAKE_SETTINGS } from './lake-settings';
import type { LakeSettings } from './lake-settings';
import { RawZone } from './raw-zone';
import { SqlCatalog } from './sql-catalog';

export interface AnalyticsIngestStackProps {
  env: EnvironmentConfig;
  /** `dist/bundles`, built by `nx run analytics-ingest:bundle`. */
  bundlesDir: string;
  /** Overrides the environment's lake settings (tests). */
  settings?: Partial<LakeSettings>;
  /** Contracts whose types the Glue table projects (default: the platform registry). */
  registry?: EventRegistry;
}

/**
 * analytics-ingest-<env>: the stack derived from `service.ts` (the ingest
 * function, its rule on the platform bus with retry policy and dead-letter
 * queue, the queue that batches events for it, its role) plus the lake it feeds. Reads as a
 * table of contents: raw zone, SQL catalog, the key parameter's name (the
 * parameter itself is not Terraform's), the function's grants, alarms.
 */
export class AnalyticsIngestStack extends ServiceStack {
  readonly rawZone: RawZone;
  readonly sql: SqlCatalog;
  /** Name of the SecureString holding the pseudonymisation key, created by an operator (README runbook), never by Terraform. */
  readonly keyParameterName: string;

  constructor(scope: Construct, { env, bundlesDir, settings: overrides, registry = eventRegistry }: AnalyticsIngestStackProps) {
    super(scope, { manifest, env, bundlesDir });
    const settings: LakeSettings = { ...LAKE_SETTINGS[env.name], ...overrides };

    this.rawZone = new RawZone(this, 'raw-zone', { stack: this, env, settings });
    this.sql = new SqlCatalog(this, 'sql', {
      stack: this,
      env,
      settings,
      lakeBucket: this.rawZone.bucket.name,
      lakeKeyArn: this.rawZone.key.arn,
      registry,
    });

    // The key never goes through Terraform, not even as a placeholder: an
    // aws_ssm_parameter (with ignore_changes or not) stores the refreshed value in
    // the state, and a data source would too. An operator creates the parameter
    // (README runbook); the stack only knows its name, for the grant and the function.
    const keyParameterName = pseudonymisationKeyParameter(env.name);
    this.keyParameterName = keyParameterName;

    // PutRecordBatch on the stream is derived from the manifest (access.deliveryStreams).
    const ingest = this.functions.get('ingest');
    ingest.grant(
      {
        Sid: 'DecryptKeyParameter',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [this.key.arn],
        Condition: { StringEquals: { 'kms:ViaService': `ssm.${env.region}.amazonaws.com` } },
      },
    );
    ingest.lambda.addOverride('environment.variables.DELIVERY_STREAM_NAME', this.rawZone.deliveryStream.name);
    ingest.lambda.addOverride('environment.variables.PSEUDONYMISATION_KEY_PARAMETER', keyParameterName);

    new CloudwatchMetricAlarm(this, 'quarantine-alarm', {
      alarmName: this.resourceName('events-quarantined'),
      alarmDescription: 'Events failed their contract or have none: they are in the quarantine prefix with the reason. Fix the producer (or register the contract), then replay from the bus archive.',
      namespace: 'Kestrel/AnalyticsIngest',
      metricName: 'EventsQuarantined',
      dimensions: { Service: manifest.name },
      statistic: 'Sum',
      period: env.alarms.periodSeconds,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    });
    new CloudwatchMetricAlarm(this, 'freshness-alarm', {
      alarmName: this.resourceName('lake-freshness'),
      alarmDescription: 'The oldest record in Firehose has waited much longer than the buffering interval: S3 delivery is failing (see the stream log group and the errors/ prefix).',
      namespace: 'AWS/Firehose',
      metricName: 'DeliveryToS3.DataFreshness',
      dimensions: { DeliveryStreamName: this.rawZone.deliveryStream.name },
      statistic: 'Maximum',
      period: 300,
      evaluationPeriods: 3,
      threshold: settings.bufferingIntervalSeconds * 3,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    });

    new TerraformOutput(this, 'raw-zone-bucket', { value: this.rawZone.bucket.name, description: 'The analytics raw zone' });
    new TerraformOutput(this, 'delivery-stream', { value: this.rawZone.deliveryStream.name, description: 'Firehose stream the ingest function writes' });
    new TerraformOutput(this, 'pseudonymisation-key-parameter', {
      value: keyParameterName,
      description: 'SecureString an operator creates (not Terraform): HMAC key of the lake pseudonyms, base64 of >= 32 random bytes',
    });
    new TerraformOutput(this, 'athena-workgroup', { value: this.sql.workgroup.name, description: 'Athena workgroup for SQL over the lake' });
  }
}
