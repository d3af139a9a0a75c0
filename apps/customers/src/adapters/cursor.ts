// Pagination cursors: the Query's LastEvaluatedKey as base64url JSON. Opaque to clients, but
// NOT trusted: a cursor comes back from the outside, so it is decoded defensively and must hold
// exactly the key attributes of the index being queried, as strings, inside the partition being
// queried. Anything else is an InvalidCursorError (HTTP 400), never a DynamoDB ValidationException (500).

/** A cursor that is not one this service issued for this query. */
export class InvalidCursorError extends Error {
  constructor(reason: string) {
    super(`Invalid cursor: ${reason}`);
    this.name = 'InvalidCursorError';
  }
}

/** What a cursor for one query must look like. */
export interface CursorShape {
  /** The key attributes LastEvaluatedKey holds for this index (table keys + index keys). */
  readonly attributes: readonly string[];
  /** Attributes whose value is fixed by the query (the partition key being queried). */
  readonly fixed: Readonly<Record<string, string>>;
  /** Extra checks per attribute (e.g. the table key must be a customer profile key). */
  readonly check?: (key: Readonly<Record<string, string>>) => string | undefined;
}

// Key values are at most 2048 bytes; four of them, JSON-quoted and base64-encoded, stay well below this.
const MAX_CURSOR_LENGTH = 12_288;
const base64url = /^[A-Za-z0-9_-]+$/;
const MAX_KEY_VALUE_BYTES = 1024;
const loneSurrogate = /\p{Cs}/u;
const encoder = new TextEncoder();

/**
 * Encodes a LastEvaluatedKey (string attributes only, as every key of the standard table is).
 *
 * @example
 * ```ts
 * encodeCursor({ PK: 'CUSTOMER#1', SK: 'PROFILE', GSI2PK: 'PREFERRED_CUSTOMERS', GSI2SK: '2026…#1' }); // 'eyJQSyI6…'
 * ```
 */
export function encodeCursor(lastEvaluatedKey: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify(lastEvaluatedKey), 'utf8').toString('base64url');
}

/**
 * Decodes and validates a cursor for a query of the given shape, returning the ExclusiveStartKey.
 *
 * @throws {@link InvalidCursorError} for anything this service would not have issued for this query.
 */
export function decodeCursor(cursor: string, shape: CursorShape): Record<string, string> {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !base64url.test(cursor)) {
    throw new InvalidCursorError('not a cursor issued by this API');
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a cursor issued by this API');
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) {
    throw new InvalidCursorError('not a cursor issued by this API');
  }
  const entries = Object.entries(decoded);
  const expected = new Set(shape.attributes);
  if (entries.length !== expected.size || entries.some(([name, value]) => !expected.has(name) || typeof value !== 'string' || value === '')) {
    throw new InvalidCursorError('it does not belong to this query');
  }
  const key = Object.fromEntries(entries) as Record<string, string>;
  for (const value of Object.values(key)) {
    // DynamoDB refuses key values over 1 KB (sort keys) and strings that are not valid UTF-16.
    if (encoder.encode(value).length > MAX_KEY_VALUE_BYTES || loneSurrogate.test(value)) {
      throw new InvalidCursorError('it does not belong to this query');
    }
  }
  for (const [name, value] of Object.entries(shape.fixed)) {
    if (key[name] !== value) throw new InvalidCursorError('it belongs to another query');
  }
  const problem = shape.check?.(key);
  if (problem !== undefined) throw new InvalidCursorError(problem);
  return key;
}
