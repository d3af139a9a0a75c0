/**
 * The analytics raw zone read as its users read it: every object of the bucket (Firehose writes
 * GZIP'd newline-delimited JSON rows), decompressed and parsed. Small buckets only: a system
 * test's lake holds a handful of events.
 */
import { gunzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { allObjects } from '@kestrel/testing/cloud';

/** A lake row as analytics-ingest writes it (the fields tests read). */
export interface LakeRow {
  zone: 'raw' | 'quarantine';
  eventId: string;
  source: string;
  detailType: string;
  version: number;
  correlationId: string;
  causationId: string;
  producer: string;
  data: Record<string, unknown>;
}

/**
 * Every row in the bucket, raw and quarantined.
 *
 * @example
 * const rows = await lakeRows(s3, bucket);
 * rows.filter((row) => row.zone === 'raw' && row.detailType === 'UserRegistered');
 */
export async function lakeRows(s3: S3Client, bucket: string): Promise<LakeRow[]> {
  const rows: LakeRow[] = [];
  for (const { body } of await allObjects(s3, bucket)) rows.push(...parseLakeObject(body));
  return rows;
}

/**
 * The rows of one lake object (GZIP'd newline-delimited JSON); none for an empty object.
 *
 * @example
 * parseLakeObject(gzipSync('{"eventId":"e-1"}\n')); // [{ eventId: 'e-1' }]
 */
export function parseLakeObject(body: Uint8Array): LakeRow[] {
  if (body.length === 0) return [];
  return gunzipSync(body)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as LakeRow);
}

/**
 * Asks the local Firehose to deliver its buffers now (a local-only control at the edge), instead
 * of waiting out the stream's buffering interval.
 *
 * @example
 * await flushFirehose(cloud.endpoint);
 */
export async function flushFirehose(endpoint: string): Promise<void> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Firehose_20150804.LocalFlush' },
    body: '{}',
  });
  if (!response.ok) throw new Error(`LocalFlush: ${response.status} ${await response.text()}`);
}
