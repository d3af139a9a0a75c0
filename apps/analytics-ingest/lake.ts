/**
 * The raw zone's layout, shared by the three places that must agree on it:
 * the ingest function (what a row holds), the stack (Firehose's prefix and
 * jq query, the Glue table) and the local lake tools (DuckDB's view of the
 * same objects). Plain data, no AWS SDK and no CDK, so every side may import it.
 */

/** Top-level folders of the bucket. */
export const ZONES = { raw: 'raw', quarantine: 'quarantine', errors: 'errors' } as const;
export type Zone = 'raw' | 'quarantine';

/**
 * The Hive-style partition keys of both zones, in path order:
 * `raw/source=kestrel.identity/detail_type=UserRegistered/dt=2026-01-15/hour=09/`.
 * `dt` and `hour` are the UTC arrival time at Firehose, not the event's own
 * time: a producer's wrong clock can't scatter rows into partitions outside the
 * table's projected range, and a partition, once past, stops changing.
 */
export const PARTITION_KEYS = ['source', 'detail_type', 'dt', 'hour'] as const;

/**
 * Firehose's `MetadataExtraction` query (jq 1.6): the zone and the two
 * business partition keys, read from each row the function writes.
 */
export const METADATA_EXTRACTION_QUERY = '{zone: .zone, source: .source, detail_type: .detailType}';

/** Firehose's S3 prefix: dynamic partitioning by the query's keys, then arrival date and hour. */
export const FIREHOSE_PREFIX =
  '!{partitionKeyFromQuery:zone}/source=!{partitionKeyFromQuery:source}/detail_type=!{partitionKeyFromQuery:detail_type}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/';

/** Where Firehose puts records it could not deliver or partition, by failure kind. */
export const FIREHOSE_ERROR_OUTPUT_PREFIX = 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/';

/** The value used for a partition key an event did not carry in a usable form (only in quarantine). */
export const UNKNOWN_PARTITION_VALUE = 'unknown';

/**
 * Columns of a raw-zone row (JSON keys; Athena lower-cases them). `source` and
 * `detail_type` are partition columns, so the row's own `source`/`detailType`
 * are not declared as data columns. `data` is the pseudonymised payload as
 * JSON: its shape depends on the event type.
 */
export const RAW_COLUMNS = [
  { name: 'eventId', glue: 'string', duckdb: 'VARCHAR', comment: 'Producer-assigned id; deduplicate on it (Firehose delivers at least once).' },
  { name: 'version', glue: 'int', duckdb: 'INTEGER', comment: 'Contract major version.' },
  { name: 'occurredAt', glue: 'string', duckdb: 'VARCHAR', comment: 'When the fact happened, ISO-8601 UTC.' },
  { name: 'receivedAt', glue: 'string', duckdb: 'VARCHAR', comment: 'When the ingest function processed it, ISO-8601 UTC.' },
  { name: 'correlationId', glue: 'string', duckdb: 'VARCHAR', comment: 'Shared by every event of one business flow.' },
  { name: 'causationId', glue: 'string', duckdb: 'VARCHAR', comment: 'The request or event that caused this one.' },
  { name: 'producer', glue: 'string', duckdb: 'VARCHAR', comment: 'Publishing service.' },
  { name: 'envelopeId', glue: 'string', duckdb: 'VARCHAR', comment: 'EventBridge envelope id (changes when a producer retries PutEvents).' },
  { name: 'data', glue: 'string', duckdb: 'JSON', comment: 'detail.data with PII pseudonymised (hmac-sha256:…), as JSON.' },
] as const;

/** Hive-style path of one partition, e.g. for tests and tools that write rows where Firehose would. */
export function partitionPath(zone: Zone, partition: { source: string; detailType: string; receivedAt: Date }): string {
  const iso = partition.receivedAt.toISOString();
  return `${zone}/source=${partition.source}/detail_type=${partition.detailType}/dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/`;
}
