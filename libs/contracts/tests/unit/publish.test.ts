import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import {
  ContractViolationError,
  EventTooLargeError,
  MAX_PUT_EVENTS_ENTRY_BYTES,
  buildPutEventsEntry,
  causedBy,
  datadogTraceHeaders,
  putEventsEntrySize,
} from '../../src/index';
import { OrderPlacedV1, StoreOpenedV1, validMetadata } from '../fixtures/contracts';

const order = {
  orderId: '7d0f3a56-1a6b-4c2e-8f0e-0b9c4a1d2e3f',
  customer: { email: 'ada@example.com', name: 'Ada' },
  items: [{ sku: 'BOOK-1', quantity: 1 }],
  tier: 'express' as const,
};

function violation(run: () => unknown): ContractViolationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ContractViolationError) return error;
    throw error;
  }
  throw new Error('expected a ContractViolationError');
}

describe('buildPutEventsEntry', () => {
  it('builds an SDK-shaped entry whose detail carries metadata and validated data', () => {
    // Act
    const entry = buildPutEventsEntry(OrderPlacedV1, order, validMetadata, { eventBusName: 'platform' });
    const sdkEntry: PutEventsRequestEntry = entry; // compile-time proof the shape fits the SDK

    // Assess
    expect(sdkEntry.Source).toBe('kestrel.test-shop');
    expect(entry.DetailType).toBe('OrderPlaced');
    expect(entry.EventBusName).toBe('platform');
    expect(entry.Resources).toBeUndefined();
    const detail = JSON.parse(entry.Detail);
    expect(detail.data).toEqual({ ...order, notes: '' }); // defaults applied
    expect(detail.metadata).toMatchObject({ version: 1, correlationId: 'corr-7f1d', causationId: 'req-42', producer: 'test-shop' });
    expect(detail.metadata.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Date(detail.metadata.occurredAt).toISOString()).toBe(detail.metadata.occurredAt);
    expect(entry.Time?.toISOString()).toBe(detail.metadata.occurredAt);
  });

  it('keeps a given eventId, occurredAt, traceparent and resources, and can leave Time unset', () => {
    // Arrange
    const metadata = {
      ...validMetadata,
      eventId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b',
      occurredAt: new Date('2026-02-01T10:00:00.000Z'),
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    };

    // Act
    const entry = buildPutEventsEntry(OrderPlacedV1, order, metadata, {
      eventBusName: 'platform',
      includeTime: false,
      resources: ['arn:aws:dynamodb:eu-west-1:111122223333:table/orders'],
    });

    // Assess
    expect(entry.Time).toBeUndefined();
    expect(entry.Resources).toEqual(['arn:aws:dynamodb:eu-west-1:111122223333:table/orders']);
    expect(JSON.parse(entry.Detail).metadata).toEqual({
      eventId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b',
      occurredAt: '2026-02-01T10:00:00.000Z',
      version: 1,
      correlationId: 'corr-7f1d',
      causationId: 'req-42',
      producer: 'test-shop',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
  });

  it('publishes the traceparent also as Datadog headers in detail._datadog, and nothing there without one', () => {
    // Act
    const traced = buildPutEventsEntry(OrderPlacedV1, order, { ...validMetadata, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, { eventBusName: 'platform' });
    const untraced = buildPutEventsEntry(OrderPlacedV1, order, validMetadata, { eventBusName: 'platform' });

    // Assess: low 64 bits 0xa3ce929d0e0e4736 and span 0x00f067aa0ba902b7 in decimal; the high half in _dd.p.tid.
    expect(JSON.parse(traced.Detail)._datadog).toEqual({
      'x-datadog-trace-id': '11803532876627986230',
      'x-datadog-parent-id': '67667974448284343',
      'x-datadog-sampling-priority': '1',
      'x-datadog-tags': '_dd.p.tid=4bf92f3577b34da6',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(JSON.parse(untraced.Detail)).not.toHaveProperty('_datadog');
    expect(datadogTraceHeaders('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')?.['x-datadog-sampling-priority']).toBe('0');
    expect(datadogTraceHeaders('not-a-traceparent')).toBeUndefined();
  });

  it('rejects invalid data and metadata with every issue and its path', () => {
    // Arrange
    const bad = { ...order, customer: { email: 'nope', name: '' }, items: [] } as unknown as typeof order;

    // Act
    const error = violation(() =>
      buildPutEventsEntry(OrderPlacedV1, bad, { ...validMetadata, producer: 'Test Shop', occurredAt: '2026-02-01T10:00:00+02:00' }, { eventBusName: '' }),
    );

    // Assess
    expect(error.issues.map((i) => i.path).sort()).toEqual([
      'EventBusName',
      'detail.data.customer.email',
      'detail.data.customer.name',
      'detail.data.items',
      'detail.metadata.occurredAt',
      'detail.metadata.producer',
    ]);
    expect(error.message).toContain('Cannot publish kestrel.test-shop OrderPlaced v1');
    expect(error.message).toContain('detail.data.customer.email: Invalid email address');
  });

  it('accepts an entry of exactly the size limit and rejects one byte more, before any call', () => {
    // Arrange: measure the fixed overhead, then pad the free-text field to hit the limit exactly.
    const fixed = { eventId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b', occurredAt: '2026-02-01T10:00:00.000Z' };
    const probe = buildPutEventsEntry(StoreOpenedV1, { storeId: 's-1', note: '' }, { ...validMetadata, ...fixed }, { eventBusName: 'b' });
    const room = MAX_PUT_EVENTS_ENTRY_BYTES - putEventsEntrySize(probe);

    // Act
    const atLimit = buildPutEventsEntry(StoreOpenedV1, { storeId: 's-1', note: 'x'.repeat(room) }, { ...validMetadata, ...fixed }, { eventBusName: 'b' });
    let tooLarge: unknown;
    try {
      buildPutEventsEntry(StoreOpenedV1, { storeId: 's-1', note: 'x'.repeat(room + 1) }, { ...validMetadata, ...fixed }, { eventBusName: 'b' });
    } catch (error) {
      tooLarge = error;
    }

    // Assess
    expect(putEventsEntrySize(atLimit)).toBe(1_048_576);
    expect(tooLarge).toBeInstanceOf(EventTooLargeError);
    expect((tooLarge as EventTooLargeError).sizeBytes).toBe(1_048_577);
    expect((tooLarge as EventTooLargeError).message).toContain('over the EventBridge limit of 1048576 bytes');
  });
});

describe('putEventsEntrySize', () => {
  it('counts UTF-8 bytes of source, detail-type, detail and resources, plus 14 for Time', () => {
    // Arrange
    const entry = { Source: 'kestrel.a', DetailType: 'Ab', Detail: '{"n":"é"}', Resources: ['r1', 'r22'] };

    // Act
    const withoutTime = putEventsEntrySize(entry);
    const withTime = putEventsEntrySize({ ...entry, Time: new Date() });

    // Assess: 9 + 2 + 10 (é is 2 bytes) + 2 + 3
    expect(withoutTime).toBe(26);
    expect(withTime).toBe(40);
  });
});

describe('causedBy', () => {
  it('keeps the correlation id and points causation at the causing event', () => {
    // Arrange
    const received = { detail: { metadata: { eventId: 'e-1', correlationId: 'corr-1' } } };

    // Act
    const metadata = causedBy(received);

    // Assess
    expect(metadata).toEqual({ correlationId: 'corr-1', causationId: 'e-1' });
  });
});
