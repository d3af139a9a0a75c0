// String matchers that need more than ===, startsWith or endsWith.

/** A compiled wildcard: the literal pieces between `*` characters. */
export interface Wildcard {
  readonly pieces: readonly string[];
}

const utf8 = new TextEncoder();

/**
 * Parses a wildcard value: `*` matches any run of characters (including none), `\*` is a literal
 * asterisk and `\\` a literal backslash. Throws an Error with the AWS reason when the value has
 * consecutive wildcards or any other escape. Positions count UTF-8 bytes of the value in quotes,
 * as AWS reports them.
 */
export function parseWildcard(value: string): Wildcard {
  const bytes = utf8.encode(`"${value}"`);
  for (let i = 1; i < bytes.length - 1; i++) {
    if (bytes[i] === 0x2a && bytes[i + 1] === 0x2a && i + 1 < bytes.length - 1) {
      throw new Error(`Consecutive wildcard characters at pos ${i}`);
    }
    if (bytes[i] === 0x5c) {
      const next = bytes[i + 1];
      if (i + 1 < bytes.length - 1 && (next === 0x2a || next === 0x5c)) {
        i++;
        continue;
      }
      throw new Error(`Invalid escape character at pos ${i}`);
    }
  }
  const pieces: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === '\\') {
      current += value[++i];
    } else if (char === '*') {
      pieces.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  pieces.push(current);
  return { pieces };
}

/**
 * Tests a string against a parsed wildcard. With only `*` as a metacharacter, taking the leftmost
 * occurrence of each middle piece is always safe, so this runs in linear-ish time with no
 * backtracking (a regex would backtrack polynomially on values like `*a*a*a*b`).
 */
export function matchesWildcard(wildcard: Wildcard, value: string): boolean {
  const { pieces } = wildcard;
  const first = pieces[0] ?? '';
  if (pieces.length === 1) return value === first;
  const last = pieces[pieces.length - 1] ?? '';
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let position = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i] ?? '';
    const found = value.indexOf(piece, position);
    if (found < 0 || found + piece.length > end) return false;
    position = found + piece.length;
  }
  return true;
}

export type Anchoring = 'whole' | 'prefix' | 'suffix';

/**
 * Builds a case-insensitive matcher. Each character of `value` may appear in the event as itself,
 * its lower-case or its upper-case form (locale-independent, per code point, as EventBridge
 * does), so `ß` matches `ß` or `SS` and `É` matches `é`.
 */
export function equalsIgnoreCaseMatcher(value: string, anchoring: Anchoring): RegExp {
  let source = '';
  for (const char of value) {
    const forms = [...new Set([char, char.toLowerCase(), char.toUpperCase()])];
    const escaped = forms.map(escapeForRegex);
    source += escaped.length === 1 ? escaped[0] : `(?:${escaped.join('|')})`;
  }
  const start = anchoring === 'suffix' ? '' : '^';
  const end = anchoring === 'prefix' ? '' : '$';
  return new RegExp(`${start}${source}${end}`, 'u');
}

function escapeForRegex(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    out += /[A-Za-z0-9]/.test(char) ? char : `\\u{${code.toString(16)}}`;
  }
  return out;
}
