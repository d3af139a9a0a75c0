/**
 * IAM's two wildcards: `*` (any run of characters, also none) and `?` (exactly
 * one character). Everything else is literal. Patterns compile to a RegExp once.
 */
const cache = new Map<string, RegExp>();

/** Private-use characters that stand for a literal `*` / `?` (from the `${*}` / `${?}` policy variables). */
export const LITERAL_STAR = '\u{F0001}';
export const LITERAL_QUESTION = '\u{F0002}';

/** Turns the stand-ins back into the characters they mean. */
export function unescapeLiterals(text: string): string {
  return text.replaceAll(LITERAL_STAR, '*').replaceAll(LITERAL_QUESTION, '?');
}

function escape(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/** The RegExp source matching what the IAM glob matches (without anchors). */
export function globSource(pattern: string): string {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === LITERAL_STAR) source += '\\*';
    else if (char === LITERAL_QUESTION) source += '\\?';
    else source += escape(char);
  }
  return source;
}

/** Compiled, anchored and cached; `ignoreCase` for action names. */
export function globRegExp(pattern: string, ignoreCase = false): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}:${pattern}`;
  let compiled = cache.get(key);
  if (!compiled) {
    compiled = new RegExp(`^${globSource(pattern)}$`, ignoreCase ? 'isu' : 'su');
    // Patterns with resolved policy variables vary per request: keep the cache bounded.
    if (cache.size > 10_000) cache.clear();
    cache.set(key, compiled);
  }
  return compiled;
}

export function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!hasWildcard(pattern)) {
    const literal = unescapeLiterals(pattern);
    return ignoreCase ? literal.toLowerCase() === value.toLowerCase() : literal === value;
  }
  return globRegExp(pattern, ignoreCase).test(value);
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
