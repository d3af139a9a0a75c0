/**
 * Forwarding a request, as received by the edge, to a real component running
 * as a child process (DynamoDB Local, s3rver, cognito-local) and returning its
 * answer unchanged apart from hop-by-hop headers.
 */
import { request as httpRequest } from 'node:http';
import { AwsServiceError, type AwsRequest, type AwsResponse } from './types';

/** Socket errors that mean the component is not there (down, or being restarted by its supervisor), not that the request was bad. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH']);

/**
 * The retryable error a caller gets while a real component is down: 503
 * `ServiceUnavailable` with `Retry-After`, which every AWS SDK retries with
 * backoff (a 500 `InternalFailure` would tell it something is broken for good).
 */
export function componentUnavailable(component: string, cause: string): AwsServiceError {
  return new AwsServiceError('ServiceUnavailable', `${component} is not answering (${cause}); it is being restarted, retry shortly`, 503, {}, { 'retry-after': '1' });
}

/** Headers that describe one hop, not the message (RFC 9110 §7.6.1), plus ones we recompute. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'content-length']);

export interface ForwardOptions {
  /** Lower-case header names not to pass on. */
  dropHeaders?: readonly string[];
  /** Query parameters not to pass on (e.g. presigned-URL signature parameters). */
  dropQuery?: readonly string[];
  /** Replaces the request body before sending. */
  body?: Buffer;
  path?: string;
  extraHeaders?: Record<string, string>;
  timeoutMs?: number;
  /** Name of the component in the 503 answered while it is down (default: its URL). */
  component?: string;
}

/**
 * Sends `request` to `baseUrl` (`http://127.0.0.1:<port>`) and returns the response.
 *
 * @example
 * return forward('http://127.0.0.1:8000', request);
 */
export function forward(baseUrl: string, request: AwsRequest, options: ForwardOptions = {}): Promise<AwsResponse> {
  const target = new URL(baseUrl);
  const query = new URLSearchParams(request.query);
  for (const name of options.dropQuery ?? []) query.delete(name);
  const search = query.toString();
  const drop = new Set(options.dropHeaders ?? []);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name)) continue;
    headers[name] = value;
  }
  const body = options.body ?? request.body;
  Object.assign(headers, options.extraHeaders, { 'content-length': String(body.length), host: target.host });

  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: `${options.path ?? request.path}${search ? `?${search}` : ''}`,
        headers,
        timeout: options.timeoutMs ?? 120_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const responseHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            // content-length stays: a HEAD answer (S3 HeadObject) reports the object's size in it.
            if (value === undefined || (HOP_BY_HOP.has(name) && name !== 'content-length')) continue;
            responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: response.statusCode ?? 502, headers: responseHeaders, body: Buffer.concat(chunks) });
        });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer from ${baseUrl} within ${options.timeoutMs ?? 120_000} ms`)));
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code && UNREACHABLE.has(error.code) ? componentUnavailable(options.component ?? baseUrl, error.code) : error);
    });
    outgoing.end(body);
  });
}
