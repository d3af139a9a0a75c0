import { ProductPublishedV1, ProductRetiredV1, ProductRevisedV1 } from '@kestrel/contracts';
import { describe, expect, it } from 'vitest';
import { createDraft, productDetailsSchema, productRevisionSchema, publish, retire, revise, ProductRuleViolation } from '../../../src/domain/product';

const now = new Date('2026-02-01T10:00:00.000Z');
const later = new Date('2026-02-02T10:00:00.000Z');
const details = productDetailsSchema.parse({ name: 'Chamomile tea', category: 'tea', tags: ['sleep', 'caffeine-free'], price: { amountMinor: 695, currency: 'EUR' } });
const productId = '7d3f9a62-1c4b-4e8a-9f0d-2b6c8e1a5d47';

describe('product lifecycle', () => {
  it('creates drafts at version 1 with sorted tags and no event', () => {
    // act
    const draft = createDraft(productId, details, now);
    // assess
    expect(draft).toMatchObject({ status: 'draft', version: 1, tags: ['caffeine-free', 'sleep'], description: '' });
  });

  it('publishes a draft once, announcing the whole product', () => {
    // prepare
    const draft = createDraft(productId, details, now);
    // act
    const first = publish(draft, later);
    const again = publish(first.product, later);
    // assess
    expect(first.product).toMatchObject({ status: 'published', version: 2, publishedAt: later.toISOString() });
    expect(first.events).toHaveLength(1);
    expect(first.events[0]?.contract).toBe(ProductPublishedV1);
    expect(ProductPublishedV1.data.parse(first.events[0]?.data)).toMatchObject({ productVersion: 2, price: { amountMinor: 695, currency: 'EUR' } });
    expect(again).toEqual({ product: first.product, changed: false, events: [] });
  });

  it('announces only the fields a published product changed, with old and new values', () => {
    // prepare
    const published = publish(createDraft(productId, details, now), now).product;
    // act
    const decision = revise(published, productRevisionSchema.parse({ name: 'Chamomile tea', price: { amountMinor: 745, currency: 'EUR' }, tags: ['organic', 'sleep'] }), later);
    // assess
    expect(decision.product).toMatchObject({ version: 3, tags: ['organic', 'sleep'], price: { amountMinor: 745 } });
    expect(decision.events[0]?.contract).toBe(ProductRevisedV1);
    expect(decision.events[0]?.data).toEqual({
      productId,
      productVersion: 3,
      changes: {
        price: { from: { amountMinor: 695, currency: 'EUR' }, to: { amountMinor: 745, currency: 'EUR' } },
        tags: { from: ['caffeine-free', 'sleep'], to: ['organic', 'sleep'] },
      },
    });
  });

  it('revises drafts silently and ignores revisions that change nothing', () => {
    // prepare
    const draft = createDraft(productId, details, now);
    // act
    const silent = revise(draft, { category: 'herbal-tea' }, later);
    const same = revise(draft, { name: 'Chamomile tea', tags: ['sleep', 'caffeine-free'] }, later);
    // assess
    expect(silent).toMatchObject({ changed: true, events: [] });
    expect(silent.product.category).toBe('herbal-tea');
    expect(same).toEqual({ product: draft, changed: false, events: [] });
  });

  it('retires for good: no revision or publication afterwards, retiring again is a no-op', () => {
    // prepare
    const published = publish(createDraft(productId, details, now), now).product;
    // act
    const retired = retire(published, later);
    // assess
    expect(retired.events[0]?.contract).toBe(ProductRetiredV1);
    expect(retired.events[0]?.data).toMatchObject({ productVersion: 3, wasPublished: true });
    expect(() => revise(retired.product, { name: 'x' }, later)).toThrow(ProductRuleViolation);
    expect(() => publish(retired.product, later)).toThrow(ProductRuleViolation);
    expect(retire(retired.product, later).changed).toBe(false);
  });
});

describe('product input rules', () => {
  it('refuses float and negative prices, bad currencies, duplicate tags and unknown fields, naming each field', () => {
    // act
    const result = productDetailsSchema.safeParse({
      name: '',
      category: 'Tea Leaves',
      tags: ['sleep', 'sleep'],
      price: { amountMinor: 6.95, currency: 'eur' },
      colour: 'green',
    });
    const negative = productDetailsSchema.safeParse({ ...details, price: { amountMinor: -1, currency: 'EUR' } });
    // assess
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.')).sort();
    expect(paths).toEqual(['', 'category', 'name', 'price.amountMinor', 'price.currency', 'tags.1']);
    expect(negative.error?.issues.map((issue) => issue.message)).toEqual(['must not be negative']);
  });

  it('refuses an empty revision', () => {
    expect(productRevisionSchema.safeParse({}).success).toBe(false);
  });
});
