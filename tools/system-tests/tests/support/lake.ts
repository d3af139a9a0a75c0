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
  for (const { body } of await allObjects(s3, bucket)) {
    if (body.length === 0) continue;
    const text = gunzipSync(body).toString('utf8');
    for (const line of text.split('\n')) if (line.trim()) rows.push(JSON.parse(line) as LakeRow);
  }
  return rows;
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
