/**
 * DuckDB over the local copy of the lake: the views analysts use in Athena,
 * built from the same layout (`lake.ts`), plus the two Athena functions our
 * queries use, so a query written for the workgroup runs here unchanged.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { PARTITION_KEYS, RAW_COLUMNS, ZONES } from '../../lake';

/** A query's answer as plain JSON values (BIGINTs as numbers when exact, else strings). */
export interface QueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

export interface Lake {
  query(sql: string): Promise<QueryResult>;
  close(): void;
}

function hasFiles(dir: string, suffix: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((name) => name.endsWith(suffix));
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** SQL for the raw-zone table function over a folder, with the Glue table's columns. */
function rawEventsSource(root: string): string {
  const columns = RAW_COLUMNS.map(({ name, duckdb }) => `${quote(name)}: ${quote(duckdb)}`).join(', ');
  return `read_json(${quote(join(root, ZONES.raw, '**', '*.json.gz'))}, format = 'newline_delimited', hive_partitioning = true, hive_types_autocast = false, columns = {${columns}})`;
}

/** An empty relation with the raw table's shape, for a lake with no objects yet. */
function emptyRawEvents(): string {
  const columns = [...RAW_COLUMNS.map(({ name, duckdb }) => `NULL::${duckdb} AS "${name}"`), ...PARTITION_KEYS.map((key) => `NULL::VARCHAR AS ${key}`)];
  return `SELECT ${columns.join(', ')} WHERE false`;
}

async function createViews(connection: DuckDBConnection, root: string): Promise<void> {
  await connection.run(`SET TimeZone = 'UTC'`);
  // Athena (Trino) functions our queries use, so the same SQL runs in both places.
  await connection.run(`CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)`);
  await connection.run(`CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)`);
  const raw = hasFiles(join(root, ZONES.raw), '.json.gz') ? `SELECT * FROM ${rawEventsSource(root)}` : emptyRawEvents();
  await connection.run(`CREATE VIEW raw_events AS ${raw}`);
  // Firehose and Lambda retries deliver at least once. An event's identity is its
  // contract version and eventId (v1 and v2 of one fact share the eventId); keep the
  // copy received last.
  await connection.run(`
    CREATE VIEW latest_events AS
    SELECT * FROM raw_events
    QUALIFY row_number() OVER (PARTITION BY source, detail_type, version, "eventId" ORDER BY "receivedAt" DESC) = 1`);
  const quarantine = hasFiles(join(root, ZONES.quarantine), '.json.gz')
    ? `SELECT * FROM read_json(${quote(join(root, ZONES.quarantine, '**', '*.json.gz'))}, format = 'newline_delimited', hive_partitioning = true, hive_types_autocast = false, union_by_name = true)`
    : `SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS detail_type, NULL::VARCHAR AS "eventId", NULL::JSON AS reason, NULL::VARCHAR AS "receivedAt" WHERE false`;
  await connection.run(`CREATE VIEW quarantine_events AS ${quarantine}`);
}

/** Numbers as numbers (BIGINT too, when exact); dates, timestamps, lists and structs as DuckDB's JSON rendering (`2026-01-15`). */
function plain(js: unknown, json: unknown): unknown {
  if (typeof js === 'bigint') return Number.isSafeInteger(Number(js)) ? Number(js) : js.toString();
  if (js !== null && typeof js === 'object') return json;
  return js;
}

/**
 * Opens an in-memory DuckDB over a cache folder (see `syncLake`) with the views
 * `raw_events`, `latest_events` (deduplicated) and `quarantine_events`.
 *
 * @example
 * ```ts
 * const lake = await openLake('.lake-cache');
 * const { rows } = await lake.query('SELECT source, count(*) AS events FROM latest_events GROUP BY 1');
 * lake.close();
 * ```
 */
export async function openLake(cacheDir: string): Promise<Lake> {
  const root = resolve(cacheDir);
  // No extension is fetched at run time (none can be here): json and parquet are built in.
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  const connection = await instance.connect();
  try {
    await createViews(connection, root);
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
  return {
    async query(sql) {
      const reader = await connection.runAndReadAll(sql);
      const columns = reader.columnNames();
      const json = reader.getRowObjectsJson();
      const rows = reader.getRowObjectsJS().map((row, index) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, plain(value, json[index]?.[key])])));
      return { columns, rows };
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
