import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { compareSchemas, compareStringLanguages, verdictOf, BREAKING_KINDS, COMPATIBLE_KINDS, PRIVACY_KINDS, REVIEW_KINDS, type SchemaChange, type SchemaNode } from '../../compat/compare';
import { defineEvent, toJsonSchema } from '../../src/index';
import { CHANGE_TABLE } from '../fixtures/change-table';

// The gate compares what zod generates, so most cases go through the same generator.
function jsonOf(schema: z.ZodType): SchemaNode {
  return z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as SchemaNode;
}

function changes(base: z.ZodType, current: z.ZodType): SchemaChange[] {
  return compareSchemas(jsonOf(base), jsonOf(current));
}

function summary(list: SchemaChange[]): string[] {
  return list.map((c) => `${c.breaking ? 'BREAK' : 'ok'} ${c.kind} @${c.path}`);
}

describe('compareSchemas: the change table (producers deploy first, consumers lag, archives replay)', () => {
  it.each(CHANGE_TABLE.map((c) => [c.name, c] as const))('%s', (_name, { base, current, expected }) => {
    // Act
    const found = compareSchemas(toJsonSchema(base), toJsonSchema(current));

    // Assess
    expect(found.map((c) => `${c.verdict} ${c.kind} @${c.path.replace(/^detail\.data\./, '')}`)).toEqual(expected);
    expect(found.every((c) => c.breaking === (c.verdict === 'breaking' || c.verdict === 'privacy'))).toBe(true);
  });

  it('names every kind it can report in exactly one verdict list', () => {
    // Assess
    const all = [...BREAKING_KINDS, ...PRIVACY_KINDS, ...REVIEW_KINDS, ...COMPATIBLE_KINDS];
    expect(new Set(all).size).toBe(all.length);
    expect(verdictOf('pii-mark-removed')).toBe('privacy');
    expect(verdictOf('pattern-unproven')).toBe('review');
    expect(verdictOf('enum-value-added')).toBe('breaking');
    expect(verdictOf('open-enum-value-added')).toBe('compatible');
  });
});

describe('compareSchemas: more breaking changes', () => {
  it.each<[string, z.ZodType, z.ZodType, string[]]>([
    ['minItems raised', z.object({ l: z.array(z.string()) }), z.object({ l: z.array(z.string()).min(1) }), ['BREAK length-tightened @l']],
    ['minimum made exclusive', z.object({ n: z.number().min(0) }), z.object({ n: z.number().gt(0) }), ['BREAK bounds-tightened @n']],
    ['maximum added', z.object({ n: z.number() }), z.object({ n: z.number().max(10) }), ['BREAK bounds-tightened @n']],
    ['multipleOf added', z.object({ n: z.number() }), z.object({ n: z.number().multipleOf(5) }), ['BREAK bounds-tightened @n']],
    ['multipleOf coarser', z.object({ n: z.number().multipleOf(2) }), z.object({ n: z.number().multipleOf(4) }), ['BREAK bounds-tightened @n']],
    ['multipleOf finer', z.object({ n: z.number().multipleOf(1) }), z.object({ n: z.number().multipleOf(0.5) }), ['BREAK constraint-loosened @n']],
    ['exclusive minimum made inclusive', z.object({ n: z.number().gt(0) }), z.object({ n: z.number().min(0) }), ['BREAK constraint-loosened @n']],
    ['additionalProperties closed', z.object({ o: z.object({ a: z.string() }) }), z.object({ o: z.strictObject({ a: z.string() }) }), ['BREAK additional-properties-closed @o']],
    ['strict object opened', z.object({ o: z.strictObject({ a: z.string() }) }), z.object({ o: z.object({ a: z.string() }) }), ['BREAK constraint-loosened @o']],
    ['record value type changed', z.object({ r: z.record(z.string(), z.string()) }), z.object({ r: z.record(z.string(), z.number()) }), ['BREAK type-changed @r.*']],
    ['array item type changed', z.object({ tags: z.array(z.string()) }), z.object({ tags: z.array(z.number()) }), ['BREAK item-type-changed @tags[]']],
    ['nested array item field changed', z.object({ items: z.array(z.object({ q: z.int() })) }), z.object({ items: z.array(z.object({ q: z.string() })) }), ['BREAK type-changed @items[].q']],
    ['union member removed', z.object({ u: z.union([z.string(), z.number()]) }), z.object({ u: z.string() }), ['BREAK type-changed @u']],
    ['array of items loosened', z.object({ l: z.array(z.string().max(3)).min(2) }), z.object({ l: z.array(z.string()) }), ['BREAK constraint-loosened @l[]', 'BREAK constraint-loosened @l']],
    [
      'discriminated union variant field changed',
      z.object({ c: z.discriminatedUnion('by', [z.object({ by: z.literal('email'), e: z.string() }), z.object({ by: z.literal('sms'), p: z.string() })]) }),
      z.object({ c: z.discriminatedUnion('by', [z.object({ by: z.literal('email'), e: z.string() }), z.object({ by: z.literal('sms'), p: z.number() })]) }),
      ['BREAK type-changed @c.p'],
    ],
    ['literal changed', z.object({ k: z.literal('a') }), z.object({ k: z.literal('b') }), ['BREAK enum-value-removed @k', 'BREAK enum-value-added @k']],
  ])('%s', (_name, base, current, expected) => {
    // Act
    const found = changes(base, current);

    // Assess
    expect(summary(found)).toEqual(expected);
  });

  it('flags changes to keywords it has no rule for, for a human to review', () => {
    // Arrange: uniqueItems is not something zod emits today; a future generator might.
    const base: SchemaNode = { type: 'array', items: { type: 'string' } };
    const current: SchemaNode = { type: 'array', items: { type: 'string' }, uniqueItems: true };

    // Act
    const found = compareSchemas(base, current);

    // Assess
    expect(found).toEqual([{ path: '', kind: 'unrecognised-change', verdict: 'breaking', breaking: true, detail: 'keyword uniqueItems changed ((none) → true); review by hand' }]);
  });

  it('reports paths from the event root when comparing whole contract schemas', () => {
    // Arrange
    const define = (data: z.ZodObject, example: Record<string, unknown>) =>
      defineEvent({ source: 'kestrel.test-shop', detailType: 'CartShared', version: 1, owner: 'test-shop', description: 'Fixture.', data, example });
    const base = define(z.object({ cartId: z.string(), email: z.email() }), { cartId: 'c', email: 'a@example.com' });
    const current = define(z.object({ cartId: z.string() }), { cartId: 'c' });

    // Act
    const found = compareSchemas(toJsonSchema(base), toJsonSchema(current));

    // Assess
    expect(found.filter((c) => c.breaking)).toEqual([
      { path: 'detail.data.email', kind: 'field-removed', verdict: 'breaking', breaking: true, detail: 'required field removed; deployed consumers reject events without it' },
    ]);
  });
});

describe('compareStringLanguages', () => {
  const language = (schema: z.ZodType) => jsonOf(schema) as { format?: string; pattern?: string };

  it('names a witness string for a loosened format (uuid → guid) and keeps the full patterns in the detail', () => {
    // Act
    const judged = compareStringLanguages(language(z.uuid()), language(z.guid()));

    // Assess
    expect(judged.kind).toBe('format-loosened');
    expect(judged.detail).toContain(String(language(z.guid()).pattern));
    const witness = /reject e\.g\. "([^"]+)"/.exec(judged.detail)?.[1];
    expect(witness).toBeDefined();
    expect(z.guid().safeParse(witness).success).toBe(true);
    expect(z.uuid().safeParse(witness).success).toBe(false);
  });

  it('says "review" for a regex it can neither prove equal nor tell apart', () => {
    // Act
    const judged = compareStringLanguages({ pattern: '^[0-9]+$' }, { pattern: '^\\d+$' });

    // Assess
    expect(judged.kind).toBe('pattern-unproven');
  });

  it('says "review" for a format without a pattern it cannot read', () => {
    // Act
    const judged = compareStringLanguages({ format: 'hostname' }, { format: 'idn-hostname' });

    // Assess
    expect(judged.kind).toBe('format-unproven');
  });
});

describe('compareSchemas: compatible changes', () => {
  it('compares recursive schemas without looping', () => {
    // Arrange
    type Tree = { name: string; children: Tree[] };
    const tree: z.ZodType<Tree> = z.lazy(() => z.object({ name: z.string(), children: z.array(tree) }));
    type Tree2 = { name: string; size?: number; children: Tree2[] };
    const tree2: z.ZodType<Tree2> = z.lazy(() => z.object({ name: z.string(), size: z.number().optional(), children: z.array(tree2) }));

    // Act
    const found = changes(z.object({ root: tree }), z.object({ root: tree2 }));

    // Assess
    expect(summary(found)).toEqual(['ok optional-field-added @root.size']);
  });
});
