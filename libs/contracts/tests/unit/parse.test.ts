import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ContractViolationError, buildPutEventsEntry, eventIs, parseEvent, safeParseEvent } from '../../src/index';
import { OrderPlacedV1, OrderPlacedV2, StoreOpenedV1, deliveredEvent, validMetadata } from '../fixtures/contracts';

const order = {
  orderId: '7d0f3a56-1a6b-4c2e-8f0e-0b9c4a1d2e3f',
  customer: { email: 'ada@example.com', name: 'Ada' },
  items: [{ sku: 'BOOK-1', quantity: 1 }],
  tier: 'express' as const,
};

function published(extra: Record<string, unknown> = {}) {
  return deliveredEvent(buildPutEventsEntry(OrderPlacedV1, order, validMetadata, { eventBusName: 'platform' }), extra);
}

function violation(run: () => unknown): ContractViolationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ContractViolationError) return error;
    throw error;
  }
  throw new Error('expected a ContractViolationError');
}

describe('parseEvent', () => {
  it('returns the typed event a producer published', () => {
    // Arrange
    const raw = published();

    // Act
    const event = parseEvent(OrderPlacedV1, raw);

    // Assess
    expect(event.detail.data).toEqual({ ...order, notes: '' });
    expect(event.detail.metadata.producer).toBe('test-shop');
    expect(event['detail-type']).toBe('OrderPlaced');
    expectTypeOf(event.detail.data.customer.email).toEqualTypeOf<string>();
    expectTypeOf(event.detail.metadata.version).toEqualTypeOf<1>();
  });

  it('tolerates unknown fields in the envelope, detail, metadata and data (e.g. a tracer injecting _datadog)', () => {
    // Arrange
    const raw = published({ 'replay-name': 'archive-replay-1' });
    raw.detail._datadog = { 'x-datadog-trace-id': '123' };
    (raw.detail.metadata as Record<string, unknown>).tenant = 'eu';
    (raw.detail.data as Record<string, unknown>).addedLater = { optional: true };

    // Act
    const event = parseEvent(OrderPlacedV1, raw);

    // Assess: accepted, and the extras are dropped from the typed result
    expect(event.detail).not.toHaveProperty('_datadog');
    expect(event.detail.data).not.toHaveProperty('addedLater');
    expect(event.detail.data.orderId).toBe(order.orderId);
  });

  it('rejects wrong types with an error listing each issue with its field path', () => {
    // Arrange
    const raw = published({ time: 'yesterday' });
    const data = raw.detail.data as Record<string, unknown>;
    data.customer = { email: 'not-an-email', name: 'Ada' };
    data.items = [{ sku: 'A', quantity: '2' }];
    (raw.detail.metadata as Record<string, unknown>).eventId = 42;

    // Act
    const error = violation(() => parseEvent(OrderPlacedV1, raw));

    // Assess
    expect(error.issues.map((i) => i.path).sort()).toEqual([
      'detail.data.customer.email',
      'detail.data.items[0].quantity',
      'detail.metadata.eventId',
      'time',
    ]);
    expect(error.message).toContain('detail.data.customer.email: Invalid email address');
    expect(error.message).toContain('kestrel.test-shop OrderPlaced v1 (id 6a7e8feb-b491-4cf7-a9f1-bf3703467718) violates its contract');
  });

  it('picks the contract version named in detail.metadata.version', () => {
    // Arrange
    const v2 = deliveredEvent(
      buildPutEventsEntry(OrderPlacedV2, { orderId: order.orderId, customerEmail: 'ada@example.com', totalCents: 990 }, validMetadata, {
        eventBusName: 'platform',
      }),
    );

    // Act
    const event = parseEvent([OrderPlacedV1, OrderPlacedV2], v2);

    // Assess
    expect(event.detail.metadata.version).toBe(2);
    expect(eventIs(event, OrderPlacedV2)).toBe(true);
    expect(eventIs(event, OrderPlacedV1)).toBe(false);
    if (eventIs(event, OrderPlacedV2)) expectTypeOf(event.detail.data.totalCents).toEqualTypeOf<number>();
  });

  it('rejects a version the consumer did not declare, naming the accepted ones', () => {
    // Arrange
    const raw = published();
    (raw.detail.metadata as Record<string, unknown>).version = 3;

    // Act
    const error = violation(() => parseEvent([OrderPlacedV1, OrderPlacedV2], raw));

    // Assess
    expect(error.issues).toEqual([
      { path: 'detail.metadata.version', message: 'version 3 is not accepted here (accepted: 1, 2)', code: 'unknown_event' },
    ]);
  });

  it('rejects an event of another type', () => {
    // Act
    const error = violation(() => parseEvent(StoreOpenedV1, published()));

    // Assess
    expect(error.issues[0]?.path).toBe('detail-type');
    expect(error.issues[0]?.message).toContain('no contract for kestrel.test-shop OrderPlaced here; expected kestrel.test-catalog StoreOpened v1');
  });

  it('rejects something that is not an EventBridge event', () => {
    // Act
    const error = violation(() => parseEvent(OrderPlacedV1, { hello: 'world' }));

    // Assess
    expect(error.issues.map((i) => i.path).sort()).toEqual(['detail-type', 'source']);
  });

  it('round-trips any valid data through buildPutEventsEntry and parseEvent', () => {
    // Arrange
    const name = fc.string({ minLength: 1, maxLength: 100 });
    const orders = fc.record({
      orderId: fc.uuid({ version: 4 }),
      customer: fc.record({ email: fc.constantFrom('a@example.com', 'x.y+z@mail.example.org'), name }),
      items: fc.array(fc.record({ sku: fc.string({ minLength: 1 }), quantity: fc.integer({ min: 1, max: 1000 }) }), { minLength: 1, maxLength: 5 }),
      notes: fc.string(),
      tier: fc.constantFrom('standard' as const, 'express' as const),
    });

    // Act / Assess
    fc.assert(
      fc.property(orders, (data) => {
        const entry = buildPutEventsEntry(OrderPlacedV1, data, validMetadata, { eventBusName: 'platform' });
        expect(parseEvent(OrderPlacedV1, deliveredEvent(entry)).detail.data).toEqual(data);
      }),
      { numRuns: 200 },
    );
  });
});

describe('safeParseEvent', () => {
  it('returns the event and the matched contract, or the violation, without throwing', () => {
    // Arrange
    const good = published();
    const bad = published();
    (bad.detail.data as Record<string, unknown>).tier = 'overnight';

    // Act
    const ok = safeParseEvent([OrderPlacedV1, OrderPlacedV2], good);
    const failed = safeParseEvent([OrderPlacedV1, OrderPlacedV2], bad);

    // Assess
    expect(ok.success && ok.contract).toBe(OrderPlacedV1);
    expect(failed.success).toBe(false);
    if (!failed.success) {
      expect(failed.error).toBeInstanceOf(ContractViolationError);
      expect(failed.error.issues.map((i) => i.path)).toEqual(['detail.data.tier']);
    }
  });
});
