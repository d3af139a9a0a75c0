// Opaque pagination cursors: a Query's LastEvaluatedKey as base64url JSON. Opaque to clients but
// NOT trusted: a cursor comes back from the outside, so it is decoded defensively and must hold
// exactly the key attributes of the index being queried, as non-empty strings, with the values the
// query fixes (its partition). Anything else is an InvalidCursorError (HTTP 400 through
// httpRoute), never a DynamoDB ValidationException (500).
//
// Not signed: a cursor only says where to resume a query the caller is already allowed to run
// (authorisation is decided on the request, and the fixed attributes keep the cursor inside the
// query's partition), so a forged one can show nothing the caller could not page to.

/** A cursor that is not one this API issued for this query. */
export class InvalidCursorError extends Error {
  constructor(reason: string) {
    super(`Invalid cursor: ${reason}`);
    this.name = 'InvalidCursorError';
  }
}

/** What a cursor for one query must look like. */
export interface CursorScope {
  /** The key attributes LastEvaluatedKey holds for this index (table keys + index keys). */
  readonly attributes: readonly string[];
  /** Attributes whose value the query fixes (the partition key being queried, a constant sort key…). */
  readonly fixed?: Readonly<Record<string, string>>;
  /** Further checks; returns why the key does not belong to the query, or undefined. */
  readonly check?: (key: Readonly<Record<string, string>>) => string | undefined;
}

// Four key values of at most 1 KB, JSON-quoted and base64-encoded, stay well below this.
const MAX_CURSOR_LENGTH = 12_288;
// DynamoDB refuses sort key values over 1 KB (partition keys 2 KB): the lower bound holds for both.
const MAX_KEY_VALUE_BYTES = 1024;
const base64url = /^[A-Za-z0-9_-]+$/;
// DynamoDB refuses strings that are not valid UTF-16.
const loneSurrogate = /\p{Cs}/u;
const NOT_ISSUED = 'not a cursor issued by this API';
const OTHER_QUERY = 'it belongs to another query';

/**
 * The cursor resuming a query after `item`: its `attributes` (the index's key attributes) as
 * base64url JSON. Pass the key attributes only, so no other data leaks into the URL.
 *
 * @example
 * ```ts
 * encodeCursor(lastItem, ['PK', 'SK', 'GSI2PK', 'GSI2SK']); // 'eyJQSyI6…'
 * ```
 */
export function encodeCursor(item: Readonly<Record<string, unknown>>, attributes: readonly string[]): string {
  const key = Object.fromEntries(attributes.map((name) => [name, item[name]]));
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes and validates a cursor for a query of the given scope, returning the ExclusiveStartKey.
 *
 * @throws {@link InvalidCursorError} for anything this API would not have issued for this query.
 *
 * @example
 * ```ts
 * const cursor = encodeCursor({ PK: 'STORE#1', SK: 'PRODUCT#2', name: 'x' }, ['PK', 'SK']);
 * decodeCursor(cursor, { attributes: ['PK', 'SK'], fixed: { PK: 'STORE#1' } }); // { PK: 'STORE#1', SK: 'PRODUCT#2' }
 * ```
 */
export function decodeCursor(cursor: string, scope: CursorScope): Record<string, string> {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !base64url.test(cursor)) throw new InvalidCursorError(NOT_ISSUED);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(NOT_ISSUED);
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw new InvalidCursorError(NOT_ISSUED);
  const entries = Object.entries(decoded);
  const expected = new Set(scope.attributes);
  const wellFormed =
    entries.length === expected.size &&
    entries.every(
      ([name, value]) =>
        expected.has(name) && typeof value === 'string' && value !== '' && Buffer.byteLength(value, 'utf8') <= MAX_KEY_VALUE_BYTES && !loneSurrogate.test(value),
    );
  if (!wellFormed) throw new InvalidCursorError(OTHER_QUERY);
  const key = Object.fromEntries(entries) as Record<string, string>;
  for (const [name, value] of Object.entries(scope.fixed ?? {})) {
    if (key[name] !== value) throw new InvalidCursorError(OTHER_QUERY);
  }
  const problem = scope.check?.(key);
  if (problem !== undefined) throw new InvalidCursorError(problem);
  return key;
}
