/**
 * S3, served by s3rver (path-style only: configure SDK clients with
 * `forcePathStyle: true`). The edge strips SigV4 authentication before
 * forwarding (s3rver only knows its own `S3RVER` key), decodes the
 * `aws-chunked` bodies the SDK v3 sends for streamed uploads with checksums,
 * and answers ListObjects/ListObjectsV2 itself over s3rver's flat listing
 * (see `listing.ts` for the s3rver bugs this avoids).
 */
import { rmSync } from 'node:fs';
import { parseXML } from '@aws-sdk/xml-builder';
import { AwsServiceError } from '../../core/types';
import type { AwsRequest, AwsResponse, LocalCloudContext, LocalServiceFactory, LocalServiceModule, ResolvedResource, ResourceAttributes, ResourceProvisioner } from '../../core/types';
import { forward } from '../../core/forward';
import { str } from '../../core/config';
import type { SupervisedProcess } from '../../processes/supervisor';
import { decodeToken, listPage, renderListing } from './listing';
import type { ListRequest, ListedObject } from './listing';
import { startS3rver } from './s3rver-process';

const PRESIGN_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token'];
const LIST_PARAMS = new Set(['list-type', 'prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after', 'marker', 'encoding-type', 'fetch-owner', 'x-id', 'optional-object-attributes']);

/** Bucket configuration resources that are accepted and recorded with no local effect (the bucket policy: enforced when IAM is). */
export const RECORDED_BUCKET_CONFIGURATIONS = [
  'aws_s3_bucket_versioning',
  'aws_s3_bucket_server_side_encryption_configuration',
  'aws_s3_bucket_public_access_block',
  'aws_s3_bucket_policy',
  'aws_s3_bucket_lifecycle_configuration',
  'aws_s3_bucket_ownership_controls',
  'aws_s3_bucket_acl',
  'aws_s3_bucket_cors_configuration',
  'aws_s3_bucket_logging',
  'aws_s3_bucket_intelligent_tiering_configuration',
] as const;

/**
 * Decodes an `aws-chunked` body (`<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>\r\n\r\n`).
 *
 * @example
 * decodeAwsChunked(Buffer.from('5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n')).toString() // 'hello'
 */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd === -1) throw new AwsServiceError('IncompleteBody', 'aws-chunked body ends inside a chunk header');
    const header = body.subarray(offset, lineEnd).toString('latin1');
    const size = parseInt(header.split(';')[0] as string, 16);
    if (!Number.isFinite(size)) throw new AwsServiceError('InvalidRequest', `aws-chunked body has a malformed chunk header '${header.slice(0, 40)}'`);
    if (size === 0) break;
    const start = lineEnd + 2;
    if (start + size > body.length) throw new AwsServiceError('IncompleteBody', 'aws-chunked body is shorter than its chunk sizes');
    parts.push(body.subarray(start, start + size));
    offset = start + size + 2;
  }
  return Buffer.concat(parts);
}

function isChunked(request: AwsRequest): boolean {
  const encoding = String(request.headers['content-encoding'] ?? '');
  const sha = String(request.headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((part) => part.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object' && '#text' in (value as object)) return String((value as { '#text': unknown })['#text']);
  return String(value);
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Path-style address → bucket and key. */
function splitPath(path: string): { bucket?: string; key?: string } {
  const [, bucket, ...rest] = path.split('/');
  const key = rest.join('/');
  return { bucket: bucket ? decodeURIComponent(bucket) : undefined, key: key === '' ? undefined : key };
}

export const createS3Module: LocalServiceFactory = (context: LocalCloudContext): LocalServiceModule => {
  let endpoint: string | undefined;
  let child: SupervisedProcess | undefined;
  let temporaryDirectory: string | undefined;
  /** bucket → recorded configuration resources (not enforced). */
  const recorded = new Map<string, Map<string, { address: string; config: Record<string, unknown> }>>();

  const s3rver = () => {
    if (!endpoint) throw new AwsServiceError('ServiceUnavailable', 's3rver is not running', 503);
    return endpoint;
  };

  /**
   * The module's own calls to s3rver are idempotent (HEAD, list, PUT or DELETE of a bucket): one that
   * failed on the connection (s3rver closing a kept-alive socket as it is reused, or being restarted
   * by its supervisor) is made again, up to three times, instead of failing a stack's apply.
   */
  async function s3rverFetch(url: string, init?: RequestInit): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fetch(url, init);
      } catch (error) {
        if (attempt >= 3 || !(error instanceof TypeError)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  async function bucketExists(bucket: string): Promise<boolean> {
    const response = await s3rverFetch(`${s3rver()}/${encodeURIComponent(bucket)}`, { method: 'HEAD' });
    return response.status === 200;
  }

  /** Every object under `prefix`, following s3rver's own pagination (no delimiter: its flat listing is correct). */
  async function listAll(bucket: string, prefix: string): Promise<ListedObject[] | AwsResponse> {
    const objects: ListedObject[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ 'list-type': '2', 'max-keys': '1000', prefix });
      if (token) query.set('continuation-token', token);
      const response = await s3rverFetch(`${s3rver()}/${encodeURIComponent(bucket)}?${query}`);
      const body = await response.text();
      if (response.status !== 200) {
        return { status: response.status, headers: { 'content-type': response.headers.get('content-type') ?? 'application/xml' }, body };
      }
      const result = (parseXML(body) as { ListBucketResult: Record<string, unknown> }).ListBucketResult;
      for (const item of asArray(result.Contents as Record<string, unknown> | Record<string, unknown>[] | undefined)) {
        objects.push({ key: text(item.Key), lastModified: text(item.LastModified), etag: text(item.ETag), size: Number(text(item.Size)), storageClass: text(item.StorageClass) || undefined });
      }
      token = text(result.IsTruncated) === 'true' ? text(result.NextContinuationToken) : undefined;
    } while (token);
    return objects;
  }

  async function listObjects(request: AwsRequest, bucket: string): Promise<AwsResponse> {
    const query = request.query;
    const version = query.get('list-type') === '2' ? 2 : 1;
    const maxKeysParam = query.get('max-keys');
    const maxKeys = maxKeysParam === null ? 1000 : Number(maxKeysParam);
    if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new AwsServiceError('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400, { ArgumentName: 'max-keys' });
    const delimiter = query.get('delimiter') || undefined;
    const list: ListRequest = {
      version,
      bucket,
      prefix: query.get('prefix') ?? '',
      delimiter,
      maxKeys: Math.min(maxKeys, 1000),
      fetchOwner: version === 1 || query.get('fetch-owner') === 'true',
      encodingType: query.get('encoding-type') ?? undefined,
    };
    if (version === 2) {
      const continuation = query.get('continuation-token');
      if (continuation) {
        const token = decodeToken(continuation);
        if (!token) throw new AwsServiceError('InvalidArgument', 'The continuation token provided is incorrect', 400, { ArgumentName: 'continuation-token' });
        Object.assign(list, { continuationToken: continuation, after: token.a, afterIsPrefix: token.p });
      } else if (query.get('start-after')) {
        Object.assign(list, { startAfter: query.get('start-after'), after: query.get('start-after') });
      }
    } else if (query.get('marker')) {
      const marker = query.get('marker') as string;
      // A V1 NextMarker that ends with the delimiter names a common prefix already returned.
      Object.assign(list, { marker, after: marker, afterIsPrefix: delimiter !== undefined && marker.endsWith(delimiter) });
    }
    const objects = await listAll(bucket, list.prefix);
    if (!Array.isArray(objects)) return objects;
    const page = list.maxKeys === 0 ? { contents: [], commonPrefixes: [], truncated: false } : listPage(objects, list);
    return { status: 200, headers: { 'content-type': 'application/xml' }, body: renderListing(list, page) };
  }

  async function handle(request: AwsRequest): Promise<AwsResponse> {
    const { bucket, key } = splitPath(request.path);
    if (request.method === 'GET' && bucket && key === undefined && [...request.query.keys()].every((name) => LIST_PARAMS.has(name))) {
      return listObjects(request, bucket);
    }
    const drop = ['authorization', 'x-amz-security-token'];
    let body = request.body;
    const extraHeaders: Record<string, string> = {};
    if (isChunked(request)) {
      body = decodeAwsChunked(request.body);
      drop.push('content-encoding', 'x-amz-decoded-content-length', 'x-amz-trailer', 'x-amz-content-sha256');
      const remaining = String(request.headers['content-encoding'] ?? '')
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part && part !== 'aws-chunked');
      if (remaining.length) extraHeaders['content-encoding'] = remaining.join(',');
      extraHeaders['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    }
    return forward(s3rver(), request, { body, dropHeaders: drop, dropQuery: PRESIGN_PARAMS, extraHeaders, component: 's3rver' });
  }

  const bucketProvisioner: ResourceProvisioner = {
    type: 'aws_s3_bucket',
    async apply(resource: ResolvedResource, previous?: ResourceAttributes) {
      const prefix = str(resource.config, 'bucket_prefix', resource.address, true);
      const bucket =
        str(resource.config, 'bucket', resource.address, true) ??
        (typeof previous?.bucket === 'string' ? previous.bucket : undefined) ??
        // Terraform's PrefixedUniqueId: prefix + a time-ordered unique suffix (26 characters).
        `${prefix ?? 'terraform-'}${Date.now().toString().padStart(18, '0')}${Math.floor(Math.random() * 1e8).toString().padStart(8, '0')}`;
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
        throw new Error(`${resource.address}: bucket name '${bucket}' is not a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)`);
      }
      if (!(await bucketExists(bucket))) {
        const response = await s3rverFetch(`${s3rver()}/${bucket}`, { method: 'PUT' });
        if (response.status !== 200 && response.status !== 409) {
          throw new Error(`${resource.address}: creating bucket '${bucket}' failed: ${response.status} ${await response.text()}`);
        }
        context.log(`s3: created bucket ${bucket}`);
      }
      return {
        id: bucket,
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucket_domain_name: `${bucket}.s3.amazonaws.com`,
        bucket_regional_domain_name: `${bucket}.s3.${context.region}.amazonaws.com`,
        region: context.region,
        hosted_zone_id: 'Z3AQBSTGFYJSTF',
      };
    },
    async destroy(_resource, attributes) {
      await s3rverFetch(`${s3rver()}/${String(attributes.bucket)}`, { method: 'DELETE' });
    },
  };

  // With the local cloud's IAM, a bucket policy is enforced: the edge judges every call on the bucket by it too.
  const enforced = (type: string) => type === 'aws_s3_bucket_policy' && context.iam !== undefined;
  context.iam?.registerResourcePolicies('s3', (resourceArn) => {
    const bucket = resourceArn.replace(/^arn:aws:s3:::/, '').split('/')[0] as string;
    const policy = recorded.get(bucket)?.get('aws_s3_bucket_policy')?.config.policy;
    return typeof policy === 'string' && policy !== '' ? { name: `bucket ${bucket} (policy)`, text: policy } : undefined;
  });

  const configurationProvisioners: ResourceProvisioner[] = RECORDED_BUCKET_CONFIGURATIONS.map((type) => ({
    type,
    ...(enforced(type) ? {} : { notEnforced: 'configuration recorded, not enforced' }),
    async destroy(resource: ResolvedResource) {
      recorded.get(String(resource.config.bucket))?.delete(type);
    },
    async apply(resource: ResolvedResource) {
      const bucket = str(resource.config, 'bucket', resource.address);
      if (!(await bucketExists(bucket))) throw new Error(`${resource.address}: bucket '${bucket}' does not exist (its aws_s3_bucket must be applied first)`);
      const forBucket = recorded.get(bucket) ?? new Map();
      forBucket.set(type, { address: resource.address, config: resource.config });
      recorded.set(bucket, forBucket);
      return { id: bucket, bucket };
    },
  }));

  return {
    name: 's3',
    handlers: [{ serviceNames: ['s3'], handle }],
    provisioners: [bucketProvisioner, ...configurationProvisioners],
    state: [
      {
        stateKey: 'buckets',
        async describe() {
          if (!endpoint) return [];
          const listing = parseXML(await (await fetch(`${endpoint}/`)).text()) as { ListAllMyBucketsResult?: { Buckets?: { Bucket?: unknown } } };
          const buckets = asArray(listing.ListAllMyBucketsResult?.Buckets?.Bucket as Record<string, unknown> | Record<string, unknown>[] | undefined);
          return buckets.map((entry) => {
            const name = text(entry.Name);
            return {
              name,
              arn: `arn:aws:s3:::${name}`,
              configurationRecordedNotEnforced: [...(recorded.get(name)?.entries() ?? [])].filter(([type]) => !enforced(type)).map(([type, { address }]) => ({ type, address })),
            };
          });
        },
      },
    ],
    async start() {
      const started = await startS3rver({ dataDir: context.dataDir, inMemory: context.inMemory });
      endpoint = started.endpoint;
      child = started.process;
      if (context.inMemory) temporaryDirectory = started.directory;
      context.log(`s3: s3rver ready on ${started.endpoint}`);
    },
    async stop() {
      await child?.stop();
      endpoint = undefined;
      if (temporaryDirectory) rmSync(temporaryDirectory, { recursive: true, force: true });
    },
  };
};
