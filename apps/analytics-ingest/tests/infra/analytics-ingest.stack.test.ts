import { describe, expect, it } from 'vitest';
import { createEventRegistry, UserRegisteredV1 } from '@kestrel/contracts';
import { onlyResourceOfType, reference, resourcesOfType } from '@kestrel/infra-constructs/testing';
import type { SynthesizedBlock, SynthesizedStack } from '@kestrel/infra-constructs/testing';
import { FIREHOSE_ERROR_OUTPUT_PREFIX, FIREHOSE_PREFIX, METADATA_EXTRACTION_QUERY, RAW_COLUMNS } from '../../lake';
import { synthesize } from './synth';

type Json = Record<string, unknown>;
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const { json } = synthesize('staging');

/** The one resource of a type whose attribute has a value. */
function where(stack: SynthesizedStack, type: string, attribute: string, value: unknown): SynthesizedBlock {
  const found = resourcesOfType(stack, type).filter((block) => JSON.stringify(block.values[attribute]) === JSON.stringify(value));
  if (found.length !== 1 || !found[0]) throw new Error(`Expected one ${type} with ${attribute} = ${JSON.stringify(value)}, found ${found.length}`);
  return found[0];
}

/** The one resource of a type configuring a bucket. */
const ofBucket = (stack: SynthesizedStack, type: string, bucket: SynthesizedBlock) => where(stack, type, 'bucket', reference(bucket.address, 'id'));

function statements(policy: unknown): Statement[] {
  return (JSON.parse(String(policy)) as { Statement: Statement[] }).Statement;
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
const rawBucket = where(json, 'aws_s3_bucket', 'bucket', 'kestrel-staging-analytics-ingest-raw-zone-111111111111');
const resultsBucket = where(json, 'aws_s3_bucket', 'bucket', 'kestrel-staging-analytics-ingest-athena-results-111111111111');
const lakeKey = where(json, 'aws_kms_key', 'description', 'Kestrel staging analytics lake: raw zone and Athena results');
const stream = onlyResourceOfType(json, 'aws_kinesis_firehose_delivery_stream');

describe('raw zone bucket', () => {
  it('is named per environment and account, and never force-destroyed', () => {
    expect(rawBucket.values.bucket).toBe('kestrel-staging-analytics-ingest-raw-zone-111111111111');
    expect(rawBucket.values.force_destroy).toBe(false);
  });

  it.each([
    ['raw zone', rawBucket],
    ['Athena results', resultsBucket],
  ])('%s: blocks every kind of public access, enforces bucket ownership, SSE-KMS with a bucket key, versioning', (_, bucket) => {
    // prepare
    const bucketId = reference(bucket.address, 'id');

    // act
    const publicAccess = ofBucket(json, 'aws_s3_bucket_public_access_block', bucket).values;
    const ownership = ofBucket(json, 'aws_s3_bucket_ownership_controls', bucket).values;
    const encryption = ofBucket(json, 'aws_s3_bucket_server_side_encryption_configuration', bucket).values;
    const versioning = ofBucket(json, 'aws_s3_bucket_versioning', bucket).values;

    // assess
    expect(publicAccess).toMatchObject({ bucket: bucketId, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(ownership).toMatchObject({ bucket: bucketId, rule: { object_ownership: 'BucketOwnerEnforced' } });
    expect(encryption).toMatchObject({
      bucket: bucketId,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: reference(lakeKey.address, 'arn') }, bucket_key_enabled: true }],
    });
    expect(versioning).toMatchObject({ bucket: bucketId, versioning_configuration: { status: 'Enabled' } });
  });

  it('refuses plain HTTP and TLS below 1.2 for every principal', () => {
    // act
    const policy = statements(ofBucket(json, 'aws_s3_bucket_policy', rawBucket).values.policy);

    // assess
    const resources = [reference(rawBucket.address, 'arn'), `${reference(rawBucket.address, 'arn')}/*`];
    expect(policy).toEqual([
      { Sid: 'DenyPlainHttp', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: resources, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      { Sid: 'DenyTlsBelow12', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: resources, Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } },
    ]);
  });

  it('moves raw objects to Glacier and expires quarantine after the configured days', () => {
    // prepare
    const custom = synthesize('staging', { settings: { rawToGlacierDays: 45, quarantineExpiryDays: 9 } }).json;

    // act
    const rules = ofBucket(custom, 'aws_s3_bucket_lifecycle_configuration', rawBucket).values.rule as Json[];

    // assess
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'raw-to-glacier', status: 'Enabled', filter: [{ prefix: 'raw/' }], transition: [{ days: 45, storage_class: 'GLACIER' }] }),
        expect.objectContaining({ id: 'quarantine-expiry', status: 'Enabled', filter: [{ prefix: 'quarantine/' }], expiration: [{ days: 9 }] }),
      ]),
    );
    // Raw events are kept forever: no rule expires current raw objects.
    expect(rules.filter((rule) => rule.expiration !== undefined).map((rule) => rule.id)).not.toContain('raw-to-glacier');
  });

  it('uses the environment defaults when nothing is overridden (production keeps raw objects hot longer)', () => {
    // act
    const production = synthesize('production').json;
    const productionBucket = where(production, 'aws_s3_bucket', 'bucket', 'kestrel-production-analytics-ingest-raw-zone-222222222222');
    const rules = ofBucket(production, 'aws_s3_bucket_lifecycle_configuration', productionBucket).values.rule as Json[];

    // assess
    expect(rules.find((rule) => rule.id === 'raw-to-glacier')?.transition).toEqual([{ days: 90, storage_class: 'GLACIER' }]);
  });
});

describe('Firehose delivery stream', () => {
  it('delivers to the raw zone bucket, partitioned by zone/source/detail_type/dt/hour, GZIP, with an error prefix', () => {
    // act
    const s3 = stream.values.extended_s3_configuration as Json;

    // assess
    expect(stream.values.name).toBe('kestrel-staging-analytics-ingest-raw-events');
    expect(stream.values.destination).toBe('extended_s3');
    expect(s3).toMatchObject({
      bucket_arn: reference(rawBucket.address, 'arn'),
      prefix: FIREHOSE_PREFIX,
      error_output_prefix: FIREHOSE_ERROR_OUTPUT_PREFIX,
      compression_format: 'GZIP',
      file_extension: '.json.gz',
      dynamic_partitioning_configuration: { enabled: true },
    });
    expect(FIREHOSE_PREFIX).toMatch(/^!\{partitionKeyFromQuery:zone\}\/source=.+\/detail_type=.+\/dt=!\{timestamp:yyyy-MM-dd\}\/hour=!\{timestamp:HH\}\/$/);
    expect(s3.buffering_size).toBeGreaterThanOrEqual(64);
  });

  it('splits packed records, extracts partition keys with jq and ends every row with a newline', () => {
    // act
    const processing = (stream.values.extended_s3_configuration as Json).processing_configuration as { enabled: boolean; processors: Array<{ type: string; parameters: Json[] }> };

    // assess
    expect(processing.enabled).toBe(true);
    expect(processing.processors.map((p) => p.type)).toEqual(['RecordDeAggregation', 'MetadataExtraction', 'AppendDelimiterToRecord']);
    expect(processing.processors[1]?.parameters).toEqual([
      { parameter_name: 'MetadataExtractionQuery', parameter_value: METADATA_EXTRACTION_QUERY },
      { parameter_name: 'JsonParsingEngine', parameter_value: 'JQ-1.6' },
    ]);
  });

  it('encrypts the stream at rest with the lake key (customer-managed), whose alias is under the service prefix', () => {
    expect(stream.values.server_side_encryption).toEqual({ enabled: true, key_type: 'CUSTOMER_MANAGED_CMK', key_arn: reference(lakeKey.address, 'arn') });
    expect(resourcesOfType(json, 'aws_kms_alias').map((alias) => alias.values.name)).toContain('alias/kestrel-staging-analytics-ingest-lake');
  });
});

describe('roles', () => {
  const functionPolicy = statements(where(json, 'aws_iam_role_policy', 'name', 'least-privilege').values.policy);
  const firehoseRole = where(json, 'aws_iam_role', 'name', 'kestrel-staging-analytics-ingest-raw-events');
  const firehosePolicy = statements(where(json, 'aws_iam_role_policy', 'role', reference(firehoseRole.address, 'id')).values.policy);

  it('the function may put to its own stream and nothing else in Firehose', () => {
    // act
    const firehose = functionPolicy.filter((s) => list(s.Action).some((action) => action.startsWith('firehose:')));

    // assess
    expect(firehose).toEqual([
      {
        Sid: 'PutDeliveryStreams',
        Effect: 'Allow',
        Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
        Resource: [`arn:aws:firehose:eu-west-1:111111111111:deliverystream/${String(stream.values.name)}`],
      },
    ]);
    expect(stream.values.name).toBe('kestrel-staging-analytics-ingest-raw-events');
  });

  it('the function reads only its own key parameter, decrypting through SSM only', () => {
    // act
    const ssm = functionPolicy.filter((s) => list(s.Action).some((action) => action.startsWith('ssm:')));
    const decrypt = functionPolicy.find((s) => s.Sid === 'DecryptKeyParameter');

    // assess
    expect(ssm.flatMap((s) => list(s.Resource))).toEqual(['arn:aws:ssm:eu-west-1:111111111111:parameter/kestrel/staging/analytics-ingest/pseudonymisation-key']);
    expect(decrypt?.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' } });
  });

  it('Firehose may write only its bucket\'s zone prefixes, and is assumable only by Firehose for this account', () => {
    // act
    const s3Writes = firehosePolicy.filter((s) => list(s.Action).some((action) => action === 's3:PutObject'));
    const s3Resources = firehosePolicy.filter((s) => list(s.Action).some((action) => action.startsWith('s3:'))).flatMap((s) => list(s.Resource));
    const trust = statements(firehoseRole.values.assume_role_policy);

    // assess
    const bucketArn = reference(rawBucket.address, 'arn');
    expect(s3Writes.flatMap((s) => list(s.Resource))).toEqual([`${bucketArn}/raw/*`, `${bucketArn}/quarantine/*`, `${bucketArn}/errors/*`]);
    expect(s3Resources.every((resource) => resource === bucketArn || resource.startsWith(`${bucketArn}/`))).toBe(true);
    expect(firehosePolicy.flatMap((s) => list(s.Action))).not.toContain('s3:*');
    expect(trust).toEqual([
      { Effect: 'Allow', Principal: { Service: 'firehose.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': '111111111111' } } },
    ]);
  });

  it('Firehose uses the lake key only through S3', () => {
    // act
    const kms = firehosePolicy.filter((s) => list(s.Action).some((action) => action.startsWith('kms:')));

    // assess
    expect(kms).toEqual([
      {
        Sid: 'EncryptWithLakeKey',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: [reference(lakeKey.address, 'arn')],
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
    ]);
  });
});

describe('ingest function wiring', () => {
  it('knows its stream and key parameter', () => {
    // act
    const variables = ((onlyResourceOfType(json, 'aws_lambda_function').values.environment as Json).variables ?? {}) as Json;

    // assess
    expect(variables).toMatchObject({
      DELIVERY_STREAM_NAME: reference(stream.address, 'name'),
      PSEUDONYMISATION_KEY_PARAMETER: '/kestrel/staging/analytics-ingest/pseudonymisation-key',
    });
  });

  it('is subscribed to every kestrel.* event with a retry policy and a dead-letter queue', () => {
    // act
    const rule = onlyResourceOfType(json, 'aws_cloudwatch_event_rule').values;
    const target = onlyResourceOfType(json, 'aws_cloudwatch_event_target').values;

    // assess
    expect(JSON.parse(String(rule.event_pattern))).toEqual({ source: [{ prefix: 'kestrel.' }] });
    expect(target.retry_policy).toEqual({ maximum_retry_attempts: 185, maximum_event_age_in_seconds: 86_400 });
    expect((target.dead_letter_config as Json).arn).toMatch(/^\$\{aws_sqs_queue\./);
  });

  it('receives the events in batches of 500 through its queue, answering partial batch failures', () => {
    // prepare
    const queue = where(json, 'aws_sqs_queue', 'name', 'kestrel-staging-analytics-ingest-all-business-events-queue');
    const ingest = onlyResourceOfType(json, 'aws_lambda_function');

    // act
    const target = onlyResourceOfType(json, 'aws_cloudwatch_event_target').values;
    const mapping = onlyResourceOfType(json, 'aws_lambda_event_source_mapping').values;

    // assess: 6 × 60 s timeout + 20 s window
    expect(target.arn).toBe(reference(queue.address, 'arn'));
    expect(queue.values.visibility_timeout_seconds).toBe(380);
    expect(JSON.parse(String(queue.values.redrive_policy))).toMatchObject({ maxReceiveCount: 10 });
    expect(mapping).toMatchObject({
      function_name: reference(ingest.address, 'arn'),
      event_source_arn: reference(queue.address, 'arn'),
      batch_size: 500,
      maximum_batching_window_in_seconds: 20,
      function_response_types: ['ReportBatchItemFailures'],
      // a burst waits in the queue instead of being throttled back into it
      scaling_config: { maximum_concurrency: 5 },
    });
    expect(resourcesOfType(json, 'aws_lambda_function_event_invoke_config')).toEqual([]);
  });

  it('keeps the pseudonymisation key out of Terraform entirely: no resource or data source can carry its value into the state', () => {
    // prepare
    const name = '/kestrel/staging/analytics-ingest/pseudonymisation-key';
    /** Every block (resource, data source) whose attributes mention the parameter, with the attributes that do. */
    const mentions = (['resource', 'data'] as const).flatMap((kind) =>
      Object.entries(json[kind] ?? {}).flatMap(([type, blocks]) =>
        Object.entries(blocks).flatMap(([id, values]) =>
          Object.entries(values as Record<string, unknown>)
            .filter(([, value]) => JSON.stringify(value).includes('pseudonymisation-key'))
            .map(([attribute]) => `${kind}.${type}.${id}.${attribute}`),
        ),
      ),
    );

    // assess
    expect(resourcesOfType(json, 'aws_ssm_parameter')).toEqual([]);
    // Only its name, in places that hold names: IAM policy ARNs and the function's environment.
    expect(mentions.length).toBeGreaterThan(0);
    expect(mentions.filter((m) => !/^resource\.(aws_iam_role_policy\.[^.]+\.policy|aws_lambda_function\.[^.]+\.environment)$/.test(m))).toEqual([]);
    expect(json.output?.['pseudonymisation-key-parameter']?.value).toBe(name);
  });
});

describe('SQL catalog', () => {
  it('declares the raw events table over raw/ with projected partitions matching the Firehose prefix', () => {
    // act
    const table = onlyResourceOfType(json, 'aws_glue_catalog_table').values;
    const parameters = table.parameters as Record<string, string>;
    const storage = table.storage_descriptor as Json;

    // assess
    expect(table.database_name).toBe(reference(onlyResourceOfType(json, 'aws_glue_catalog_database').address, 'name'));
    expect(table.partition_keys).toEqual(['source', 'detail_type', 'dt', 'hour'].map((name) => ({ name, type: 'string' })));
    expect(parameters['projection.enabled']).toBe('true');
    expect(parameters['projection.source.values']?.split(',')).toEqual(expect.arrayContaining(['kestrel.identity']));
    expect(parameters['projection.detail_type.values']?.split(',')).toEqual(expect.arrayContaining(['UserRegistered', 'UserSignedIn']));
    expect(parameters['projection.dt.range']).toBe('2026-01-01,NOW');
    expect(parameters['projection.hour.digits']).toBe('2');
    expect(parameters['storage.location.template']).toBe(
      `s3://${reference(rawBucket.address, 'bucket')}/raw/source=$\${source}/detail_type=$\${detail_type}/dt=$\${dt}/hour=$\${hour}/`,
    );
    expect(storage.location).toBe(`s3://${reference(rawBucket.address, 'bucket')}/raw/`);
    expect((storage.ser_de_info as Json).serialization_library).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect((storage.columns as Json[]).map((c) => c.name)).toEqual(RAW_COLUMNS.map((c) => c.name.toLowerCase()));
  });

  it('projects exactly the registered sources and detail-types', () => {
    // prepare
    const registry = createEventRegistry([UserRegisteredV1]);

    // act
    const parameters = onlyResourceOfType(synthesize('staging', { registry }).json, 'aws_glue_catalog_table').values.parameters as Record<string, string>;

    // assess
    expect(parameters['projection.source.values']).toBe('kestrel.identity');
    expect(parameters['projection.detail_type.values']).toBe('UserRegistered');
  });

  it('runs Athena in a workgroup that enforces encrypted results in their own bucket and caps bytes scanned', () => {
    // act
    const configuration = onlyResourceOfType(json, 'aws_athena_workgroup').values.configuration as Json;

    // assess
    expect(configuration).toMatchObject({
      enforce_workgroup_configuration: true,
      bytes_scanned_cutoff_per_query: 10 * 1024 ** 3,
      result_configuration: {
        output_location: `s3://${reference(resultsBucket.address, 'bucket')}/results/`,
        encryption_configuration: { encryption_option: 'SSE_KMS', kms_key_arn: reference(lakeKey.address, 'arn') },
      },
    });
  });
});
