import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileEventPattern, explainEventPattern, InvalidEventPatternError } from '../../src/eventbridge/pattern';
import { eventPatternCases } from './cases';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Leaf = null | boolean | number | string;

const envelope = (detail: Json) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'CustomerCreated',
  source: 'kestrel.customers',
  account: '000000000000',
  time: '2026-12-07T09:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

// Few key names, so patterns and events drawn apart still share fields often.
const key = fc.constantFrom('a', 'b', 'c', 'tier', 'items');
const leaf: fc.Arbitrary<Leaf> = fc.oneof(fc.constantFrom('gold', 'Gold', 'silver', '', 'go'), fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constant(null));
const tree = fc.letrec<{ node: Json; object: { [key: string]: Json } }>((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(fc.oneof(leaf, tie('object')), { minLength: 1, maxLength: 3 }), tie('object')),
  object: fc.dictionary(key, tie('node'), { minKeys: 1, maxKeys: 3 }),
})).object;
const matchExpression: fc.Arbitrary<unknown> = fc.oneof(
  leaf,
  fc.constantFrom(
    { exists: true },
    { exists: false },
    { prefix: 'go' },
    { suffix: 'ld' },
    { 'equals-ignore-case': 'GOLD' },
    { 'anything-but': 'gold' },
    { 'anything-but': [1, 2] },
    { numeric: ['>', 0] },
    { numeric: ['>=', -1, '<', 2] },
    { wildcard: 'g*d' },
  ),
);
/** A pattern over the same small key space: nested objects ending in value lists, sometimes with `$or`. */
const patternTree = fc.letrec<{ node: unknown; object: Record<string, unknown> }>((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, fc.array(matchExpression, { minLength: 1, maxLength: 3 }), tie('object')),
  object: fc.oneof(
    { weight: 4, arbitrary: fc.dictionary(key, tie('node'), { minKeys: 1, maxKeys: 3 }) },
    { weight: 1, arbitrary: fc.record({ $or: fc.array(fc.dictionary(key, tie('node'), { minKeys: 1, maxKeys: 2 }), { minLength: 2, maxLength: 3 }) }) },
  ),
})).object;

describe('explainEventPattern', () => {
  it('says "matches" exactly when the matcher matches, and names a failed field (or the array reason) for each failing alternative', () => {
    fc.assert(
      fc.property(patternTree, tree, fc.boolean(), (detailPattern, detail, withSource) => {
        // prepare
        const pattern = { ...(withSource ? { source: ['kestrel.customers'] } : {}), detail: detailPattern };
        const event = envelope(detail);
        let matcher: boolean;
        try {
          matcher = compileEventPattern(pattern).matches(event);
        } catch (error) {
          // Patterns AWS refuses (a reserved name inside $or, …) are not what this property is about.
          fc.pre(!(error instanceof InvalidEventPatternError));
          throw error;
        }

        // act
        const explanation = explainEventPattern(pattern, event, Number.POSITIVE_INFINITY);

        // assess
        expect(explanation.matches).toBe(matcher);
        expect(explanation.explained).toHaveLength(explanation.alternatives);
        expect(explanation.explained.some((alternative) => alternative.matches)).toBe(matcher);
        for (const alternative of explanation.explained) {
          if (alternative.matches) {
            expect(alternative.failedField).toBeUndefined();
            expect(alternative.fields.every((field) => field.passed)).toBe(true);
          } else {
            expect(alternative.failedField ?? alternative.note).toBeDefined();
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with every documented case of the pattern table', () => {
    for (const testCase of eventPatternCases) {
      const event = typeof testCase.event === 'string' ? (JSON.parse(testCase.event) as object) : testCase.event;
      expect(explainEventPattern(testCase.pattern, event).matches, testCase.name).toBe(testCase.matches);
    }
  });

  it('names the field that failed, what the pattern expected and what the event had', () => {
    const explanation = explainEventPattern(
      { source: ['kestrel.customers'], detail: { data: { tier: [{ prefix: 'gold' }] } } },
      envelope({ data: { tier: 'silver' } }),
    );
    expect(explanation).toEqual({
      matches: false,
      alternatives: 1,
      explained: [
        {
          matches: false,
          failedField: 'detail.data.tier',
          fields: [
            { field: 'detail.data.tier', expected: [{ prefix: 'gold' }], actual: ['silver'], passed: false },
            { field: 'source', expected: ['kestrel.customers'], actual: ['kestrel.customers'], passed: true },
          ],
        },
      ],
    });
  });

  it('reports an absent field with no values, and explains each $or alternative', () => {
    const explanation = explainEventPattern({ detail: { $or: [{ a: [1] }, { b: [{ exists: true }] }] } }, envelope({ a: 2 }));
    expect(explanation.matches).toBe(false);
    expect(explanation.explained.map((alternative) => alternative.failedField)).toEqual(['detail.a', 'detail.b']);
    expect(explanation.explained[1]?.fields[0]).toEqual({ field: 'detail.b', expected: [{ exists: true }], actual: [], passed: false });
  });

  it('says when every field matches but not within one array element', () => {
    const explanation = explainEventPattern(
      { detail: { items: { sku: ['A'], qty: [2] } } },
      envelope({ items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 2 }] }),
    );
    expect(explanation.matches).toBe(false);
    expect(explanation.explained[0]).toMatchObject({ matches: false, note: expect.stringContaining('same element') });
    expect(explanation.explained[0]?.fields.every((field) => field.passed)).toBe(true);
  });

  it('refuses an invalid pattern with AWS’s reason', () => {
    expect(() => explainEventPattern({ source: 'kestrel.customers' }, envelope({}))).toThrow(InvalidEventPatternError);
  });
});
