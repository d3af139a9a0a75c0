import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { compareSchemas, type SchemaChange, type SchemaNode } from '../../compat/compare';
import { defineEvent, toJsonSchema } from '../../src/index';

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

describe('compareSchemas: breaking changes', () => {
  it.each<[string, z.ZodType, z.ZodType, string[]]>([
    ['field removed', z.object({ a: z.string(), b: z.string() }), z.object({ a: z.string() }), ['BREAK field-removed @b']],
    ['optional field removed', z.object({ a: z.string(), b: z.string().optional() }), z.object({ a: z.string() }), ['BREAK field-removed @b']],
    ['type changed', z.object({ n: z.string() }), z.object({ n: z.number() }), ['BREAK type-changed @n']],
    ['number narrowed to integer', z.object({ n: z.number() }), z.object({ n: z.int() }), ['BREAK type-changed @n']],
    ['optional made required', z.object({ a: z.string().optional() }), z.object({ a: z.string() }), ['BREAK optional-made-required @a']],
    ['required made optional', z.object({ a: z.string() }), z.object({ a: z.string().optional() }), ['BREAK required-made-optional @a']],
    ['new required field', z.object({ a: z.string() }), z.object({ a: z.string(), b: z.string() }), ['BREAK required-field-added @b']],
    ['enum value removed', z.object({ t: z.enum(['a', 'b', 'c']) }), z.object({ t: z.enum(['a', 'b']) }), ['BREAK enum-value-removed @t']],
    ['free string restricted to an enum', z.object({ t: z.string() }), z.object({ t: z.enum(['a']) }), ['BREAK values-restricted @t']],
    ['literal changed', z.object({ k: z.literal('a') }), z.object({ k: z.literal('b') }), ['BREAK enum-value-removed @k', 'ok enum-value-added @k']],
    ['format added', z.object({ e: z.string() }), z.object({ e: z.email() }), ['BREAK format-tightened @e']],
    ['format changed', z.object({ id: z.uuid() }), z.object({ id: z.email() }), ['BREAK format-tightened @id']],
    ['pattern added', z.object({ s: z.string() }), z.object({ s: z.string().regex(/^[A-Z]+$/) }), ['BREAK pattern-tightened @s']],
    ['pattern changed', z.object({ s: z.string().regex(/^[A-Z]+$/) }), z.object({ s: z.string().regex(/^[A-Z]{2}$/) }), ['BREAK pattern-tightened @s']],
    ['maxLength lowered', z.object({ s: z.string().max(100) }), z.object({ s: z.string().max(50) }), ['BREAK length-tightened @s']],
    ['maxLength added', z.object({ s: z.string() }), z.object({ s: z.string().max(50) }), ['BREAK length-tightened @s']],
    ['minLength raised', z.object({ s: z.string() }), z.object({ s: z.string().min(1) }), ['BREAK length-tightened @s']],
    ['minItems raised', z.object({ l: z.array(z.string()) }), z.object({ l: z.array(z.string()).min(1) }), ['BREAK length-tightened @l']],
    ['maxItems lowered', z.object({ l: z.array(z.string()).max(10) }), z.object({ l: z.array(z.string()).max(5) }), ['BREAK length-tightened @l']],
    ['minimum raised', z.object({ n: z.number().min(0) }), z.object({ n: z.number().min(1) }), ['BREAK bounds-tightened @n']],
    ['minimum made exclusive', z.object({ n: z.number().min(0) }), z.object({ n: z.number().gt(0) }), ['BREAK bounds-tightened @n']],
    ['maximum added', z.object({ n: z.number() }), z.object({ n: z.number().max(10) }), ['BREAK bounds-tightened @n']],
    ['maximum lowered', z.object({ n: z.int().max(10) }), z.object({ n: z.int().max(9) }), ['BREAK bounds-tightened @n']],
    ['multipleOf added', z.object({ n: z.number() }), z.object({ n: z.number().multipleOf(5) }), ['BREAK bounds-tightened @n']],
    ['multipleOf coarser', z.object({ n: z.number().multipleOf(2) }), z.object({ n: z.number().multipleOf(4) }), ['BREAK bounds-tightened @n']],
    ['additionalProperties closed', z.object({ o: z.object({ a: z.string() }) }), z.object({ o: z.strictObject({ a: z.string() }) }), ['BREAK additional-properties-closed @o']],
    ['record value type changed', z.object({ r: z.record(z.string(), z.string()) }), z.object({ r: z.record(z.string(), z.number()) }), ['BREAK type-changed @r.*']],
    ['array item type changed', z.object({ tags: z.array(z.string()) }), z.object({ tags: z.array(z.number()) }), ['BREAK item-type-changed @tags[]']],
    ['nested array item field changed', z.object({ items: z.array(z.object({ q: z.int() })) }), z.object({ items: z.array(z.object({ q: z.string() })) }), ['BREAK type-changed @items[].q']],
    ['null no longer accepted', z.object({ n: z.string().nullable() }), z.object({ n: z.string() }), ['BREAK type-changed @n']],
    ['union member removed', z.object({ u: z.union([z.string(), z.number()]) }), z.object({ u: z.string() }), ['BREAK type-changed @u']],
    [
      'discriminated union variant removed',
      z.object({ c: z.discriminatedUnion('by', [z.object({ by: z.literal('email'), e: z.string() }), z.object({ by: z.literal('sms'), p: z.string() })]) }),
      z.object({ c: z.discriminatedUnion('by', [z.object({ by: z.literal('email'), e: z.string() })]) }),
      ['BREAK variant-removed @c'],
    ],
    [
      'discriminated union variant field changed',
      z.object({ c: z.discriminatedUnion('by', [z.object({ by: z.literal('email'), e: z.string() }), z.object({ by: z.literal('sms'), p: z.string() })]) }),
      z.object({ c: z.discriminatedUnion('by', [z.object({ by: z.literal('email'), e: z.string() }), z.object({ by: z.literal('sms'), p: z.number() })]) }),
      ['BREAK type-changed @c.p'],
    ],
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
    expect(found).toEqual([{ path: '', kind: 'unrecognised-change', breaking: true, detail: 'keyword uniqueItems changed ((none) → true); review by hand' }]);
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
      { path: 'detail.data.email', kind: 'field-removed', breaking: true, detail: 'required field removed' },
    ]);
  });
});

describe('compareSchemas: compatible changes', () => {
  it.each<[string, z.ZodType, z.ZodType, string[]]>([
    ['identical', z.object({ a: z.string(), t: z.enum(['x']) }), z.object({ a: z.string(), t: z.enum(['x']) }), []],
    ['new optional field', z.object({ a: z.string() }), z.object({ a: z.string(), b: z.string().optional() }), ['ok optional-field-added @b']],
    ['new field with a default (optional on the wire)', z.object({ a: z.string() }), z.object({ a: z.string(), b: z.string().default('x') }), ['ok optional-field-added @b']],
    ['enum value added', z.object({ t: z.enum(['a']) }), z.object({ t: z.enum(['a', 'b']) }), ['ok enum-value-added @t']],
    ['enum opened to any string', z.object({ t: z.enum(['a']) }), z.object({ t: z.string() }), ['ok constraint-loosened @t']],
    ['maxLength raised', z.object({ s: z.string().max(50) }), z.object({ s: z.string().max(100) }), ['ok constraint-loosened @s']],
    ['minLength removed', z.object({ s: z.string().min(3) }), z.object({ s: z.string() }), ['ok constraint-loosened @s']],
    ['format removed', z.object({ e: z.email() }), z.object({ e: z.string() }), ['ok constraint-loosened @e']],
    ['minimum lowered', z.object({ n: z.number().min(5) }), z.object({ n: z.number().min(0) }), ['ok constraint-loosened @n']],
    ['exclusive minimum made inclusive', z.object({ n: z.number().gt(0) }), z.object({ n: z.number().min(0) }), ['ok constraint-loosened @n']],
    ['multipleOf finer', z.object({ n: z.number().multipleOf(1) }), z.object({ n: z.number().multipleOf(0.5) }), ['ok constraint-loosened @n']],
    ['integer widened to number', z.object({ n: z.int() }), z.object({ n: z.number() }), ['ok type-widened @n', 'ok constraint-loosened @n', 'ok constraint-loosened @n']],
    ['null now accepted', z.object({ s: z.string() }), z.object({ s: z.string().nullable() }), ['ok type-widened @s']],
    ['union member added', z.object({ u: z.string() }), z.object({ u: z.union([z.string(), z.number()]) }), ['ok type-widened @u']],
    [
      'discriminated union variant added',
      z.object({ c: z.discriminatedUnion('by', [z.object({ by: z.literal('email'), e: z.string() })]) }),
      z.object({ c: z.discriminatedUnion('by', [z.object({ by: z.literal('email'), e: z.string() }), z.object({ by: z.literal('sms'), p: z.string() })]) }),
      ['ok type-widened @c'],
    ],
    ['strict object opened', z.object({ o: z.strictObject({ a: z.string() }) }), z.object({ o: z.object({ a: z.string() }) }), ['ok constraint-loosened @o']],
    ['description changed', z.object({ a: z.string().describe('old') }), z.object({ a: z.string().describe('new') }), ['ok annotation-changed @a']],
    ['PII mark added', z.object({ a: z.string() }), z.object({ a: z.string().meta({ 'x-kestrel-pii': 'name' }) }), ['ok pii-mark-changed @a']],
    ['array of items loosened', z.object({ l: z.array(z.string().max(3)).min(2) }), z.object({ l: z.array(z.string()) }), ['ok constraint-loosened @l[]', 'ok constraint-loosened @l']],
  ])('%s', (_name, base, current, expected) => {
    // Act
    const found = changes(base, current);

    // Assess
    expect(summary(found)).toEqual(expected);
    expect(found.every((c) => !c.breaking)).toBe(true);
  });

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
