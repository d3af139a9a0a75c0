/**
 * One set of rules for the text people type that the platform stores,
 * publishes and prints (names, titles, addresses, descriptions), shared by
 * every service so the same string is accepted or refused everywhere:
 * identity's Cognito triggers, customers' profiles, catalog's products and
 * stores. Refused, with a message per field, never echoed back:
 * - control characters (Cc: NUL, ESC, CR, LF, TAB…; a paragraph may keep LF),
 * - invisible formatting (Cf: bidi overrides that make "evil.com" display as
 *   "moc.live", zero-width spaces and joiners, BOM),
 * - line and paragraph separators (U+2028, U+2029), lone surrogates (Cs),
 * - markup (`<`, `>`), which some reader would render.
 */
import * as z from 'zod/mini';
import './zod-english';

// \p{Cs} matches a lone surrogate: a well-formed pair is one code point under the u flag.
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
const INVISIBLE_OR_CONTROL_EXCEPT_LF = /[\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u0000-\u0009\u000B-\u001F\u007F-\u009F]/u;
const MARKUP = /[<>]/;
// Letters with their combining marks, joined by spaces, apostrophes, hyphens or
// periods: "Zoë", "O'Brien", "Jean-Luc", "J. R. R.", "渡辺".
const PERSON_NAME = /^\p{L}\p{M}*(?:[\p{L}\p{M}]|[ '’.-](?=[\p{L}\p{M} ]|$))*$/u;

/** Field-level messages, the same in every service. */
export const TEXT_RULE_MESSAGES = {
  invisible: 'must not contain control, invisible or bidirectional formatting characters',
  markup: 'must not contain markup (< or >)',
  personName: 'can only contain letters, spaces, apostrophes, hyphens and periods',
} as const;

/**
 * True when the text holds a control character, invisible formatting (bidi,
 * zero-width), a line or paragraph separator or a lone surrogate.
 * `allowLineFeeds` keeps `\n` (paragraphs); `\r` is refused either way.
 *
 * @example
 * ```ts
 * hasInvisibleOrControl('Ada\u202Eecila'); // true
 * hasInvisibleOrControl('two\nlines', { allowLineFeeds: true }); // false
 * ```
 */
export function hasInvisibleOrControl(text: string, { allowLineFeeds = false }: { allowLineFeeds?: boolean } = {}): boolean {
  return (allowLineFeeds ? INVISIBLE_OR_CONTROL_EXCEPT_LF : INVISIBLE_OR_CONTROL).test(text);
}

/** True when the text holds `<` or `>`. */
export function hasMarkup(text: string): boolean {
  return MARKUP.test(text);
}

/** True for a person's name (already trimmed and NFC): letters and marks joined by spaces, apostrophes, hyphens or periods. */
export function isPersonName(text: string): boolean {
  return PERSON_NAME.test(text);
}

/** The problem with a text, by the rules above, or undefined. */
export function textProblem(text: string, kind: 'line' | 'paragraph' | 'person-name'): string | undefined {
  if (hasInvisibleOrControl(text, { allowLineFeeds: kind === 'paragraph' })) return TEXT_RULE_MESSAGES.invisible;
  if (hasMarkup(text)) return TEXT_RULE_MESSAGES.markup;
  if (kind === 'person-name' && text.length > 0 && !isPersonName(text)) return TEXT_RULE_MESSAGES.personName;
  return undefined;
}

function ruled(kind: 'line' | 'paragraph' | 'person-name', { max, min }: { max: number; min: number }) {
  const raw = z.string({ message: 'must be a string' }).check(
    // Before trimming: trim() would silently drop a leading BOM or a trailing U+2028.
    z.superRefine((value, context) => {
      if (hasInvisibleOrControl(value, { allowLineFeeds: kind === 'paragraph' })) context.addIssue({ code: 'custom', message: TEXT_RULE_MESSAGES.invisible, abort: true });
    }),
  );
  const normalised = z.string().check(
    z.minLength(min, { message: 'must not be empty' }),
    z.maxLength(max, { message: `must be at most ${max} characters` }),
    z.superRefine((value, context) => {
      const problem = textProblem(value, kind);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
  );
  return z.pipe(z.pipe(raw, z.transform((value: string) => value.normalize('NFC').trim())), normalised);
}

/**
 * A one-line text (title, product or store name, address line): trimmed, NFC,
 * `min`..`max` characters, no control/invisible characters or markup.
 *
 * @example
 * ```ts
 * lineText({ max: 200 }).parse('  Oak desk ');  // 'Oak desk'
 * lineText({ max: 200 }).parse('Oak\u0000desk'); // throws: must not contain control, invisible or bidirectional formatting characters
 * ```
 */
export function lineText({ max, min = 1 }: { max: number; min?: number }) {
  return ruled('line', { max, min });
}

/** Like {@link lineText}, and line feeds allowed (descriptions). */
export function paragraphText({ max, min = 0 }: { max: number; min?: number }) {
  return ruled('paragraph', { max, min });
}

/** A person's name: {@link lineText} and letters, spaces, apostrophes, hyphens and periods only. */
export function personNameText({ max, min = 1 }: { max: number; min?: number }) {
  return ruled('person-name', { max, min });
}
