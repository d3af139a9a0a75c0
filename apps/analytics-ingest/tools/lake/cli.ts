/**
 * SQL over the local lake.
 *
 *   npm run lake:query -- "SELECT source, count(*) FROM latest_events GROUP BY 1"
 *   npm run lake:report
 *
 * Copies new objects from the raw-zone bucket (through the S3 API of the local
 * cloud, or of AWS with --endpoint unset and credentials) into a cache, then
 * runs DuckDB over it. Views: raw_events, latest_events (deduplicated on the
 * event's identity), quarantine_events.
 *
 * Options: --env <staging|production> (bucket discovery, default staging),
 * --bucket <name>, --endpoint <url> (default AWS_ENDPOINT_URL, else the running
 * local cloud's port from lock.json in LOCAL_CLOUD_DATA_DIR or .local-cloud/), --cache <dir>, --offline
 * (query the cache as it is), --json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { syncLake } from './cache';
import { openLake } from './lake-db';
import type { QueryResult } from './lake-db';
import { lakeReport } from './report';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const repoRoot = resolve(projectRoot, '../..');

/** The running local cloud's endpoint, from the lock file `npm start` writes in its data dir (LOCAL_CLOUD_DATA_DIR, default .local-cloud). */
function localCloudEndpoint(): string | undefined {
  const lock = join(process.env.LOCAL_CLOUD_DATA_DIR ? resolve(process.env.LOCAL_CLOUD_DATA_DIR) : join(repoRoot, '.local-cloud'), 'lock.json');
  if (!existsSync(lock)) return undefined;
  const { port } = JSON.parse(readFileSync(lock, 'utf8')) as { port?: number };
  return port ? `http://127.0.0.1:${port}` : undefined;
}

async function findBucket(s3: S3Client, env: string): Promise<string> {
  const prefix = `kestrel-${env}-analytics-ingest-raw-zone-`;
  const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
  const found = Buckets.map((bucket) => bucket.Name ?? '').filter((name) => name.startsWith(prefix));
  if (found.length !== 1) {
    throw new Error(`Expected one bucket named ${prefix}<account>, found ${found.length === 0 ? 'none' : found.join(', ')}; is the analytics-ingest stack applied? (or pass --bucket)`);
  }
  return found[0] as string;
}

/** A result as an aligned text table. */
export function formatTable({ columns, rows }: QueryResult): string {
  const cell = (value: unknown) => (value === null || value === undefined ? 'NULL' : typeof value === 'object' ? JSON.stringify(value) : String(value));
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row[column]).length)));
  const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((row) => line(columns.map((c) => cell(row[c])))), `(${rows.length} row${rows.length === 1 ? '' : 's'})`].join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      env: { type: 'string', default: 'staging' },
      bucket: { type: 'string' },
      endpoint: { type: 'string' },
      cache: { type: 'string', default: join(projectRoot, '.lake-cache') },
      offline: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (command !== 'query' && command !== 'report') {
    throw new Error('Usage: lake query "<SQL>" | lake report  [--env staging] [--bucket name] [--endpoint url] [--cache dir] [--offline] [--json]');
  }
  const sql = rest.join(' ').trim();
  if (command === 'query' && sql === '') throw new Error('lake query needs SQL, e.g. npm run lake:query -- "SELECT count(*) FROM latest_events"');

  const cacheDir = resolve(values.cache as string);
  if (!values.offline) {
    const endpoint = values.endpoint ?? process.env.AWS_ENDPOINT_URL ?? localCloudEndpoint();
    const local = endpoint !== undefined;
    const s3 = new S3Client({
      ...(local ? { endpoint, forcePathStyle: true, region: process.env.AWS_REGION ?? 'us-east-1' } : {}),
      // The local cloud accepts any credentials; AWS uses the normal provider chain.
      ...(local && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    });
    const bucket = values.bucket ?? (await findBucket(s3, values.env as string));
    const synced = await syncLake({ s3, bucket, cacheDir });
    process.stderr.write(`lake: ${synced.listed} objects in s3://${bucket} (${synced.downloaded} new, ${synced.bytes} bytes) cached in ${cacheDir}\n`);
    s3.destroy();
  }

  const lake = await openLake(cacheDir);
  try {
    if (command === 'query') {
      const result = await lake.query(sql);
      process.stdout.write(`${values.json ? JSON.stringify(result.rows, null, 2) : formatTable(result)}\n`);
    } else {
      const report = await lakeReport(lake);
      if (values.json) process.stdout.write(`${JSON.stringify({ eventsPerDay: report.eventsPerDay.rows, medianMinutesToFirstSignIn: report.medianMinutesToFirstSignIn.rows }, null, 2)}\n`);
      else {
        process.stdout.write(`Events per source, type and day (deduplicated)\n${formatTable(report.eventsPerDay)}\n\n`);
        process.stdout.write(`Median minutes from registration to first sign-in, by registration day\n${formatTable(report.medianMinutesToFirstSignIn)}\n`);
      }
    }
  } finally {
    lake.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`lake: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
