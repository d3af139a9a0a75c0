import { describe, expect, it } from 'vitest';
import { OUTBOX_ITEM, OUTBOX_RETENTION_SECONDS, outboxCodec, outboxItem } from '../../src';

const entry = {
  Source: 'kestrel.customers',
  DetailType: 'CustomerCreated',
  Detail: JSON.stringify({ metadata: { eventId: 'evt-1' }, data: { customerId: 'c-1' } }),
};

describe('outboxItem', () => {
  it('stores the entry under an OUTBOX# key with the attribute names the pipe reads', () => {
    const item = outboxItem(entry, { eventId: 'evt-1', occurredAt: '2026-01-01T00:00:00.000Z', subject: 'c-1' });

    expect(String(item.PK).startsWith(OUTBOX_ITEM.keyPrefix)).toBe(true);
    expect(item[OUTBOX_ITEM.source]).toBe('kestrel.customers');
    expect(item[OUTBOX_ITEM.detailType]).toBe('CustomerCreated');
    expect(item[OUTBOX_ITEM.detail]).toBe(entry.Detail);
    expect(item.subject).toBe('c-1');
  });

  it('expires a retention period after the event occurred', () => {
    const occurredAt = new Date('2026-01-01T00:00:00.000Z');

    const item = outboxItem(entry, { eventId: 'evt-1', occurredAt });

    expect(item.ttl).toBe(occurredAt.getTime() / 1000 + OUTBOX_RETENTION_SECONDS);
  });

  it('cannot be forged by an event id containing the separator', () => {
    const item = outboxItem(entry, { eventId: 'evt#EVENT', occurredAt: new Date() });

    expect(outboxCodec.fromItem(item).eventId).toBe('evt#EVENT');
    expect(item.PK).not.toBe('OUTBOX#evt#EVENT');
  });

  it('rejects an empty detail', () => {
    expect(() => outboxItem({ ...entry, Detail: '' }, { eventId: 'evt-1', occurredAt: new Date() })).toThrow(/detail/);
  });
});
