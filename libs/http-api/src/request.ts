import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
// zod/mini: its functions parse any zod schema, classic or mini, and handlers bundle ~70 KB less.
import '@kestrel/contracts/zod-english';
import * as z from 'zod/mini';
import { fieldErrors } from './field-errors';
import { HttpProblem, validationProblem, type FieldError } from './problem';

/** The event an API Gateway HTTP API (payload 2.0) with a JWT authorizer hands a Lambda. */
export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

/** Bodies above this are refused with 413 before parsing, unless a route sets its own limit. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

/**
 * A header's value. Payload 2.0 lower-cases header names and joins repeated headers with commas.
 *
 * @example
 * ```ts
 * headerValue(event, 'If-Match'); // '"3"'
 * ```
 */
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

/**
 * The body as JSON, or `undefined` when there is none (empty or only whitespace).
 *
 * @throws HttpProblem 413 `body-too-large` above `maxBytes`, 415 `unsupported-media-type` for a
 * non-JSON `Content-Type`, 400 `malformed-json` for text that is not UTF-8 JSON.
 *
 * @example
 * ```ts
 * const json = readJsonBody(event, { maxBytes: 32 * 1024 });
 * ```
 */
export function readJsonBody(event: HttpEvent, options: { maxBytes?: number } = {}): unknown {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const bytes = bodyBytes(event);
  if (bytes.length > maxBytes) {
    throw new HttpProblem(413, 'body-too-large', 'The request body is too large', `The body is ${bytes.length} bytes; at most ${maxBytes} are accepted.`, {
      maxBytes,
    });
  }
  if (bytes.toString('utf8').trim() === '') return undefined;
  if (!isJsonMediaType(headerValue(event, 'content-type'))) {
    throw new HttpProblem(415, 'unsupported-media-type', 'The body must be JSON', 'Send Content-Type: application/json.');
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new HttpProblem(400, 'malformed-json', 'The body is not valid JSON', error instanceof Error ? error.message : undefined);
  }
}

type Schema = z.core.$ZodType;
type Schemas = Record<string, Schema>;
type Output<S> = S extends Schema ? z.output<S> : undefined;

/** What a route reads from a request. Every part is validated and all field errors are reported together. */
export interface RequestSpec<P extends Schemas, B extends Schema | undefined, Q extends Schema | undefined, H extends Schemas> {
  /** Path parameters and their schemas (each gets the raw string, or undefined). */
  readonly path?: P;
  /** The JSON body's schema. Use strict objects: unknown fields are named in the 400. */
  readonly body?: B;
  /** An absent or empty body stands for `{}` (routes whose body is optional). */
  readonly optionalBody?: boolean;
  /** Bodies above this many bytes get 413 (default {@link DEFAULT_MAX_BODY_BYTES}). */
  readonly maxBodyBytes?: number;
  /** The query string's schema (a strict object: unknown parameters are named too). */
  readonly query?: Q;
  /** Headers (lower-case names) and their schemas; each gets the header's value or undefined. Errors name `header.<name>`. */
  readonly headers?: H;
}

export interface ParsedRequest<P extends Schemas, B extends Schema | undefined, Q extends Schema | undefined, H extends Schemas> {
  readonly path: { [K in keyof P]: z.output<P[K]> };
  readonly body: Output<B>;
  readonly query: Output<Q>;
  readonly headers: { [K in keyof H]: z.output<H[K]> };
}

/** What a request without a body carries: path parameters, query string and headers. */
export type ParameterSpec<P extends Schemas, Q extends Schema | undefined, H extends Schemas> = Pick<RequestSpec<P, undefined, Q, H>, 'path' | 'query' | 'headers'>;

/**
 * Reads and validates a request: 413/415/400 (malformed JSON) for the body as a whole, then one
 * 400 `validation-failed` listing every invalid path parameter, query parameter, header and body
 * field, in that order.
 *
 * @example
 * ```ts
 * const { path, body, headers } = readRequest(event, {
 *   path: { customerId: customerIdSchema },
 *   body: z.strictObject({ locale: localeSchema }),
 *   headers: { 'if-match': ifMatchHeader },
 * });
 * ```
 */
export function readRequest<
  P extends Schemas = Record<never, Schema>,
  B extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  H extends Schemas = Record<never, Schema>,
>(event: HttpEvent, spec: RequestSpec<P, B, Q, H>): ParsedRequest<P, B, Q, H> {
  const raw = spec.body === undefined ? undefined : readJsonBody(event, spec.maxBodyBytes === undefined ? {} : { maxBytes: spec.maxBodyBytes });
  const errors: FieldError[] = [];
  const { path, query, headers } = parametersOf(event, spec, errors);

  let body: unknown;
  if (spec.body !== undefined) {
    const input = raw === undefined && spec.optionalBody ? {} : raw;
    if (input === undefined) {
      errors.push({ field: 'body', message: 'is required (a JSON object)' });
    } else {
      const result = z.safeParse(spec.body, input);
      if (result.success) body = result.data;
      else errors.push(...fieldErrors('body', result.error.issues, input));
    }
  }

  if (errors.length > 0) throw validationProblem(errors);
  return { path, body, query, headers } as ParsedRequest<P, B, Q, H>;
}

/**
 * {@link readRequest} for a route that takes no body (GET, or a command named by its path alone):
 * the same validation and the same 400, and its bundle carries no JSON body reader (~1 KB). A body
 * sent anyway is ignored, as `readRequest` ignores it when the spec names none.
 *
 * @example
 * ```ts
 * const { path } = readParameters(event, { path: { productId: idSchema } });
 * ```
 */
export function readParameters<P extends Schemas = Record<never, Schema>, Q extends Schema | undefined = undefined, H extends Schemas = Record<never, Schema>>(
  event: HttpEvent,
  spec: ParameterSpec<P, Q, H>,
): Omit<ParsedRequest<P, undefined, Q, H>, 'body'> {
  const errors: FieldError[] = [];
  const parameters = parametersOf(event, spec, errors);
  if (errors.length > 0) throw validationProblem(errors);
  return parameters as Omit<ParsedRequest<P, undefined, Q, H>, 'body'>;
}

/** Path parameters, query and headers of a request, each validated; their field errors are appended to `errors`. */
function parametersOf(event: HttpEvent, spec: ParameterSpec<Schemas, Schema | undefined, Schemas>, errors: FieldError[]) {
  const path: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(spec.path ?? {})) {
    const result = z.safeParse(schema, event.pathParameters?.[name]);
    if (result.success) path[name] = result.data;
    else errors.push(...result.error.issues.map((issue) => ({ field: `path.${name}`, message: issue.message })));
  }

  let query: unknown;
  if (spec.query !== undefined) {
    const input = { ...(event.queryStringParameters ?? {}) };
    const result = z.safeParse(spec.query, input);
    if (result.success) query = result.data;
    else errors.push(...fieldErrors('query', result.error.issues, input));
  }

  const headers: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(spec.headers ?? {})) {
    const value = headerValue(event, name);
    const result = z.safeParse(schema, value);
    if (result.success) headers[name] = result.data;
    else errors.push(...fieldErrors(`header.${name.toLowerCase()}`, result.error.issues, value));
  }
  return { path, query, headers };
}
