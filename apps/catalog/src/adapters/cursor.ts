// Opaque pagination cursors: a Query's LastEvaluatedKey as base64url JSON. A cursor comes back
// from clients, so it is checked before DynamoDB sees it: it must name exactly the key attributes
// of the query's index, as non-empty strings, inside the partition being queried. Anything else
// is an InvalidCursorError (400), never a ValidationException from DynamoDB (500).

export class InvalidCursorError extends Error {
  constructor(reason: string) {
    super(`Invalid cursor: ${reason}`);
    this.name = 'InvalidCursorError';
  }
}

/** What the cursor of one query holds: its key attribute names and the partition it belongs to. */
export interface CursorScope {
  readonly attributes: readonly string[];
  /** Attribute name → value every cursor of this query has (the partition key queried). */
  readonly partition: Readonly<Record<string, string>>;
}

// Lone surrogates are refused: DynamoDB rejects strings that are not valid UTF-16.
// Four keys of at most 2 KB each, JSON and base64: anything longer was not issued by us.
const MAX_CURSOR_CHARACTERS = 12_000;
const MAX_VALUE_BYTES = 2048;

/**
 * @example
 * ```ts
 * const cursor = encodeCursor({ PK: 'STORE#1', SK: 'PRODUCT#2' });
 * decodeCursor(cursor, { attributes: ['PK', 'SK'], partition: { PK: 'STORE#1' } }); // { PK: 'STORE#1', SK: 'PRODUCT#2' }
 * ```
 */
export function encodeCursor(key: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The ExclusiveStartKey a cursor stands for. @throws {@link InvalidCursorError} */
export function decodeCursor(cursor: string, scope: CursorScope): Record<string, string> {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_CHARACTERS || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new InvalidCursorError('not a cursor this API issued');
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a cursor this API issued');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidCursorError('not a cursor this API issued');
  const key = value as Record<string, unknown>;
  const names = Object.keys(key).sort();
  const expected = [...scope.attributes].sort();
  const wellFormed =
    names.length === expected.length &&
    names.every((name, i) => name === expected[i]) &&
    Object.values(key).every((v) => typeof v === 'string' && v !== '' && Buffer.byteLength(v, 'utf8') <= MAX_VALUE_BYTES && !/\p{Cs}/u.test(v));
  if (!wellFormed) throw new InvalidCursorError('it belongs to another query');
  for (const [name, fixed] of Object.entries(scope.partition)) {
    if (key[name] !== fixed) throw new InvalidCursorError('it belongs to another query');
  }
  return key as Record<string, string>;
}
