import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** One object of a bucket, read whole. */
export interface BucketObject {
  readonly key: string;
  readonly body: Uint8Array;
}

/**
 * Every object of a bucket (all pages of the listing), each read whole. Small test buckets only.
 *
 * @example
 * ```ts
 * for (const { key, body } of await allObjects(s3, bucket)) console.log(key, gunzipSync(body).toString('utf8'));
 * ```
 */
export async function allObjects(s3: S3Client, bucket: string): Promise<BucketObject[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key as string));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const objects: BucketObject[] = [];
  for (const key of keys) {
    const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToByteArray();
    objects.push({ key, body: body ?? new Uint8Array() });
  }
  return objects;
}
