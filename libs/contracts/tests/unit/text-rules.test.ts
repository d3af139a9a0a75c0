import { describe, expect, it } from 'vitest';
import { hasInvisibleOrControl, lineText, paragraphText, personNameText, TEXT_RULE_MESSAGES, textProblem } from '../../src/text-rules';

/** What identity refused before the rules were shared, and customers and catalog accepted (finding 10). */
const HOSTILE: Array<[string, string]> = [
  ['a bidi override', 'Ada\u202Eecila'],
  ['a zero-width space', 'Ada\u200Bline'],
  ['a zero-width joiner', 'Ada\u200Dline'],
  ['a byte-order mark', '\uFEFFAda'],
  ['a lone high surrogate', 'Ada\uD800'],
  ['a lone low surrogate', '\uDC00Ada'],
  ['a line separator', 'Ada\u2028Lovelace'],
  ['a paragraph separator', 'Ada\u2029Lovelace'],
  ['NUL', 'Ada\u0000'],
  ['ESC (terminal escape)', 'Ada\u001B[31m'],
  ['CR LF', 'Ada\r\nLovelace'],
  ['a C1 control', 'Ada\u0085'],
];

describe('shared text rules', () => {
  it.each(HOSTILE)('refuses %s in a line, a paragraph and a name', (_kind, value) => {
    // act
    const results = [lineText({ max: 200 }), paragraphText({ max: 2000 }), personNameText({ max: 100 })].map((schema) => schema.safeParse(value));

    // assess
    for (const result of results) {
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => issue.message)).toContain(TEXT_RULE_MESSAGES.invisible);
    }
  });

  it('refuses markup everywhere', () => {
    // assess
    expect(textProblem('<script>alert(1)</script>', 'line')).toBe(TEXT_RULE_MESSAGES.markup);
    expect(textProblem('a <b>bold</b> claim', 'paragraph')).toBe(TEXT_RULE_MESSAGES.markup);
  });

  it('keeps what people really write: accents, scripts, apostrophes, digits in titles, line feeds in paragraphs; trims and normalises to NFC', () => {
    // assess
    expect(personNameText({ max: 100 }).parse('  Zoe\u0308 ')).toBe('Zoë');
    for (const name of ["O'Brien", 'Jean-Luc', 'J. R. R.', '渡辺', 'Ñúñez']) expect(personNameText({ max: 100 }).parse(name)).toBe(name);
    expect(lineText({ max: 200 }).parse('Desk 2000 — oak, 160 × 80 cm')).toBe('Desk 2000 — oak, 160 × 80 cm');
    expect(paragraphText({ max: 2000 }).parse('Line one\nLine two')).toBe('Line one\nLine two');
    expect(hasInvisibleOrControl('👩‍💻')).toBe(true); // the ZWJ inside emoji sequences is Cf: refused like any zero-width joiner
  });

  it('refuses digits and symbols in a person name, empty and overlong text, each with its message', () => {
    // assess
    expect(personNameText({ max: 100 }).safeParse('R2-D2').error?.issues[0]?.message).toBe(TEXT_RULE_MESSAGES.personName);
    expect(lineText({ max: 5 }).safeParse('   ').error?.issues[0]?.message).toBe('must not be empty');
    expect(lineText({ max: 5 }).safeParse('toolong').error?.issues[0]?.message).toBe('must be at most 5 characters');
    expect(lineText({ max: 5 }).safeParse(42).error?.issues[0]?.message).toBe('must be a string');
  });
});
