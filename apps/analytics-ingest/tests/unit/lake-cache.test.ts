import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { syncLake } from '../../tools/lake/cache';

/** An S3 double holding objects in memory, listing two keys per page like a paginating bucket. */
function bucketDouble(objects: Record<string, string>) {
  const gets: string[] = [];
  return {
    gets,
    async send(command: ListObjectsV2Command | GetObjectCommand) {
      const input = command.input as { Prefix?: string; ContinuationToken?: string; Key?: string };
      if ('Key' in input && input.Key) {
        gets.push(input.Key);
        const body = objects[input.Key] as string;
        return { Body: { transformToByteArray: async () => Buffer.from(body) } };
      }
      const keys = Object.keys(objects).filter((key) => key.startsWith(input.Prefix ?? '')).sort();
      const start = Number(input.ContinuationToken ?? 0);
      const page = keys.slice(start, start + 2);
      const more = start + 2 < keys.length;
      return { Contents: page.map((Key) => ({ Key, ETag: `"${objects[Key]?.length}"` })), IsTruncated: more, NextContinuationToken: more ? String(start + 2) : undefined };
    },
  };
}

describe('syncLake', () => {
  let cacheDir: string;
  afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('copies every object under the zone prefixes, across pages, mirroring keys', async () => {
    // prepare
    cacheDir = mkdtempSync(join(tmpdir(), 'lake-cache-'));
    const s3 = bucketDouble({ 'raw/a/1.json.gz': 'one', 'raw/a/2.json.gz': 'two', 'raw/b/3.json.gz': 'three', 'quarantine/q.json.gz': 'q', 'errors/e.gz': 'e' });

    // act
    const report = await syncLake({ s3: s3 as never, bucket: 'lake', cacheDir });

    // assess
    expect(report).toEqual({ listed: 4, downloaded: 4, bytes: 12 });
    expect(readFileSync(join(cacheDir, 'raw/b/3.json.gz'), 'utf8')).toBe('three');
    expect(existsSync(join(cacheDir, 'errors/e.gz'))).toBe(false);
  });

  it('fetches only new or changed objects the next time', async () => {
    // prepare
    cacheDir = mkdtempSync(join(tmpdir(), 'lake-cache-'));
    const objects: Record<string, string> = { 'raw/a/1.json.gz': 'one' };
    const s3 = bucketDouble(objects);
    await syncLake({ s3: s3 as never, bucket: 'lake', cacheDir });
    objects['raw/a/2.json.gz'] = 'two';

    // act
    const report = await syncLake({ s3: s3 as never, bucket: 'lake', cacheDir });

    // assess
    expect(report).toEqual({ listed: 2, downloaded: 1, bytes: 3 });
    expect(s3.gets).toEqual(['raw/a/1.json.gz', 'raw/a/2.json.gz']);
  });

  it('refuses a key that would write outside the cache', async () => {
    // prepare
    cacheDir = mkdtempSync(join(tmpdir(), 'lake-cache-'));
    const s3 = bucketDouble({ 'raw/../../escape.json.gz': 'x' });

    // act
    const failure = syncLake({ s3: s3 as never, bucket: 'lake', cacheDir });

    // assess
    await expect(failure).rejects.toThrow(/outside/);
  });
});
