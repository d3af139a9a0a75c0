/** Joins key segments: `CUSTOMER#42`. */
export const KEY_SEPARATOR = '#';
/** Escapes a separator or itself inside a segment: the id `a#b` becomes `a\#b`. */
export const KEY_ESCAPE = '\\';

/** A composite key as its segments, e.g. `['CUSTOMER', customerId]`. */
export type KeySegments = readonly [string, ...string[]];

/** A key could not be built or parsed; the message names the segment and the reason. */
export class KeyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFormatError';
  }
}

const needsEscape = /[#\\]/g;

/**
 * Escapes one segment so it can never contain a bare separator.
 *
 * @example
 * ```ts
 * escapeKeySegment('a#b'); // 'a\\#b'
 * ```
 */
export function escapeKeySegment(segment: string): string {
  return segment.replace(needsEscape, (character) => KEY_ESCAPE + character);
}

function checkSegments(segments: readonly unknown[]): asserts segments is readonly string[] {
  if (segments.length === 0) {
    throw new KeyFormatError('A key needs at least one segment');
  }
  segments.forEach((segment, index) => {
    if (typeof segment !== 'string') {
      throw new KeyFormatError(`Key segment ${index} must be a string, got ${typeof segment}`);
    }
    // An empty id is almost always a missing value; it would also make `A#` and `A` different keys for "no id".
    if (segment.length === 0) {
      throw new KeyFormatError(`Key segment ${index} is empty`);
    }
  });
}

/**
 * Builds a key from segments, escaping each one, so that distinct segment lists always give
 * distinct keys: an id containing `#` cannot forge another entity's key.
 *
 * @example
 * ```ts
 * joinKey(['CUSTOMER', '42']);      // 'CUSTOMER#42'
 * joinKey(['CUSTOMER', '42#ORDER']); // 'CUSTOMER#42\\#ORDER'
 * ```
 */
export function joinKey(segments: KeySegments): string {
  checkSegments(segments);
  return segments.map(escapeKeySegment).join(KEY_SEPARATOR);
}

/**
 * The inverse of {@link joinKey}: splits on unescaped separators and unescapes.
 *
 * @example
 * ```ts
 * parseKey('CUSTOMER#42\\#ORDER'); // ['CUSTOMER', '42#ORDER']
 * ```
 */
export function parseKey(key: string): KeySegments {
  const segments: string[] = [];
  let current = '';
  for (let position = 0; position < key.length; position += 1) {
    const character = key[position];
    if (character === KEY_ESCAPE) {
      const escaped = key[position + 1];
      if (escaped !== KEY_SEPARATOR && escaped !== KEY_ESCAPE) {
        throw new KeyFormatError(`Invalid escape at position ${position} in key ${JSON.stringify(key)}`);
      }
      current += escaped;
      position += 1;
    } else if (character === KEY_SEPARATOR) {
      segments.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  segments.push(current);
  checkSegments(segments);
  return segments as unknown as KeySegments;
}

/**
 * A `begins_with` prefix for a Query. With `complete: true` (the default) the prefix ends with
 * the separator and matches whole segments only (`ORDER#` never matches `ORDERLINE#…`); with
 * `complete: false` the last segment is a partial value (`['ORDER', '2024-']` → `ORDER#2024-`).
 *
 * @example
 * ```ts
 * keyPrefix(['ORDER']);                                 // 'ORDER#'
 * keyPrefix(['ORDER', '2024-05'], { complete: false }); // 'ORDER#2024-05'
 * ```
 */
export function keyPrefix(segments: KeySegments, options: { complete?: boolean } = {}): string {
  const joined = joinKey(segments);
  return options.complete === false ? joined : joined + KEY_SEPARATOR;
}
