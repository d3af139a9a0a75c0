import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { defineEvent, UserRegisteredV1 } from '@kestrel/contracts';
import { redactEvent, redactEventData } from '../../src/redact';
import { eventBridgeEvent } from './events';

const ShipmentBookedV1 = defineEvent({
  source: 'kestrel.shipping',
  detailType: 'ShipmentBooked',
  version: 1,
  owner: 'shipping',
  description: 'A shipment was booked for some parcels.',
  data: z.object({
    shipmentId: z.string(),
    parcels: z.array(z.object({ recipient: z.object({ name: z.string().meta({ pii: 'name' }), city: z.string() }) })),
    contacts: z.record(z.string(), z.string().meta({ pii: 'phone' })),
  }),
  example: { shipmentId: 's-1', parcels: [{ recipient: { name: 'Ada', city: 'London' } }], contacts: { home: '+441234567890' } },
});

describe('PII redaction by contract marks', () => {
  it('replaces every marked field of UserRegistered with its kind and keeps the rest', () => {
    // prepare
    const event = eventBridgeEvent();

    // act
    const redacted = redactEvent([UserRegisteredV1], event) as { detail: { data: Record<string, unknown>; metadata: unknown } };

    // assess
    expect(redacted.detail.data).toEqual({
      userId: '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a',
      email: '[redacted:email]',
      givenName: '[redacted:name]',
      familyName: '[redacted:name]',
      locale: 'en-GB',
      registeredAt: '2026-01-15T09:30:00.000Z',
      origin: 'sign-up',
    });
    expect(redacted.detail.metadata).toEqual((event.detail as { metadata: unknown }).metadata);
    expect(JSON.stringify(redacted)).not.toContain('ada@example.com');
  });

  it('walks arrays and records, leaves absent optional fields absent, and never mutates the input', () => {
    // prepare
    const data = { shipmentId: 's-9', parcels: [{ recipient: { name: 'Ada', city: 'London' } }, { recipient: { name: 'Grace', city: 'NYC' } }], contacts: { home: '+441', work: '+442' } };
    const before = structuredClone(data);

    // act
    const redacted = redactEventData(ShipmentBookedV1, data);

    // assess
    expect(redacted).toEqual({
      shipmentId: 's-9',
      parcels: [{ recipient: { name: '[redacted:name]', city: 'London' } }, { recipient: { name: '[redacted:name]', city: 'NYC' } }],
      contacts: { home: '[redacted:phone]', work: '[redacted:phone]' },
    });
    expect(data).toEqual(before);
    expect(redactEventData(UserRegisteredV1, { userId: 'u', email: 'a@b.c' })).toEqual({ userId: 'u', email: '[redacted:email]' });
  });

  it('drops the data of an event no contract vouches for', () => {
    const redacted = redactEvent([ShipmentBookedV1], eventBridgeEvent()) as { detail: { data: unknown } };
    expect(redacted.detail.data).toBe('[redacted:no-contract]');
  });
});
