import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type * as z from 'zod';
import type { VersionPrecondition } from '../../application/commands';
import { parseIfMatch } from './etag';
import { HttpProblem, validationProblem, type FieldError } from './problem';
import { fieldErrors } from './validation';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

/** Bodies above this are refused with 413 before parsing: a profile change is a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** A header's value (payload 2.0 lower-cases names and joins repeated headers with commas). */
export function headerValue(event: HttpEvent, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()];
}

function bodyBytes(event: HttpEvent): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  // API Gateway base64-encodes bodies it does not consider text.
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

const absent = Symbol('absent body');

/** The body as JSON: 413 when too large, 415 when not JSON, 400 when malformed; `absent` when empty. */
function jsonBody(event: HttpEvent): unknown {
  const bytes = bodyBytes(event);
  if (bytes.length > MAX_BODY_BYTES) {
    throw new HttpProblem(413, 'body-too-large', 'The request body is too large', `The body is ${bytes.length} bytes; at most ${MAX_BODY_BYTES} are accepted.`, {
      maxBytes: MAX_BODY_BYTES,
    });
  }
  if (bytes.toString('utf8').trim() === '') return absent;
  if (!isJsonMediaType(headerValue(event, 'content-type'))) {
    throw new HttpProblem(415, 'unsupported-media-type', 'The body must be JSON', 'Send Content-Type: application/json.');
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new HttpProblem(400, 'malformed-json', 'The body is not valid JSON', error instanceof Error ? error.message : undefined);
  }
}

/** What a route reads from a request. Every part is validated and all field errors are reported together. */
export interface RequestSpec<P extends Record<string, z.ZodType>, B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  /** Path parameters and their schemas. */
  readonly path?: P;
  /** The JSON body's schema (use strict objects: unknown fields are named in the 400). */
  readonly body?: B;
  /** An absent or empty body stands for `{}` (routes whose body is optional). */
  readonly optionalBody?: boolean;
  /** The query string's schema (a strict object: unknown parameters are named too). */
  readonly query?: Q;
  /** Read `If-Match` as a version precondition. */
  readonly ifMatch?: boolean;
}

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface ParsedRequest<P extends Record<string, z.ZodType>, B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  readonly path: { [K in keyof P]: z.output<P[K]> };
  readonly body: Output<B>;
  readonly query: Output<Q>;
  readonly precondition?: VersionPrecondition;
}

/**
 * Reads and validates a request: 413/415/400 (malformed JSON) for the body as a whole, then one
 * 400 listing every invalid path parameter, query parameter, header and body field.
 *
 * @example
 * ```ts
 * const { path, body, precondition } = readRequest(event, {
 *   path: { customerId: customerIdSchema },
 *   body: z.strictObject({ locale: localeSchema }),
 *   ifMatch: true,
 * });
 * ```
 */
export function readRequest<
  P extends Record<string, z.ZodType> = Record<never, z.ZodType>,
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
>(event: HttpEvent, spec: RequestSpec<P, B, Q>): ParsedRequest<P, B, Q> {
  const raw = spec.body === undefined ? absent : jsonBody(event);
  const errors: FieldError[] = [];

  const path: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(spec.path ?? {})) {
    const result = schema.safeParse(event.pathParameters?.[name]);
    if (result.success) path[name] = result.data;
    else errors.push(...result.error.issues.map((issue) => ({ field: `path.${name}`, message: issue.message })));
  }

  let query: unknown;
  if (spec.query !== undefined) {
    const input = { ...(event.queryStringParameters ?? {}) };
    const result = spec.query.safeParse(input);
    if (result.success) query = result.data;
    else errors.push(...fieldErrors('query', result.error.issues, input));
  }

  let precondition: VersionPrecondition | undefined;
  if (spec.ifMatch) {
    try {
      precondition = parseIfMatch(headerValue(event, 'if-match'));
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      errors.push(...((error.extensions.errors as FieldError[] | undefined) ?? []));
    }
  }

  let body: unknown;
  if (spec.body !== undefined) {
    const input = raw === absent ? (spec.optionalBody ? {} : absent) : raw;
    if (input === absent) {
      errors.push({ field: 'body', message: 'is required (a JSON object)' });
    } else {
      const result = spec.body.safeParse(input);
      if (result.success) body = result.data;
      else errors.push(...fieldErrors('body', result.error.issues, input));
    }
  }

  if (errors.length > 0) throw validationProblem(errors);
  return { path, body, query, ...(precondition === undefined ? {} : { precondition }) } as ParsedRequest<P, B, Q>;
}
