/**
 * A local copy of the lake's objects, refreshed through the S3 API. DuckDB's
 * `httpfs` extension (what `s3://` URLs need) is downloaded at run time,
 * which this environment can't do; reading objects with the SDK into a folder
 * mirroring their keys gives DuckDB plain files with the same Hive-style paths.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';

export interface SyncOptions {
  s3: Pick<S3Client, 'send'>;
  bucket: string;
  /** Folder mirroring the bucket's keys. */
  cacheDir: string;
  /** Key prefixes to copy (default: both zones). */
  prefixes?: readonly string[];
}

export interface SyncReport {
  listed: number;
  downloaded: number;
  bytes: number;
}

const MANIFEST = '.sync.json';

/**
 * Copies new or changed objects (by ETag) under the prefixes into the cache.
 * Objects are immutable once Firehose wrote them, so a refresh only fetches
 * what arrived since the last one.
 *
 * @example
 * ```ts
 * await syncLake({ s3: new S3Client({ endpoint, forcePathStyle: true }), bucket, cacheDir: '.lake-cache' });
 * ```
 */
export async function syncLake({ s3, bucket, cacheDir, prefixes = ['raw/', 'quarantine/'] }: SyncOptions): Promise<SyncReport> {
  const root = resolve(cacheDir);
  mkdirSync(root, { recursive: true });
  const manifestFile = join(root, MANIFEST);
  const known: Record<string, string> = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, string>) : {};
  const report: SyncReport = { listed: 0, downloaded: 0, bytes: 0 };

  for (const prefix of prefixes) {
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (!object.Key || object.Key.endsWith('/')) continue;
        report.listed++;
        const target = resolve(root, object.Key);
        // A key is data from the bucket: never let one write outside the cache.
        if (!target.startsWith(root + sep)) throw new Error(`Refusing to cache object key "${object.Key}" outside ${root}`);
        if (known[object.Key] === object.ETag && existsSync(target)) continue;
        const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
        const bytes = await body.Body?.transformToByteArray();
        if (!bytes) throw new Error(`s3://${bucket}/${object.Key} has no body`);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, bytes);
        known[object.Key] = object.ETag ?? '';
        report.downloaded++;
        report.bytes += bytes.byteLength;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  writeFileSync(manifestFile, JSON.stringify(known));
  return report;
}
