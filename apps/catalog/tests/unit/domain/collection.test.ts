import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  collectionChangeRequestSchema,
  eventParts,
  membershipWrites,
  planCollectionChange,
  planWrites,
  ProductsNotAddableError,
  MAX_TRANSACTION_ACTIONS,
} from '../../../src/domain/collection';
import type { ProductStatus } from '../../../src/domain/product';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const state = { storeId: id(999), collectionVersion: 4, collectionSize: 10 };

describe('collection change requests', () => {
  it('refuses duplicates, naming the list position and the id', () => {
    // act
    const result = collectionChangeRequestSchema.safeParse({ add: [id(1), id(2), id(1)], remove: [id(2)] });
    // assess
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['add.2', `product ${id(1)} appears more than once in this request (first at add[0])`],
      ['remove.0', `product ${id(2)} appears more than once in this request (first at add[1])`],
    ]);
  });

  it('accepts 1..100 products in total', () => {
    const hundred = Array.from({ length: 100 }, (_, n) => id(n));
    expect(collectionChangeRequestSchema.safeParse({ add: hundred }).success).toBe(true);
    expect(collectionChangeRequestSchema.safeParse({ add: hundred, remove: [id(500)] }).success).toBe(false);
    expect(collectionChangeRequestSchema.safeParse({}).success).toBe(false);
    expect(collectionChangeRequestSchema.safeParse({ add: ['nope'] }).error?.issues[0]?.path).toEqual(['add', 0]);
  });
});

describe('planCollectionChange', () => {
  it('refuses the whole change when a product to add is unknown or not published, naming them', () => {
    // prepare
    const products = new Map<string, ProductStatus>([[id(1), 'published'], [id(2), 'retired'], [id(3), 'draft']]);
    // act
    const attempt = () => planCollectionChange(state, { add: [id(1), id(2), id(3), id(4)], remove: [] }, products, new Set(), 'request');
    // assess
    expect(attempt).toThrow(ProductsNotAddableError);
    try {
      attempt();
    } catch (error) {
      expect((error as ProductsNotAddableError).unknownProductIds).toEqual([id(4)]);
      expect((error as ProductsNotAddableError).unavailable).toEqual([
        { productId: id(2), status: 'retired' },
        { productId: id(3), status: 'draft' },
      ]);
    }
  });

  it('lets retired products be removed, and treats repeats as no-ops', () => {
    // act
    const plan = planCollectionChange(state, { add: [id(1)], remove: [id(2), id(3)] }, new Map([[id(1), 'published']]), new Set([id(1), id(2)]), 'request');
    // assess
    expect(plan).toMatchObject({ added: [], removed: [id(2)], unchanged: { alreadyCarried: [id(1)], notCarried: [id(3)] }, sizeAfter: 9, collectionVersion: 5, changed: true });
    expect(planCollectionChange(state, { add: [], remove: [id(3)] }, new Map(), new Set(), 'product-retired')).toMatchObject({ changed: false, collectionVersion: 4, sizeAfter: 10 });
  });

  it('keeps size and membership consistent for any request (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 100 }),
        fc.array(fc.boolean(), { minLength: 100, maxLength: 100 }),
        fc.array(fc.boolean(), { minLength: 100, maxLength: 100 }),
        (numbers, isAdd, isCarried) => {
          const ids = numbers.map(id);
          const add = ids.filter((_, i) => isAdd[i]);
          const remove = ids.filter((_, i) => !isAdd[i]);
          const carried = new Set(ids.filter((_, i) => isCarried[i]));
          const plan = planCollectionChange({ ...state, collectionSize: 500 }, { add, remove }, new Map(add.map((p) => [p, 'published'])), carried, 'request');
          expect(plan.sizeAfter).toBe(500 + plan.added.length - plan.removed.length);
          expect(plan.added.every((p) => !carried.has(p))).toBe(true);
          expect(plan.removed.every((p) => carried.has(p))).toBe(true);
          expect(plan.added.length + plan.unchanged.alreadyCarried.length).toBe(add.length);
          expect(plan.removed.length + plan.unchanged.notCarried.length).toBe(remove.length);
        },
      ),
    );
  });
});

describe('eventParts', () => {
  it('keeps 100 products in one part', () => {
    const ids = Array.from({ length: 100 }, (_, n) => id(n));
    expect(eventParts({ added: ids, removed: [] })).toEqual([{ added: ids, removed: [] }]);
  });

  it('splits into parts within the budget that reassemble to the change (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { maxLength: 100 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 40, max: 2000 }), (numbers, cut, budget) => {
        const ids = numbers.map(id);
        const change = { added: ids.slice(0, cut), removed: ids.slice(cut) };
        const parts = eventParts(change, budget);
        expect(parts.flatMap((p) => p.added)).toEqual(change.added);
        expect(parts.flatMap((p) => p.removed)).toEqual(change.removed);
        for (const part of parts) expect(JSON.stringify([...part.added, ...part.removed]).length).toBeLessThanOrEqual(budget + 1);
        if (ids.length > 0) expect(parts.every((p) => p.added.length + p.removed.length > 0)).toBe(true);
      }),
    );
  });
});

describe('planWrites', () => {
  it('uses one transaction up to 98 memberships and two guarded ones above', () => {
    const writes = (n: number) => membershipWrites({ added: Array.from({ length: n }, (_, i) => id(i)), removed: [] });
    expect(planWrites(writes(98), 1)).toMatchObject({ mode: 'single', actions: 100 });
    expect(planWrites(writes(100), 1)).toMatchObject({ mode: 'two-phase', actions: [100, 3] });
  });

  it('never exceeds 100 actions and writes every membership exactly once (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 3 }), (adds, removes, parts) => {
        fc.pre(adds + removes <= 100);
        const writes = membershipWrites({ added: Array.from({ length: adds }, (_, i) => id(i)), removed: Array.from({ length: removes }, (_, i) => id(1000 + i)) });
        const plan = planWrites(writes, parts);
        if (plan.mode === 'single') {
          expect(plan.actions).toBeLessThanOrEqual(MAX_TRANSACTION_ACTIONS);
          expect(plan.writes).toEqual(writes);
        } else {
          expect(Math.max(...plan.actions)).toBeLessThanOrEqual(MAX_TRANSACTION_ACTIONS);
          expect([...plan.first, ...plan.second]).toEqual(writes);
        }
      }),
    );
  });
});
