import { describe, expect, it } from 'vitest';
import { UserRegisteredV1 } from '@kestrel/contracts';
import { createPseudonymiser, ingestEvent, ingestEvents, MAX_ROW_BYTES } from '../../src/domain';
import type { QuarantineRow, RawRow } from '../../src/domain';
import { eventBridgeEvent, OrderPlacedV1, TEST_KEY, testRegistry } from '../fixtures/events';

const pseudonymise = createPseudonymiser(TEST_KEY);
const context = { registry: testRegistry, pseudonymise, receivedAt: new Date('2026-01-15T10:00:00.000Z') };

const registration = {
  userId: '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a',
  email: 'ada@example.com',
  givenName: 'Ada',
  familyName: 'Lovelace',
  phoneNumber: '+447700900123',
  locale: 'en-GB',
  registeredAt: '2026-01-15T09:30:00.000Z',
  origin: 'sign-up',
};

describe('ingestEvent: events that satisfy their contract', () => {
  it('becomes a raw row with the metadata, PII pseudonymised and the rest in clear', () => {
    // prepare
    const event = eventBridgeEvent(UserRegisteredV1, registration, { eventId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b', envelopeId: 'env-1' });

    // act
    const { row, line } = ingestEvent(event, context);

    // assess
    expect(row).toEqual({
      zone: 'raw',
      eventId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b',
      source: 'kestrel.identity',
      detailType: 'UserRegistered',
      version: 1,
      occurredAt: '2026-01-15T09:30:00.000Z',
      receivedAt: '2026-01-15T10:00:00.000Z',
      correlationId: 'req-1',
      causationId: 'req-1',
      producer: 'identity',
      envelopeId: 'env-1',
      data: {
        userId: registration.userId,
        email: pseudonymise('ada@example.com'),
        givenName: pseudonymise('Ada'),
        familyName: pseudonymise('Lovelace'),
        phoneNumber: pseudonymise('+447700900123'),
        locale: 'en-GB',
        registeredAt: '2026-01-15T09:30:00.000Z',
        origin: 'sign-up',
      },
    } satisfies RawRow);
    expect(JSON.parse(line.toString('utf8'))).toEqual(row);
  });

  it('drops fields the contract does not know (a tracer injecting detail._datadog, an unmarked new field)', () => {
    // prepare
    const event = eventBridgeEvent(UserRegisteredV1, { ...registration, nickname: 'countess' });
    const traced = { ...event, detail: { ...event.detail, _datadog: { 'x-datadog-trace-id': '1' } } };

    // act
    const { row, line } = ingestEvent(traced, context);

    // assess
    expect(row.zone).toBe('raw');
    expect(line.toString()).not.toContain('countess');
    expect(line.toString()).not.toContain('_datadog');
  });

  it('pseudonymises deterministically, so the same person joins across events', () => {
    // prepare
    const first = eventBridgeEvent(UserRegisteredV1, registration);
    const second = eventBridgeEvent(OrderPlacedV1, { ...OrderPlacedV1.example, customer: { email: 'ada@example.com', name: 'Ada' } });

    // act
    const a = ingestEvent(first, context).row as RawRow;
    const b = ingestEvent(second, context).row as RawRow;

    // assess
    expect((a.data as { email: string }).email).toBe((b.data as { customer: { email: string } }).customer.email);
  });
});

describe('ingestEvent: quarantine', () => {
  it('quarantines an event type nobody registered, with the reason, its identifiers and every value pseudonymised', () => {
    // prepare
    const event = eventBridgeEvent({ source: 'kestrel.billing', detailType: 'InvoicePaid', version: 1 }, { payer: 'ada@example.com', amount: 12 }, { eventId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b' });

    // act
    const { row, line } = ingestEvent(event, context);

    // assess
    const quarantined = row as QuarantineRow;
    expect(quarantined.zone).toBe('quarantine');
    expect(quarantined.reason).toEqual({
      code: 'unknown-contract',
      message: 'No contract registered for kestrel.billing InvoicePaid v1',
      issues: [{ path: 'detail.metadata.version', message: 'no registered contract' }],
    });
    expect(quarantined).toMatchObject({ source: 'kestrel.billing', detailType: 'InvoicePaid', version: 1, eventId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b' });
    expect((quarantined.event as { detail: { data: unknown } }).detail.data).toEqual({ payer: pseudonymise('ada@example.com'), amount: pseudonymise(12) });
    expect(line.toString()).not.toContain('ada@example.com');
  });

  it('names the registered versions when only the version is unknown', () => {
    // prepare
    const event = eventBridgeEvent({ ...UserRegisteredV1, version: 7 }, registration);

    // act
    const row = ingestEvent(event, context).row as QuarantineRow;

    // assess
    expect(row.reason.code).toBe('unknown-contract');
    expect(row.reason.message).toBe('No contract for version 7 of kestrel.identity UserRegistered (registered: 1)');
  });

  it('quarantines a contract violation with every field at fault, without quoting the values', () => {
    // prepare
    const event = eventBridgeEvent(UserRegisteredV1, { ...registration, email: 'ada-at-example.com', phoneNumber: '07700 900123', origin: 'fax' });

    // act
    const { row, line } = ingestEvent(event, context);

    // assess
    const quarantined = row as QuarantineRow;
    expect(quarantined.reason.code).toBe('contract-violation');
    expect(quarantined.reason.message).toBe('Event violates kestrel.identity/UserRegistered/v1');
    expect(quarantined.reason.issues.map((issue) => issue.path).sort()).toEqual(['detail.data.email', 'detail.data.origin', 'detail.data.phoneNumber']);
    for (const value of ['ada-at-example.com', '07700 900123', 'Lovelace']) expect(line.toString()).not.toContain(value);
  });

  it('redacts personal values that would otherwise appear in an issue path (record keys)', () => {
    // prepare
    const data = { ...OrderPlacedV1.example, contacts: { 'ada@example.com': 42 } };
    const event = eventBridgeEvent(OrderPlacedV1, data);

    // act
    const row = ingestEvent(event, context).row as QuarantineRow;

    // assess
    expect(row.reason.issues).toEqual([{ path: 'detail.data.contacts.[redacted]', message: expect.stringContaining('expected string') }]);
  });

  it.each([
    ['a string', 'hello'],
    ['null', null],
    ['an array', [1, 2]],
    ['an object without detail', { 'detail-type': 'UserRegistered', detail: 'ada@example.com' }],
  ])('quarantines %s as not-an-event instead of throwing', (_, raw) => {
    // act
    const { row, line } = ingestEvent(raw, context);

    // assess
    expect(row.zone).toBe('quarantine');
    expect((row as QuarantineRow).reason.code).toBe('not-an-event');
    expect(row).toMatchObject({ source: 'unknown', eventId: null });
    expect(line.toString()).not.toContain('ada@example.com');
  });

  it('never lets a source or detail-type that is not well formed name a partition', () => {
    // prepare
    const event = eventBridgeEvent({ source: 'kestrel.x/../../raw', detailType: 'Bad Type', version: 1 }, {});

    // act
    const row = ingestEvent(event, context).row as QuarantineRow;

    // assess
    expect(row).toMatchObject({ source: 'unknown', detailType: 'unknown', reason: { code: 'unknown-contract' } });
  });

  it('quarantines a valid event whose row would not fit a Firehose record, pseudonymised', () => {
    // prepare
    const data = { ...OrderPlacedV1.example, orderId: 'x'.repeat(MAX_ROW_BYTES) };
    const event = eventBridgeEvent(OrderPlacedV1, data, { eventId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b' });

    // act
    const { row } = ingestEvent(event, context);

    // assess
    const quarantined = row as QuarantineRow;
    expect(quarantined.reason.code).toBe('oversize');
    expect(quarantined.reason.message).toMatch(/exceeds Firehose's 1023999-byte record limit/);
    expect(quarantined.eventBytes).toBeGreaterThan(MAX_ROW_BYTES);
    expect((quarantined.event as { detail: { data: { orderId: string } } }).detail.data.orderId).toBe(pseudonymise('x'.repeat(MAX_ROW_BYTES)));
  });

  it('keeps only who, when and why when even the pseudonymised event would not fit', () => {
    // prepare
    const items = Array.from({ length: 20_000 }, () => ({ sku: 'S', quantity: 1, recipient: { name: 'B' } }));
    const event = eventBridgeEvent(OrderPlacedV1, { ...OrderPlacedV1.example, items }, { eventId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b' });

    // act
    const { row, line } = ingestEvent(event, context);

    // assess
    const quarantined = row as QuarantineRow;
    expect(quarantined.reason.code).toBe('oversize');
    expect(quarantined.event).toBeNull();
    expect(quarantined.eventId).toBe('2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b');
    expect(line.length).toBeLessThan(2_000);
  });
});

describe('ingestEvents', () => {
  it('keeps one row per event, in order, and counts outcomes by reason', () => {
    // prepare
    const events = [
      eventBridgeEvent(UserRegisteredV1, registration),
      'garbage',
      eventBridgeEvent(UserRegisteredV1, { ...registration, email: 'nope' }),
      eventBridgeEvent({ source: 'kestrel.billing', detailType: 'InvoicePaid', version: 1 }, {}),
      eventBridgeEvent(OrderPlacedV1, OrderPlacedV1.example),
    ];

    // act
    const result = ingestEvents(events, context);

    // assess
    expect(result.rows.map((r) => r.row.zone)).toEqual(['raw', 'quarantine', 'quarantine', 'quarantine', 'raw']);
    expect(result.accepted).toBe(2);
    expect(result.quarantined).toEqual({ 'not-an-event': 1, 'unknown-contract': 1, 'contract-violation': 1, oversize: 0 });
  });
});
