import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createS3Module, decodeAwsChunked } from '../../src/services/s3';
import { listPage } from '../../src/services/s3/listing';
import type { ResourceProvisioner } from '../../src/core/types';

describe('S3 through the edge (s3rver)', () => {
  let cloud: LocalCloud;
  let s3: S3Client;
  const provisioner = (type: string): ResourceProvisioner => cloud.modules[0]!.provisioners.find((candidate) => candidate.type === type)!;
  const apply = (type: string, name: string, config: Record<string, unknown>, previous?: Record<string, unknown>) =>
    provisioner(type).apply({ stack: 'test', type, name, address: `${type}.${name}`, config, stackDir: '.' }, previous);

  beforeAll(async () => {
    cloud = await startLocalCloud({ inMemory: true, modules: [createS3Module] });
    s3 = new S3Client({ endpoint: cloud.endpoint, region: 'eu-west-1', forcePathStyle: true, credentials: { accessKeyId: 'AKIDANY', secretAccessKey: 'any' } });
    await apply('aws_s3_bucket', 'raw', { bucket: 'kestrel-raw-zone' });
    const keys = ['raw/2026/01/15/a.json', 'raw/2026/01/16/b.json', 'raw/2026/02/01/c.json', 'raw/top.json', 'raw/zz.json', 'readme.txt'];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: 'kestrel-raw-zone', Key: key, Body: `{"key":"${key}"}` }));
  }, 60_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  it('creates buckets from Terraform configuration idempotently, keeping generated names stable', async () => {
    // act
    const named = await apply('aws_s3_bucket', 'raw', { bucket: 'kestrel-raw-zone' });
    const generated = await apply('aws_s3_bucket', 'scratch', { bucket_prefix: 'scratch-' });
    const again = await apply('aws_s3_bucket', 'scratch', { bucket_prefix: 'scratch-' }, generated);
    // assess
    expect(named).toMatchObject({ id: 'kestrel-raw-zone', arn: 'arn:aws:s3:::kestrel-raw-zone', bucket_regional_domain_name: 'kestrel-raw-zone.s3.eu-west-1.amazonaws.com' });
    expect(String(generated.bucket)).toMatch(/^scratch-\d{26}$/);
    expect(again.bucket).toBe(generated.bucket);
  });

  it('stores and returns objects, including streamed (aws-chunked) uploads', async () => {
    // act
    await s3.send(new PutObjectCommand({ Bucket: 'kestrel-raw-zone', Key: 'streamed.txt', Body: Readable.from([Buffer.from('hello '), Buffer.from('world')]), ContentLength: 11 }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'kestrel-raw-zone', Key: 'streamed.txt' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'kestrel-raw-zone', Key: 'raw/top.json' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'kestrel-raw-zone', Key: 'streamed.txt' }));
    const missing = await s3.send(new GetObjectCommand({ Bucket: 'kestrel-raw-zone', Key: 'streamed.txt' })).catch((error: unknown) => error);
    // assess
    expect(await got.Body?.transformToString()).toBe('hello world');
    expect(head.ContentLength).toBe('{"key":"raw/top.json"}'.length);
    expect(missing).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });

  it('lists common prefixes of folders that contain only folders (s3rver alone drops them)', async () => {
    // act
    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'kestrel-raw-zone', Prefix: 'raw/', Delimiter: '/' }));
    const year = await s3.send(new ListObjectsV2Command({ Bucket: 'kestrel-raw-zone', Prefix: 'raw/2026/', Delimiter: '/' }));
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: 'kestrel-raw-zone', Delimiter: '/' }));
    // assess
    expect(top.CommonPrefixes?.map((prefix) => prefix.Prefix)).toEqual(['raw/2026/']);
    expect(top.Contents?.map((object) => object.Key)).toEqual(['raw/top.json', 'raw/zz.json']);
    expect(top.KeyCount).toBe(3);
    expect(year.CommonPrefixes?.map((prefix) => prefix.Prefix)).toEqual(['raw/2026/01/', 'raw/2026/02/']);
    expect(v1.CommonPrefixes?.map((prefix) => prefix.Prefix)).toEqual(['raw/']);
    expect(v1.Contents?.map((object) => object.Key)).toEqual(['readme.txt']);
  });

  it('paginates listings, counting keys and common prefixes together against MaxKeys', async () => {
    // act
    const flat: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 2 }, { Bucket: 'kestrel-raw-zone' })) flat.push(...(page.Contents ?? []).map((object) => object.Key as string));
    const grouped: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 1 }, { Bucket: 'kestrel-raw-zone', Prefix: 'raw/', Delimiter: '/' })) {
      grouped.push(...(page.CommonPrefixes ?? []).map((prefix) => prefix.Prefix as string), ...(page.Contents ?? []).map((object) => object.Key as string));
    }
    // assess
    expect(flat).toEqual(['raw/2026/01/15/a.json', 'raw/2026/01/16/b.json', 'raw/2026/02/01/c.json', 'raw/top.json', 'raw/zz.json', 'readme.txt']);
    expect(grouped).toEqual(['raw/2026/', 'raw/top.json', 'raw/zz.json']);
  });

  it('answers a listing of a missing bucket with NoSuchBucket', async () => {
    // act
    const failure = await s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })).catch((error: unknown) => error);
    // assess
    expect(failure).toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
  });

  it('records bucket configuration resources as not enforced, and lists them in state', async () => {
    // act
    const result = await apply('aws_s3_bucket_versioning', 'raw', { bucket: 'kestrel-raw-zone', versioning_configuration: { status: 'Enabled' } });
    const orphan = await apply('aws_s3_bucket_public_access_block', 'ghost', { bucket: 'ghost-bucket' }).catch((error: unknown) => error);
    const state = await cloud.state();
    // assess
    expect(provisioner('aws_s3_bucket_versioning').notEnforced).toBe('configuration recorded, not enforced');
    expect(result).toEqual({ id: 'kestrel-raw-zone', bucket: 'kestrel-raw-zone' });
    expect((orphan as Error).message).toContain("bucket 'ghost-bucket' does not exist");
    expect(state.buckets).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'kestrel-raw-zone', configurationRecordedNotEnforced: [{ type: 'aws_s3_bucket_versioning', address: 'aws_s3_bucket_versioning.raw' }] }),
      ]),
    );
  });
});

describe('S3 listing and chunked bodies (pure)', () => {
  const objects = ['a/1', 'a/2', 'b/x/1', 'c'].map((key) => ({ key, lastModified: '2026-01-01T00:00:00.000Z', etag: '"e"', size: 1 }));

  it('resumes after a common prefix without returning it again', () => {
    // act
    const first = listPage(objects, { version: 2, bucket: 'b', prefix: '', delimiter: '/', maxKeys: 1, fetchOwner: false });
    const second = listPage(objects, { version: 2, bucket: 'b', prefix: '', delimiter: '/', maxKeys: 1, fetchOwner: false, after: first.next?.after, afterIsPrefix: first.next?.isPrefix });
    // assess
    expect(first).toMatchObject({ commonPrefixes: ['a/'], truncated: true, next: { after: 'a/', isPrefix: true } });
    expect(second).toMatchObject({ commonPrefixes: ['b/'], truncated: true });
  });

  it('decodes aws-chunked bodies with signatures and trailers', () => {
    // act
    const body = decodeAwsChunked(Buffer.from('6;chunk-signature=abc\r\nhello \r\n5;chunk-signature=def\r\nworld\r\n0;chunk-signature=0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n'));
    const broken = () => decodeAwsChunked(Buffer.from('ff\r\nshort'));
    // assess
    expect(body.toString()).toBe('hello world');
    expect(broken).toThrow('shorter than its chunk sizes');
  });
});
