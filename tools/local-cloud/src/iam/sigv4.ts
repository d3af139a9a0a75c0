/**
 * SigV4 verification for credentials the local cloud issued: the canonical
 * request rebuilt from what reached the edge (method, raw path, query, the
 * signed headers, the payload hash), signed with the session's secret, compared
 * with the request's signature. Header-signed and presigned (query) requests.
 */
import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SignedRequest {
  method: string;
  /** The request target as it came over the wire (`/path?query`), undecoded. */
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** S3 signs the path as sent; every other service URI-encodes it once more. */
  service: string;
}

interface SignatureParts {
  accessKeyId: string;
  scope: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  presigned: boolean;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)/;

/** RFC 3986 encoding, as SigV4 wants it (`encodeURIComponent` leaves `!'()*` alone). */
function strictEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function signatureParts(request: SignedRequest, query: URLSearchParams): SignatureParts | undefined {
  const authorization = header(request.headers, 'authorization');
  const match = authorization ? AUTHORIZATION.exec(authorization) : null;
  if (match) {
    const scope = match[2] as string;
    const [, region, service] = scope.split('/');
    return {
      accessKeyId: match[1] as string,
      scope,
      region: region ?? '',
      service: service ?? '',
      signedHeaders: (match[3] as string).split(';'),
      signature: match[4] as string,
      amzDate: header(request.headers, 'x-amz-date') ?? '',
      presigned: false,
    };
  }
  const credential = query.get('X-Amz-Credential');
  if (!credential) return undefined;
  const slash = credential.indexOf('/');
  const scope = credential.slice(slash + 1);
  const [, region, service] = scope.split('/');
  return {
    accessKeyId: credential.slice(0, slash),
    scope,
    region: region ?? '',
    service: service ?? '',
    signedHeaders: (query.get('X-Amz-SignedHeaders') ?? 'host').split(';'),
    signature: query.get('X-Amz-Signature') ?? '',
    amzDate: query.get('X-Amz-Date') ?? '',
    presigned: true,
  };
}

/** The access key id a request is signed with, if it is signed. */
export function signingKeyId(request: Pick<SignedRequest, 'headers' | 'rawUrl'>): string | undefined {
  const query = new URLSearchParams(request.rawUrl.includes('?') ? request.rawUrl.slice(request.rawUrl.indexOf('?') + 1) : '');
  return signatureParts({ ...request, method: '', body: Buffer.alloc(0), service: '' }, query)?.accessKeyId;
}

function canonicalQuery(rawQuery: string, presigned: boolean): string {
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const key = decodeURIComponent((equals < 0 ? part : part.slice(0, equals)).replaceAll('+', ' '));
    const value = equals < 0 ? '' : decodeURIComponent(part.slice(equals + 1).replaceAll('+', ' '));
    if (presigned && key === 'X-Amz-Signature') continue;
    pairs.push([strictEncode(key), strictEncode(value)]);
  }
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function canonicalPath(rawPath: string, service: string): string {
  if (service === 's3') return rawPath || '/';
  // Every other service signs the (already encoded) path encoded once more, segment by segment.
  return (rawPath || '/')
    .split('/')
    .map((segment) => strictEncode(segment))
    .join('/');
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

// The derived key changes only with the secret and the scope (date/region/service), so it is kept, as the
// SDKs do when signing; as a KeyObject, because Node 24 converts a raw HMAC key on every createHmac call
// (a verification cost ~0.41 ms on Node 24 against ~0.11 ms on Node 20 with four derivations per request).
const signingKeys = new Map<string, KeyObject>();
const MAX_SIGNING_KEYS = 256;

function signingKeyFor(secretAccessKey: string, scope: string): KeyObject {
  const cacheKey = `${secretAccessKey}\n${scope}`;
  let key = signingKeys.get(cacheKey);
  if (!key) {
    const [date, region, service] = scope.split('/') as [string, string, string];
    key = createSecretKey(hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request'));
    if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
    signingKeys.set(cacheKey, key);
  }
  return key;
}

export type VerifyOutcome = { ok: true } | { ok: false; reason: 'signature' | 'malformed' };

/** Checks the request's signature against `secretAccessKey`. */
export function verifySignature(request: SignedRequest, secretAccessKey: string): VerifyOutcome {
  const questionMark = request.rawUrl.indexOf('?');
  const rawPath = questionMark < 0 ? request.rawUrl : request.rawUrl.slice(0, questionMark);
  const rawQuery = questionMark < 0 ? '' : request.rawUrl.slice(questionMark + 1);
  const parts = signatureParts(request, new URLSearchParams(rawQuery));
  if (!parts || !parts.amzDate) return { ok: false, reason: 'malformed' };

  const headers = parts.signedHeaders.map((name) => `${name}:${(header(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const declaredHash = header(request.headers, 'x-amz-content-sha256');
  // A declared body hash must be the body's (S3's UNSIGNED-PAYLOAD and STREAMING-… chunked uploads excepted).
  if (!parts.presigned && declaredHash && /^[0-9a-f]{64}$/.test(declaredHash) && declaredHash !== sha256(request.body)) return { ok: false, reason: 'signature' };
  const payloadHash = parts.presigned ? 'UNSIGNED-PAYLOAD' : (declaredHash ?? sha256(request.body));
  const canonical = [request.method, canonicalPath(rawPath, parts.service), canonicalQuery(rawQuery, parts.presigned), headers, parts.signedHeaders.join(';'), payloadHash].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', parts.amzDate, parts.scope, sha256(canonical)].join('\n');
  const signingKey = signingKeyFor(secretAccessKey, parts.scope);
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest();
  const given = Buffer.from(parts.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'signature' };
}
