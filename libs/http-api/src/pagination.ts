import * as z from 'zod/mini';

/** One page of a paginated answer; the last page has no `nextCursor`. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

/** Which page to read: its size and the cursor of the previous page. */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

/**
 * The `limit` and `cursor` query parameters of a paginated route, to spread into its strict query
 * object. `limit` is a whole number from 1 to `maxLimit` (digits only: no signs, decimals or
 * exponents), `defaultLimit` when absent.
 *
 * @example
 * ```ts
 * const query = z.strictObject({ tag: slugSchema, ...pageQuery({ defaultLimit: 20, maxLimit: 100 }) });
 * const { query: q } = readRequest(event, { query });
 * await list(q.tag, pageRequestOf(q));
 * ```
 */
export function pageQuery(options: { defaultLimit: number; maxLimit: number }) {
  const { defaultLimit, maxLimit } = options;
  return {
    limit: z._default(
      z.pipe(
        z.pipe(z.string().check(z.regex(/^\d{1,6}$/, `must be a whole number from 1 to ${maxLimit}`)), z.transform(Number)),
        z.int().check(z.minimum(1, 'must be at least 1'), z.maximum(maxLimit, `must be at most ${maxLimit}`)),
      ),
      defaultLimit,
    ),
    cursor: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
  };
}

/** The {@link PageRequest} of parsed page parameters (no `cursor` key on the first page). */
export function pageRequestOf(query: { limit: number; cursor?: string | undefined }): PageRequest {
  return { limit: query.limit, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) };
}
