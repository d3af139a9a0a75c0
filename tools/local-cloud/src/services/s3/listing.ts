/**
 * ListObjects (V1 and V2) computed by us over s3rver's flat key listing.
 * s3rver's own delimiter handling prunes folders that contain only folders
 * (`raw/2026/01/a.json` never yields the common prefix `raw/2026/` for
 * prefix `raw/`) and counts only keys, not common prefixes, towards
 * `max-keys`; both differ from S3.
 */
export interface ListedObject {
  key: string;
  lastModified: string;
  etag: string;
  size: number;
  storageClass?: string;
}

export interface ListRequest {
  version: 1 | 2;
  bucket: string;
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  /** V2 `start-after`, or the position decoded from a continuation token, or V1 `marker`. */
  after?: string;
  /** True when `after` came from our own token and names a common prefix already returned. */
  afterIsPrefix?: boolean;
  continuationToken?: string;
  startAfter?: string;
  marker?: string;
  fetchOwner: boolean;
  encodingType?: string;
}

interface Token {
  /** Last entry returned (a key or a common prefix). */
  a: string;
  p: boolean;
}

export function encodeToken(after: string, isPrefix: boolean): string {
  return Buffer.from(JSON.stringify({ a: after, p: isPrefix } satisfies Token)).toString('base64url');
}

export function decodeToken(token: string): Token | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Token;
    return typeof parsed.a === 'string' && typeof parsed.p === 'boolean' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

type Entry = { kind: 'key'; object: ListedObject } | { kind: 'prefix'; prefix: string };

/**
 * One page of a listing with S3's semantics: keys under `prefix` after the
 * position, keys containing `delimiter` past the prefix rolled up into common
 * prefixes, keys and prefixes together capped by `maxKeys`.
 *
 * @example
 * listPage(objects, { version: 2, bucket: 'b', prefix: 'raw/', delimiter: '/', maxKeys: 1000, fetchOwner: false })
 */
export function listPage(objects: readonly ListedObject[], request: ListRequest): { contents: ListedObject[]; commonPrefixes: string[]; truncated: boolean; next?: { after: string; isPrefix: boolean } } {
  const sorted = [...objects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const entries: Entry[] = [];
  const seenPrefixes = new Set<string>();
  for (const object of sorted) {
    if (!object.key.startsWith(request.prefix)) continue;
    if (request.after !== undefined && object.key <= request.after) continue;
    const rest = object.key.slice(request.prefix.length);
    const cut = request.delimiter ? rest.indexOf(request.delimiter) : -1;
    if (cut === -1) {
      entries.push({ kind: 'key', object });
      continue;
    }
    const prefix = request.prefix + rest.slice(0, cut + (request.delimiter as string).length);
    // A prefix returned on an earlier page is not returned again.
    if (seenPrefixes.has(prefix) || (request.afterIsPrefix && prefix === request.after)) continue;
    seenPrefixes.add(prefix);
    entries.push({ kind: 'prefix', prefix });
  }
  const page = entries.slice(0, request.maxKeys);
  const truncated = entries.length > page.length;
  const last = page.at(-1);
  return {
    contents: page.flatMap((entry) => (entry.kind === 'key' ? [entry.object] : [])),
    commonPrefixes: page.flatMap((entry) => (entry.kind === 'prefix' ? [entry.prefix] : [])),
    truncated,
    next: truncated && last ? { after: last.kind === 'key' ? last.object.key : last.prefix, isPrefix: last.kind === 'prefix' } : undefined,
  };
}

function escape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}

/** The `ListBucketResult` document S3 answers with. */
export function renderListing(request: ListRequest, page: ReturnType<typeof listPage>): string {
  const encode = (value: string) => escape(request.encodingType === 'url' ? encodeURIComponent(value).replace(/%2F/g, '/') : value);
  const parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'];
  const element = (name: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) parts.push(`<${name}>${typeof value === 'string' ? value : String(value)}</${name}>`);
  };
  element('Name', escape(request.bucket));
  element('Prefix', encode(request.prefix));
  if (request.delimiter) element('Delimiter', encode(request.delimiter));
  element('MaxKeys', request.maxKeys);
  if (request.encodingType) element('EncodingType', escape(request.encodingType));
  element('IsTruncated', page.truncated);
  if (request.version === 2) {
    element('KeyCount', page.contents.length + page.commonPrefixes.length);
    if (request.continuationToken) element('ContinuationToken', escape(request.continuationToken));
    if (request.startAfter) element('StartAfter', encode(request.startAfter));
    if (page.next) element('NextContinuationToken', encodeToken(page.next.after, page.next.isPrefix));
  } else {
    element('Marker', encode(request.marker ?? ''));
    if (page.next) element('NextMarker', encode(page.next.after));
  }
  for (const object of page.contents) {
    parts.push('<Contents>');
    element('Key', encode(object.key));
    element('LastModified', escape(object.lastModified));
    element('ETag', escape(object.etag));
    element('Size', object.size);
    element('StorageClass', object.storageClass ?? 'STANDARD');
    if (request.fetchOwner) parts.push('<Owner><ID>local</ID><DisplayName>local</DisplayName></Owner>');
    parts.push('</Contents>');
  }
  for (const prefix of page.commonPrefixes) parts.push(`<CommonPrefixes><Prefix>${encode(prefix)}</Prefix></CommonPrefixes>`);
  parts.push('</ListBucketResult>');
  return parts.join('');
}
