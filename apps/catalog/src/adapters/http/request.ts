import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type * as z from 'zod';
import { HttpProblem, validationProblem, type FieldError } from './problem';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

/** A 100-product collection change is about 4 KB; anything far larger is refused before parsing. */
export const MAX_BODY_BYTES = 32 * 1024;

export function headerValue(event: HttpEvent, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()];
}

/** Zod issues as field errors under `location`: unknown fields named one by one, missing ones "is required". */
export function fieldErrors(location: string, issues: readonly z.core.$ZodIssue[], input: unknown): FieldError[] {
  const at = (path: readonly PropertyKey[]) =>
    path.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : `${text}.${String(segment)}`), location);
  const valueAt = (path: readonly PropertyKey[]) =>
    path.reduce<unknown>((value, segment) => (typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[segment] : undefined), input);
  return issues.flatMap((issue): FieldError[] => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: at([...issue.path, key]), message: 'is not a known field' }));
    if (issue.code === 'invalid_type' && issue.path.length > 0 && valueAt(issue.path) === undefined) return [{ field: at(issue.path), message: 'is required' }];
    return [{ field: at(issue.path), message: issue.message }];
  });
}

function jsonBody(event: HttpEvent): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new HttpProblem(413, 'body-too-large', 'The request body is too large', `The body is ${bytes.length} bytes; at most ${MAX_BODY_BYTES} are accepted.`);
  }
  if (bytes.toString('utf8').trim() === '') return undefined;
  const mediaType = headerValue(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== undefined && mediaType !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) {
    throw new HttpProblem(415, 'unsupported-media-type', 'The body must be JSON', 'Send Content-Type: application/json.');
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new HttpProblem(400, 'malformed-json', 'The body is not valid JSON', error instanceof Error ? error.message : undefined);
  }
}

export interface RequestSpec<P extends Record<string, z.ZodType>, B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  readonly path?: P;
  readonly body?: B;
  readonly query?: Q;
}

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * Reads and validates path parameters, query string and JSON body, reporting every invalid field
 * in one 400 (after 413/415/400-malformed for the body as a whole).
 *
 * @example
 * ```ts
 * const { path, body } = readRequest(event, { path: { productId: idSchema }, body: productRevisionSchema });
 * ```
 */
export function readRequest<
  P extends Record<string, z.ZodType> = Record<never, z.ZodType>,
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
>(event: HttpEvent, spec: RequestSpec<P, B, Q>): { path: { [K in keyof P]: z.output<P[K]> }; body: Output<B>; query: Output<Q> } {
  const raw = spec.body === undefined ? undefined : jsonBody(event);
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
  let body: unknown;
  if (spec.body !== undefined) {
    if (raw === undefined) errors.push({ field: 'body', message: 'is required (a JSON object)' });
    else {
      const result = spec.body.safeParse(raw);
      if (result.success) body = result.data;
      else errors.push(...fieldErrors('body', result.error.issues, raw));
    }
  }
  if (errors.length > 0) throw validationProblem(errors);
  return { path, body, query } as never;
}
