import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeKeySegment, joinKey, KeyFormatError, keyPrefix, parseKey, type KeySegments } from '../../src/index';

// Segments drawn mostly from the characters that matter (separator, escape) plus ordinary ones.
const segment = fc.string({
  unit: fc.oneof(fc.constantFrom('#', '\\', 'A', 'b', '0'), fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' })),
  minLength: 1,
  maxLength: 8,
});
const segments: fc.Arbitrary<KeySegments> = fc
  .tuple(segment, fc.array(segment, { maxLength: 3 }))
  .map(([first, rest]) => [first, ...rest] as const);

describe('joinKey', () => {
  it('joins segments with the separator', () => {
    // act
    const key = joinKey(['CUSTOMER', '42']);

    // assess
    expect(key).toBe('CUSTOMER#42');
  });

  it('escapes separator and escape characters inside a segment', () => {
    // act
    const key = joinKey(['CUSTOMER', 'a#b\\c']);

    // assess
    expect(key).toBe('CUSTOMER#a\\#b\\\\c');
  });

  it('does not let an id forge the key of another entity', () => {
    // prepare: a customer id crafted to look like "customer 1's order 9"
    const forgedId = '1#ORDER#9';

    // act
    const forged = joinKey(['CUSTOMER', forgedId]);
    const genuine = joinKey(['CUSTOMER', '1', 'ORDER', '9']);

    // assess
    expect(forged).not.toBe(genuine);
    expect(forged.startsWith(keyPrefix(['CUSTOMER', '1']))).toBe(false);
  });

  it.each([
    [[], 'at least one segment'],
    [['CUSTOMER', ''], 'segment 1 is empty'],
    [['CUSTOMER', 42], 'segment 1 must be a string'],
  ])('rejects %j', (input, message) => {
    // act
    const build = () => joinKey(input as unknown as KeySegments);

    // assess
    expect(build).toThrow(KeyFormatError);
    expect(build).toThrow(message);
  });

  it('maps distinct segment lists to distinct keys (property)', () => {
    fc.assert(
      fc.property(segments, segments, (left, right) => {
        fc.pre(JSON.stringify(left) !== JSON.stringify(right));
        expect(joinKey(left)).not.toBe(joinKey(right));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('parseKey', () => {
  it('round-trips any segment list (property)', () => {
    fc.assert(
      fc.property(segments, (input) => {
        expect(parseKey(joinKey(input))).toEqual(input);
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([
    ['CUSTOMER#42\\', 'Invalid escape at position 11'],
    ['CUSTOMER#4\\2', 'Invalid escape at position 10'],
    ['CUSTOMER#', 'segment 1 is empty'],
  ])('rejects malformed key %j', (key, message) => {
    // act
    const parse = () => parseKey(key);

    // assess
    expect(parse).toThrow(KeyFormatError);
    expect(parse).toThrow(message);
  });
});

describe('keyPrefix', () => {
  it('ends with the separator so only whole segments match', () => {
    // act
    const prefix = keyPrefix(['ORDER']);

    // assess
    expect(prefix).toBe('ORDER#');
    expect(joinKey(['ORDERLINE', '1']).startsWith(prefix)).toBe(false);
  });

  it('can end in a partial, escaped segment value', () => {
    // act
    const prefix = keyPrefix(['ORDER', '2024#05'], { complete: false });

    // assess
    expect(prefix).toBe('ORDER#2024\\#05');
    expect(joinKey(['ORDER', '2024#05-17']).startsWith(prefix)).toBe(true);
  });

  it('matches a key exactly when its segments extend the prefix segments (property)', () => {
    fc.assert(
      fc.property(segments, segments, (prefixSegments, keySegments) => {
        const extends_ =
          keySegments.length > prefixSegments.length && prefixSegments.every((value, index) => keySegments[index] === value);
        expect(joinKey(keySegments).startsWith(keyPrefix(prefixSegments))).toBe(extends_);
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps a partial value a prefix of every escaped value it starts (property)', () => {
    fc.assert(
      fc.property(segment, segment, (start, rest) => {
        expect(escapeKeySegment(start + rest).startsWith(escapeKeySegment(start))).toBe(true);
      }),
    );
  });
});
