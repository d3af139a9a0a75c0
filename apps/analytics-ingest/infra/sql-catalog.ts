import { Construct } from 'constructs';
import { AthenaWorkgroup } from '@cdktn/provider-aws/lib/athena-workgroup';
import { GlueCatalogDatabase } from '@cdktn/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktn/provider-aws/lib/glue-catalog-table';
import type { EventRegistry } from '@kestrel/contracts';
import type { EnvironmentConfig } from '@kestrel/infra-constructs/environments';
import type { KestrelStack } from '@kestrel/infra-constructs/kestrel-stack';
import { PARTITION_KEYS, RAW_COLUMNS, ZONES } from '../lake';
import type { LakeSettings } from './lake-settings';
import { SecureBucket } from './secure-bucket';

export interface SqlCatalogProps {
  stack: KestrelStack;
  env: EnvironmentConfig;
  settings: LakeSettings;
  /** The raw-zone bucket's name. */
  lakeBucket: string;
  lakeKeyArn: string;
  /** Which sources and detail-types exist (the enum partition projection). */
  registry: EventRegistry;
}

/** Sorted, distinct values. */
const distinct = (values: string[]) => [...new Set(values)].sort();

/**
 * SQL over the raw zone without a database server: a Glue table whose
 * partitions are *projected* (Athena computes them from the key ranges below
 * instead of a crawler or `MSCK REPAIR` keeping a partition list), and an
 * Athena workgroup that forces encrypted results into its own bucket and
 * caps the bytes a query may scan. Sources and detail-types are enums from
 * the contract registry: only registered types reach the raw zone (others
 * are quarantined), and the function and this table ship from the same commit.
 */
export class SqlCatalog extends Construct {
  readonly database: GlueCatalogDatabase;
  readonly rawEvents: GlueCatalogTable;
  readonly resultsBucket: SecureBucket;
  readonly workgroup: AthenaWorkgroup;

  constructor(scope: Construct, id: string, { stack, env, settings, lakeBucket, lakeKeyArn, registry }: SqlCatalogProps) {
    super(scope, id);
    const contracts = registry.all();

    this.database = new GlueCatalogDatabase(this, 'database', {
      // Glue and Athena names: lower-case letters, digits and underscores.
      name: `kestrel_${env.name}_analytics`,
      description: 'Kestrel analytics lake: every business event, pseudonymised (see apps/analytics-ingest/README.md).',
    });

    const location = `s3://${lakeBucket}/${ZONES.raw}/`;
    // `$${` is Terraform's escape for a literal `${`: Athena fills these in, not Terraform.
    const template = `${location}${PARTITION_KEYS.map((key) => `${key}=$\${${key}}`).join('/')}/`;
    this.rawEvents = new GlueCatalogTable(this, 'raw-events', {
      databaseName: this.database.name,
      name: 'raw_events',
      description: 'One row per business event delivery (at least once: deduplicate on eventid).',
      tableType: 'EXTERNAL_TABLE',
      parameters: {
        classification: 'json',
        compressionType: 'gzip',
        EXTERNAL: 'TRUE',
        'projection.enabled': 'true',
        'projection.source.type': 'enum',
        'projection.source.values': distinct(contracts.map((c) => c.source)).join(','),
        'projection.detail_type.type': 'enum',
        'projection.detail_type.values': distinct(contracts.map((c) => c.detailType)).join(','),
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': `${settings.firstPartitionDate},NOW`,
        'projection.dt.interval': '1',
        'projection.dt.interval.unit': 'DAYS',
        'projection.hour.type': 'integer',
        'projection.hour.range': '0,23',
        'projection.hour.digits': '2',
        'storage.location.template': template,
      },
      partitionKeys: PARTITION_KEYS.map((name) => ({ name, type: 'string' })),
      storageDescriptor: {
        location,
        inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
        serDeInfo: {
          name: 'json',
          serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
          // A malformed line is skipped instead of failing the whole query.
          parameters: { 'ignore.malformed.json': 'true', 'case.insensitive': 'true' },
        },
        columns: RAW_COLUMNS.map(({ name, glue, comment }) => ({ name: name.toLowerCase(), type: glue, comment })),
      },
    });

    this.resultsBucket = new SecureBucket(this, 'results', {
      bucketName: `${stack.resourceName('athena-results')}-${env.accountId}`,
      keyArn: lakeKeyArn,
      lifecycle: [
        {
          id: 'results-expiry',
          status: 'Enabled',
          filter: [{}],
          expiration: [{ days: settings.athenaResultsExpiryDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
        },
      ],
    });

    this.workgroup = new AthenaWorkgroup(this, 'workgroup', {
      name: stack.resourceName('sql'),
      description: 'Queries over the analytics raw zone; results encrypted with the lake key.',
      configuration: {
        // Analysts can't point results at an unencrypted place of their choosing.
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: settings.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.name}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKeyArn: lakeKeyArn },
        },
      },
    });
  }
}
