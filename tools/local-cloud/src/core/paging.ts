/**
 * Offset pagination for the emulated list APIs: the page token is the offset to
 * resume at, base64url-encoded so clients treat it as opaque. Each API keeps its
 * own limits and its own answer to a token that names no offset.
 *
 * @example
 * const start = token === undefined ? 0 : offsetOf(token) ?? fail('bad token');
 * const { items, nextToken } = pageFrom(all, start, 50);
 */

/** The token that resumes a listing at `offset`. */
export const offsetToken = (offset: number): string => Buffer.from(String(offset)).toString('base64url');

/** The offset a token names, or undefined when it names none. */
export function offsetOf(token: string): number | undefined {
  const offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
  return Number.isInteger(offset) && offset >= 0 ? offset : undefined;
}

/** `limit` items from `start`, with the next page's token when items remain. */
export function pageFrom<T>(items: readonly T[], start: number, limit: number): { items: T[]; nextToken?: string } {
  const end = start + limit;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: offsetToken(end) } : {}) };
}
