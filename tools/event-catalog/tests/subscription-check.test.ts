import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as checkSubscriptionsCommand } from '../scripts/check-subscriptions';
import type { Subscription } from '@kestrel/service-manifest';
import { loadManifests } from '../src/load-manifests';
import { checkedContracts, REPO_ROOT } from '../src/repo';
import { checkSubscriptions, formatSubscriptionError, type SubscriptionError } from '../src/subscription-check';
import { OrderPlacedV1, OrderPlacedV2, ParcelShippedV1, fixtureContracts, manifest, subscription } from './fixtures/contracts';

const contracts = checkedContracts(fixtureContracts);
const v1 = { source: ['kestrel.shop'], 'detail-type': ['OrderPlaced'], detail: { metadata: { version: [1] } } };

function check(sub: Subscription): SubscriptionError[] {
  return checkSubscriptions([manifest('billing', { consumes: [sub] })], contracts);
}

function withData(data: Record<string, unknown>): Record<string, unknown> {
  return { ...v1, detail: { ...v1.detail, data } };
}

describe('checkSubscriptions', () => {
  it('accepts a pattern derived from the declared events and content filters that can match', () => {
    // prepare
    const derived = subscription({ name: 'orders', events: [OrderPlacedV1, OrderPlacedV2] });
    const filtered = subscription({
      name: 'paid-orders',
      events: [OrderPlacedV1],
      pattern: withData({ status: ['paid'], total: [{ numeric: ['>', 100] }], currency: [{ prefix: 'E' }], items: { sku: ['SKU-1'] } }),
    });

    // act
    const errors = checkSubscriptions([manifest('billing', { consumes: [derived, filtered] })], contracts);

    // assess
    expect(errors).toEqual([]);
  });

  it('reports a field the targeted schema does not declare, naming service, subscription and field', () => {
    const errors = check(subscription({ name: 'gold', events: [OrderPlacedV1], pattern: withData({ tier: ['gold'] }) }));

    expect(errors).toEqual([
      {
        service: 'billing',
        subscription: 'gold',
        kind: 'unknown-field',
        field: 'detail.data.tier',
        message: 'field does not exist (in kestrel.shop OrderPlaced v1)',
      },
    ]);
    expect(formatSubscriptionError(errors[0]!)).toBe('billing › gold › detail.data.tier: field does not exist (in kestrel.shop OrderPlaced v1) [unknown-field]');
  });

  it('reports values outside an enum, for exact values and for matchers no enum value satisfies', () => {
    const errors = check(
      subscription({ name: 'refunds', events: [OrderPlacedV1], pattern: withData({ status: ['refunded', { prefix: 'x' }, 'paid'] }) }),
    );

    expect(errors.map((e) => [e.kind, e.field])).toEqual([
      ['value-outside-enum', 'detail.data.status'],
      ['value-outside-enum', 'detail.data.status'],
    ]);
    expect(errors[0]!.message).toContain('"refunded" is not one of the allowed values ["new","paid"]');
    expect(errors[1]!.message).toContain('{"prefix":"x"}');
  });

  it('reports a numeric matcher on a string field', () => {
    const errors = check(subscription({ name: 'big', events: [OrderPlacedV1], pattern: withData({ currency: [{ numeric: ['>', 3] }] }) }));

    expect(errors).toMatchObject([{ kind: 'numeric-on-non-number', field: 'detail.data.currency' }]);
    expect(errors[0]!.message).toContain('numeric matcher on a string field');
  });

  it('reports string matchers on numbers and values of the wrong JSON type', () => {
    const errors = check(
      subscription({ name: 'typed', events: [OrderPlacedV1], pattern: withData({ total: [{ prefix: '4' }, '42.5'] }) }),
    );

    expect(errors.map((e) => [e.kind, e.field])).toEqual([
      ['string-matcher-on-non-string', 'detail.data.total'],
      ['type-mismatch', 'detail.data.total'],
    ]);
  });

  it('reports matching an object field, which EventBridge never does (it matches leaves only)', () => {
    const errors = check(
      subscription({ name: 'objects', events: [OrderPlacedV1], pattern: withData({ customer: [{ exists: true }] }) }),
    );

    expect(errors).toMatchObject([{ kind: 'exists-on-object', field: 'detail.data.customer' }]);
  });

  it('reports a source and a detail-type no contract publishes, and no follow-up error for the same mistake', () => {
    const errors = check(
      subscription({
        name: 'ghosts',
        events: [],
        pattern: { $or: [{ source: ['kestrel.nowhere'] }, { source: ['kestrel.shop'], 'detail-type': ['OrderCancelled'] }] },
        wide: { reason: 'listens to a family of events on purpose' },
      }),
    );

    expect(errors.map((e) => [e.kind, e.field])).toEqual([
      ['unknown-source', 'source'],
      ['unknown-detail-type', 'detail-type'],
    ]);
    expect(errors[1]!.message).toContain('"OrderCancelled" matches no detail-type any contract from "kestrel.shop" publishes');
  });

  it('reports a pattern that matches no registered version, and a declared version the pattern filters out', () => {
    const noVersion = subscription({ name: 'future', events: [OrderPlacedV1], pattern: { ...v1, detail: { metadata: { version: [3] } } } });
    const missingV2 = subscription({ name: 'stuck-on-v1', events: [OrderPlacedV1, OrderPlacedV2], pattern: v1 });

    const errors = checkSubscriptions([manifest('billing', { consumes: [noVersion, missingV2] })], contracts);

    expect(errors.map((e) => [e.subscription, e.kind])).toEqual([
      ['future', 'matches-no-version'],
      ['stuck-on-v1', 'declared-version-not-matched'],
    ]);
    expect(errors[1]!.message).toBe('declares kestrel.shop OrderPlaced v2 but its pattern does not let it through');
  });

  it('reports declared events that are not registered contract versions', () => {
    const errors = check(subscription({ name: 'v9', events: [{ source: 'kestrel.shop', detailType: 'OrderPlaced', version: 9 }] }));

    expect(errors.map((e) => [e.kind, e.field])).toEqual([
      ['unknown-event', 'events[0]'],
    ]);
  });

  it('reports a pattern EventBridge itself would refuse', () => {
    const errors = check(subscription({ name: 'broken', events: [OrderPlacedV1], pattern: { source: [] } }));

    expect(errors).toEqual([
      { service: 'billing', subscription: 'broken', kind: 'invalid-pattern', field: 'source', message: 'Empty arrays are not allowed' },
    ]);
  });

  it('reports a narrow subscription whose pattern does not pin source, detail-type and version', () => {
    const errors = check(subscription({ name: 'any-shop', events: [OrderPlacedV1], pattern: { source: ['kestrel.shop'] } }));

    expect(errors.map((e) => [e.kind, e.field])).toEqual([
      ['too-wide', 'detail-type'],
      ['too-wide', 'detail.metadata.version'],
    ]);
  });

  it('exempts a wide subscription from narrowness, reading its fields against every event it reaches', () => {
    const wide = subscription({
      name: 'everything',
      pattern: { source: [{ prefix: 'kestrel.' }], detail: { data: { orderId: [{ exists: true }] } } },
      wide: { reason: 'keeps every business event for analytics' },
    });

    const errors = check(wide);

    expect(errors).toEqual([]);
  });

  it('still requires a wide subscription to reach at least one contract and its fields to exist in one', () => {
    const wide = subscription({
      name: 'elsewhere',
      pattern: { source: [{ prefix: 'acme.' }] },
      wide: { reason: 'a family of events from another organisation' },
    });
    const wideField = subscription({
      name: 'coupons',
      pattern: { source: [{ prefix: 'kestrel.' }], detail: { data: { coupon: [{ exists: true }] } } },
      wide: { reason: 'every event that carries a coupon' },
    });

    const errors = checkSubscriptions([manifest('billing', { consumes: [wide, wideField] })], contracts);

    expect(errors.map((e) => [e.subscription, e.kind, e.field])).toEqual([
      ['elsewhere', 'unknown-source', 'source'],
      ['coupons', 'unknown-field', 'detail.data.coupon'],
    ]);
  });

  it('checks each $or branch against the event that branch routes to', () => {
    const either = subscription({
      name: 'either',
      events: [OrderPlacedV1, ParcelShippedV1],
      pattern: {
        $or: [
          withData({ status: ['paid'] }),
          { source: ['kestrel.warehouse'], 'detail-type': ['ParcelShipped'], detail: { metadata: { version: [1] }, data: { status: ['paid'] } } },
        ],
      },
    });

    const errors = check(either);

    expect(errors).toMatchObject([{ kind: 'unknown-field', field: 'detail.data.status', message: 'field does not exist (in kestrel.warehouse ParcelShipped v1)' }]);
  });
});

describe('the real manifests', () => {
  it('every subscription of every service can match what it subscribes to', async () => {
    const manifests = await loadManifests(REPO_ROOT);

    const errors = checkSubscriptions(
      manifests.map((m) => m.manifest),
      checkedContracts(),
    );

    expect(manifests.length).toBeGreaterThan(0);
    expect(errors.map(formatSubscriptionError)).toEqual([]);
  });
});

describe('checkSubscriptions: filter values against the field\'s constraints', () => {
  it.each<[string, Record<string, unknown>]>([
    ['a numeric range on an integer field (z.int())', { items: { quantity: [{ numeric: ['>=', 2] }] } }],
    ['an exact integer on an integer field', { items: { quantity: [3] } }],
    ['a value matching the format', { orderId: ['0b5e4b8e-8a3c-4c5e-9a57-1a1d3c0b7e21'] }],
    ['a prefix within the length', { currency: [{ prefix: 'E' }] }],
    ['exists: true on a required field', { orderId: [{ exists: true }] }],
    ['a numeric range overlapping the bounds', { total: [{ numeric: ['<', 10] }] }],
  ])('accepts %s', (_name, data) => {
    // Act
    const errors = check(subscription({ name: 'filtered', events: [OrderPlacedV1], pattern: withData(data) }));

    // Assess
    expect(errors).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['a value outside the format', { orderId: ['not-a-uuid'] }, 'detail.data.orderId', '"not-a-uuid" does not match format uuid'],
    ['a value longer than maxLength', { currency: ['EURO'] }, 'detail.data.currency', '"EURO" is longer than maxLength 3'],
    ['a prefix longer than maxLength', { currency: [{ prefix: 'EURO' }] }, 'detail.data.currency', '"EURO" is longer than maxLength 3'],
    ['a number below the minimum', { total: [-1] }, 'detail.data.total', '-1 is outside [0, Infinity]'],
    ['a numeric range below the minimum', { total: [{ numeric: ['<', 0] }] }, 'detail.data.total', 'numeric range [-Infinity, 0) holds no value within [0, Infinity]'],
    ['a numeric range with no integer on an integer field', { items: { quantity: [{ numeric: ['>', 1, '<', 2] }] } }, 'detail.data.items.quantity', 'holds no integer value'],
  ])('reports %s as one value-outside-constraints error', (_name, data, field, reason) => {
    // Act
    const errors = check(subscription({ name: 'filtered', events: [OrderPlacedV1], pattern: withData(data) }));

    // Assess
    expect(errors.map((e) => [e.kind, e.field])).toEqual([['value-outside-constraints', field]]);
    expect(errors[0]!.message).toContain(reason);
  });

  it('accepts exists: false on an optional field', () => {
    // Act
    const errors = check(
      subscription({
        name: 'untracked',
        events: [ParcelShippedV1],
        pattern: { source: ['kestrel.warehouse'], 'detail-type': ['ParcelShipped'], detail: { metadata: { version: [1] }, data: { trackingNote: [{ exists: false }] } } },
      }),
    );

    // Assess
    expect(errors).toEqual([]);
  });

  it('reports exists: false on a required field: every event has it', () => {
    // Act
    const errors = check(subscription({ name: 'no-orders', events: [OrderPlacedV1], pattern: withData({ orderId: [{ exists: false }] }) }));

    // Assess
    expect(errors.map((e) => [e.kind, e.field])).toEqual([['exists-never-matches', 'detail.data.orderId']]);
  });

  it('checks envelope fields against the envelope schema', () => {
    // Act
    const errors = check(subscription({ name: 'by-account', events: [OrderPlacedV1], pattern: { ...v1, account: [111122223333], region: ['eu-west-1'] } }));

    // Assess
    expect(errors.map((e) => [e.kind, e.field])).toEqual([['type-mismatch', 'account']]);
  });

  it('reports one mistake once, naming every version it affects', () => {
    // Act
    const errors = check(
      subscription({
        name: 'both-versions',
        events: [OrderPlacedV1, OrderPlacedV2],
        pattern: { source: ['kestrel.shop'], 'detail-type': ['OrderPlaced'], detail: { metadata: { version: [1, 2] }, data: { currency: ['EURO'] } } },
      }),
    );

    // Assess
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('(in kestrel.shop OrderPlaced v1, kestrel.shop OrderPlaced v2)');
  });
});

describe('checkSubscriptions: malformed manifests', () => {
  it.each<[string, Partial<Subscription>, string, string]>([
    ['a null event', { events: [null as never] }, 'invalid-manifest', 'events[0]'],
    ['an event without a version', { events: [{ source: 'kestrel.shop', detailType: 'OrderPlaced' } as never] }, 'invalid-manifest', 'events[0]'],
    ['events that are not a list', { events: 'kestrel.shop' as never }, 'invalid-manifest', 'events'],
    ['a pattern that is not an object', { pattern: 'kestrel.shop' as never, wide: { reason: 'a fixture reason' } }, 'invalid-pattern', '(pattern)'],
    ['a pattern field that is not a list', { pattern: { source: 'kestrel.shop' } as never, wide: { reason: 'a fixture reason' } }, 'invalid-pattern', 'source'],
  ])('reports %s as one error naming the field, without throwing', (_name, overrides, kind, field) => {
    // Act
    const errors = check(subscription({ name: 'broken', ...overrides }));

    // Assess
    expect(errors.map((e) => [e.kind, e.field])).toEqual([[kind, field]]);
  });
});

describe('check-subscriptions command', () => {
  it('exits 2 with one line naming the file when a manifest cannot be loaded, never a stack trace', async () => {
    // Arrange
    const repo = mkdtempSync(join(tmpdir(), 'subscriptions-'));
    mkdirSync(join(repo, 'apps/broken'), { recursive: true });
    writeFileSync(join(repo, 'apps/broken/service.ts'), "export default { name: 'broken' };\n");
    const output: string[] = [];

    // Act
    const code = await checkSubscriptionsCommand((t) => output.push(t), repo);
    rmSync(repo, { recursive: true, force: true });

    // Assess
    expect(code).toBe(2);
    expect(output).toEqual(['Subscription check could not run: apps/broken/service.ts: default export must be a manifest made with defineService']);
  });
});
