import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventPatternError, compileEventPattern, matchesEventPattern, validateEventPattern } from '../../src/eventbridge/pattern';
import { looksLikeIp } from '../../src/eventbridge/pattern/ip';
import { TOO_COMPLEX, WILDCARD_COMPLEXITY_LIMIT, wildcardComplexity } from '../../src/eventbridge/pattern/complexity';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Leaf = null | boolean | number | string;

function event(detail: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0',
    id: '1f0e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    'detail-type': 'Property Event',
    source: 'kestrel.properties',
    account: '123456789012',
    time: '2024-01-01T00:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

const key = fc.stringMatching(/^[a-z][a-z-]{0,6}$/);
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const leaf: fc.Arbitrary<Leaf> = fc.oneof(
  text,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const detailTree = fc.letrec<{ node: Json; object: { [key: string]: Json } }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(leaf, { minLength: 1, maxLength: 4 }), tie('object')),
  object: fc.dictionary(key, tie('node'), { minKeys: 1, maxKeys: 4 }),
})).object;

/** Every leaf path of a tree (objects only; arrays of leaves yield their first element). */
function leafPaths(node: Json, path: string[] = []): { path: string[]; value: Leaf }[] {
  if (Array.isArray(node)) return node.length > 0 ? [{ path, value: node[0] as Leaf }] : [];
  if (node !== null && typeof node === 'object') {
    return Object.entries(node).flatMap(([name, child]) => leafPaths(child, [...path, name]));
  }
  return [{ path, value: node }];
}

/** Match expressions that the value itself must satisfy. */
function selfMatchers(value: Leaf): unknown[] {
  const always: unknown[] = [value, { exists: true }];
  if (typeof value === 'string') {
    const escaped = value.replace(/[\\*]/g, (c) => `\\${c}`);
    return [
      ...always,
      { prefix: value.slice(0, Math.ceil(value.length / 2)) },
      { suffix: value.slice(Math.floor(value.length / 2)) },
      { 'equals-ignore-case': value },
      { prefix: { 'equals-ignore-case': value } },
      { wildcard: escaped },
      { wildcard: `*${escaped}` },
      { 'anything-but': `${value}~` },
      { 'anything-but': { prefix: `${value}~` } },
    ];
  }
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 5e9) {
    return [...always, { numeric: ['=', value] }, { numeric: ['>=', value] }, { numeric: ['<=', value] }, { 'anything-but': value + 1 }];
  }
  return always;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  path.slice(0, -1).forEach((step) => {
    node = (node[step] ??= {}) as Record<string, unknown>;
  });
  node[path[path.length - 1] as string] = value;
}

describe('pattern matching properties', () => {
  it('a pattern built from an event’s own leaf values always matches it', () => {
    fc.assert(
      fc.property(detailTree, fc.infiniteStream(fc.nat()), (detail, choices) => {
        // prepare
        const leaves = leafPaths(detail);
        const chosen = leaves.filter(() => choices.next().value % 2 === 0);
        const pattern: Record<string, unknown> = { source: ['kestrel.properties'] };
        for (const { path, value } of chosen) {
          const options = selfMatchers(value);
          setPath(pattern, ['detail', ...path], [options[choices.next().value % options.length]]);
        }

        // act: AWS refuses patterns whose wildcards are too complex (several on one field); the property
        // is about the patterns it accepts, so such a draw is discarded rather than counted.
        let result: boolean;
        try {
          result = matchesEventPattern(pattern, event(detail));
        } catch (error) {
          fc.pre(!/Rule is too complex/.test((error as Error).message));
          throw error;
        }

        // assess
        expect(result).toBe(true);
      }),
    );
  });

  // event-ruler (EventBridge's engine) names fields by joining nested keys with dots, so where the
  // dots fall cannot change a result: in the pattern, in the event, or in both.
  it('a field path written with dots or nested is the same field, in the pattern and in the event', () => {
    const flatten = (node: Json, prefix: string, out: Record<string, Json>): Record<string, Json> => {
      if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
        for (const [name, child] of Object.entries(node)) flatten(child, prefix ? `${prefix}.${name}` : name, out);
      } else out[prefix] = node;
      return out;
    };
    fc.assert(
      fc.property(detailTree, fc.nat(), fc.nat(), fc.nat(), (detail, pick, split, choice) => {
        // prepare: one leaf condition, nested, and the same with the path's first `split` keys joined by dots
        const leaves = leafPaths(detail);
        const { path, value } = leaves[pick % leaves.length] as { path: string[]; value: Leaf };
        const options = selfMatchers(value);
        const condition = [options[choice % options.length]];
        const other = [`${String(value)}~other`];
        const cut = 1 + (split % (path.length + 1));
        const fullPath = ['detail', ...path];
        const dotted = (values: unknown[]) => {
          const pattern: Record<string, unknown> = {};
          setPath(pattern, [fullPath.slice(0, cut).join('.'), ...fullPath.slice(cut)], values);
          return pattern;
        };
        const nested = (values: unknown[]) => {
          const pattern: Record<string, unknown> = {};
          setPath(pattern, fullPath, values);
          return pattern;
        };
        const flatEvent = event(flatten(detail, '', {}));

        // act
        const results = [nested(condition), dotted(condition)].flatMap((pattern) => [matchesEventPattern(pattern, event(detail)), matchesEventPattern(pattern, flatEvent)]);
        const refused = [nested(other), dotted(other)].flatMap((pattern) => [matchesEventPattern(pattern, event(detail)), matchesEventPattern(pattern, flatEvent)]);

        // assess
        expect(results).toEqual([true, true, true, true]);
        expect(refused).toEqual([false, false, false, false]);
      }),
    );
  });

  it('wildcard complexity: another wildcard on the field never lowers it, and a pattern is refused exactly when it passes the limit', () => {
    // small alphabets make shared prefixes and repeats likely
    const wildcardValue = fc
      .array(fc.constantFrom('a', 'b', '/', '*'), { minLength: 1, maxLength: 8 })
      .map((chars) => chars.join('').replace(/\*{2,}/g, '*'));
    fc.assert(
      fc.property(fc.array(wildcardValue, { minLength: 1, maxLength: 5 }), wildcardValue, (values, extra) => {
        // act
        const before = wildcardComplexity(values, 1_000);
        const after = wildcardComplexity([...values, extra], 1_000);
        const validation = validateEventPattern({ detail: { key: values.map((wildcard) => ({ wildcard })) } });
        // assess
        expect(after).toBeGreaterThanOrEqual(before);
        expect(validation.valid).toBe(before <= WILDCARD_COMPLEXITY_LIMIT);
        if (!validation.valid) expect(validation.error.reason).toBe(TOO_COMPLEX);
      }),
    );
  });

  it('anything-but is the complement of the matching operator for present string fields', () => {
    const nonIpText = text.filter((s) => !looksLikeIp(s));
    const operand = fc.oneof(
      nonIpText.map((s) => ({ plain: s as unknown, wrapped: s as unknown })),
      nonIpText.filter((s) => s !== '').map((s) => ({ plain: { prefix: s }, wrapped: { prefix: s } })),
      nonIpText.filter((s) => s !== '').map((s) => ({ plain: { suffix: s }, wrapped: { suffix: s } })),
      nonIpText.map((s) => ({ plain: { 'equals-ignore-case': s }, wrapped: { 'equals-ignore-case': s } })),
      fc.stringMatching(/^[ab*]{0,6}$/).filter((s) => !s.includes('**')).map((s) => ({ plain: { wildcard: s }, wrapped: { wildcard: s } })),
    );
    const value = fc.oneof(text, fc.stringMatching(/^[ab]{0,6}$/));
    fc.assert(
      fc.property(operand, value, ({ plain, wrapped }, actual) => {
        // prepare
        const positive = { detail: { field: [plain] } };
        const negative = { detail: { field: [{ 'anything-but': wrapped }] } };
        const input = event({ field: actual });

        // act
        const matched = matchesEventPattern(positive, input);
        const excluded = matchesEventPattern(negative, input);

        // assess
        expect(excluded).toBe(!matched);
      }),
    );
  });

  it('anything-but a number is the complement of that number for present numeric fields', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: -1e9, max: 1e9 }), (excluded, actual) => {
        // prepare
        const input = event({ n: actual });

        // act
        const equal = matchesEventPattern({ detail: { n: [excluded] } }, input);
        const other = matchesEventPattern({ detail: { n: [{ 'anything-but': excluded }] } }, input);

        // assess
        expect(other).toBe(!equal);
      }),
    );
  });

  it('$or [a, b] matches exactly when a or b matches', () => {
    const values = fc.oneof(fc.constantFrom('x', 'xy', 'y', 'X', ''), fc.integer({ min: -3, max: 3 }), fc.constant(null));
    const matcher = fc.oneof(
      values,
      fc.constantFrom('', 'x', 'y').map((prefix) => ({ prefix })),
      fc.integer({ min: -3, max: 3 }).map((n) => ({ numeric: ['>', n] })),
      fc.boolean().map((exists) => ({ exists })),
      values.filter((v) => typeof v === 'string').map((v) => ({ 'anything-but': v })),
      fc.constantFrom('x', 'Y').map((v) => ({ 'equals-ignore-case': v })),
    );
    const field = fc.constantFrom('a', 'b', 'c');
    const pattern = fc
      .dictionary(field, fc.array(matcher, { minLength: 1, maxLength: 2 }), { minKeys: 1, maxKeys: 2 })
      .map((detail) => ({ detail }));
    const detail = fc.dictionary(field, fc.oneof(values, fc.array(values, { maxLength: 3 })), { maxKeys: 3 });
    fc.assert(
      fc.property(pattern, pattern, detail, (left, right, eventDetail) => {
        // prepare
        const input = event(eventDetail);
        const either = { $or: [left, right] };
        const nested = { detail: { $or: [left.detail, right.detail] } };

        // act
        const expected = matchesEventPattern(left, input) || matchesEventPattern(right, input);

        // assess
        expect(matchesEventPattern(either, input)).toBe(expected);
        expect(matchesEventPattern(nested, input)).toBe(expected);
      }),
    );
  });

  it('numeric ranges agree with arithmetic to six decimal places', () => {
    const sixDecimals = fc
      .tuple(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 0, max: 999_999 }))
      .map(([whole, micros]) => Number((whole + micros / 1e6).toFixed(6)));
    fc.assert(
      fc.property(sixDecimals, sixDecimals, sixDecimals, (a, b, x) => {
        fc.pre(a < b);
        // prepare
        const pattern = { detail: { x: [{ numeric: ['>=', a, '<', b] }] } };

        // act
        const result = matchesEventPattern(pattern, event({ x }));

        // assess
        expect(result).toBe(a <= x && x < b);
      }),
    );
  });

  it('equals-ignore-case matches the upper-cased value', () => {
    fc.assert(
      fc.property(text, (value) => {
        // prepare
        const pattern = { detail: { v: [{ 'equals-ignore-case': value }] } };

        // act
        const result = matchesEventPattern(pattern, event({ v: value.toUpperCase() }));

        // assess
        expect(result).toBe(true);
      }),
    );
  });

  it('validation never fails with anything but InvalidEventPatternError, and valid patterns always evaluate', () => {
    const operatorKey = fc.constantFrom('prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'cidr', 'wildcard', 'equals-ignore-case', '$or', 'detail', 'source');
    const patternish = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), fc.array(tie('value'), { maxLength: 3 }), tie('object')),
      object: fc.dictionary(fc.oneof(operatorKey, key), tie('value'), { maxKeys: 3 }),
    })).value;
    fc.assert(
      fc.property(patternish, fc.jsonValue({ maxDepth: 3 }), (pattern, detail) => {
        // prepare
        const input = event({ payload: detail });

        // act
        let outcome: boolean | InvalidEventPatternError;
        try {
          outcome = compileEventPattern(pattern as object).matches(input);
        } catch (error) {
          outcome = error as InvalidEventPatternError;
        }

        // assess
        if (typeof outcome !== 'boolean') expect(outcome).toBeInstanceOf(InvalidEventPatternError);
        expect(validateEventPattern(pattern as object).valid).toBe(typeof outcome === 'boolean');
      }),
    );
  });
});
