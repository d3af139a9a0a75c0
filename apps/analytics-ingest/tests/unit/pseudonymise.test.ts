import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import {
  createPseudonymiser,
  ingestEvent,
  parsePiiPath,
  PseudonymisationKeyError,
  pseudonymiseEveryValue,
  pseudonymisePaths,
} from '../../src/domain';
import { eventBridgeEvent, OrderPlacedV1, TEST_KEY, testRegistry } from '../fixtures/events';

const PSEUDONYM = /^hmac-sha256:[A-Za-z0-9_-]{43}$/;
const pseudonymise = createPseudonymiser(TEST_KEY);

describe('createPseudonymiser', () => {
  it('is deterministic for one key and differs between keys', () => {
    // prepare
    const otherKey = createPseudonymiser(Buffer.alloc(32, 7));

    // act
    const first = pseudonymise('ada@example.com');
    const again = pseudonymise('ada@example.com');
    const other = otherKey('ada@example.com');

    // assess
    expect(first).toMatch(PSEUDONYM);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(pseudonymise('bob@example.com')).not.toBe(first);
  });

  it('hashes numbers and objects by their JSON, key order ignored, and leaves absent values absent', () => {
    // act
    const objectA = pseudonymise({ street: '1 Main St', city: 'Leeds' });
    const objectB = pseudonymise({ city: 'Leeds', street: '1 Main St' });

    // assess
    expect(objectA).toBe(objectB);
    expect(pseudonymise(447700900123)).toBe(pseudonymise('447700900123'));
    expect(pseudonymise(null)).toBeNull();
    expect(pseudonymise(undefined)).toBeUndefined();
  });

  it('refuses a key shorter than 32 bytes', () => {
    // act
    const create = () => createPseudonymiser(Buffer.alloc(16));

    // assess
    expect(create).toThrow(PseudonymisationKeyError);
    expect(create).toThrow(/16 bytes; at least 32/);
  });
});

describe('parsePiiPath', () => {
  it('reads keys, array elements, record values and tuple positions', () => {
    // act + assess
    expect(parsePiiPath('customer.email')).toEqual([
      { kind: 'key', key: 'customer' },
      { kind: 'key', key: 'email' },
    ]);
    expect(parsePiiPath('items[].recipient.name')).toEqual([
      { kind: 'key', key: 'items' },
      { kind: 'each' },
      { kind: 'key', key: 'recipient' },
      { kind: 'key', key: 'name' },
    ]);
    expect(parsePiiPath('contacts.*')).toEqual([{ kind: 'key', key: 'contacts' }, { kind: 'values' }]);
    expect(parsePiiPath('shipTo[0]')).toEqual([{ kind: 'key', key: 'shipTo' }, { kind: 'index', index: 0 }]);
  });
});

describe('pseudonymisePaths', () => {
  it('replaces exactly the values at the PII paths and never modifies its input', () => {
    // prepare
    const data = {
      orderId: 'o-1',
      customer: { email: 'ada@example.com', name: 'Ada' },
      items: [
        { sku: 'S1', recipient: { name: 'Bob' } },
        { sku: 'S2', recipient: { name: 'Cy' } },
      ],
      contacts: { home: '+441', work: '+442' },
      shipTo: ['1 Main St', 'GB'],
    };
    const before = structuredClone(data);

    // act
    const result = pseudonymisePaths(data, ['customer.email', 'customer.name', 'items[].recipient.name', 'contacts.*', 'shipTo[0]'], pseudonymise);

    // assess
    expect(data).toEqual(before);
    expect(result).toEqual({
      orderId: 'o-1',
      customer: { email: pseudonymise('ada@example.com'), name: pseudonymise('Ada') },
      items: [
        { sku: 'S1', recipient: { name: pseudonymise('Bob') } },
        { sku: 'S2', recipient: { name: pseudonymise('Cy') } },
      ],
      contacts: { home: pseudonymise('+441'), work: pseudonymise('+442') },
      shipTo: [pseudonymise('1 Main St'), 'GB'],
    });
  });

  it('skips paths this event does not have (optional fields, empty arrays, wrong shapes)', () => {
    // prepare
    const data = { customer: { name: 'Ada' }, items: [], contacts: null };

    // act
    const result = pseudonymisePaths(data, ['customer.email', 'items[].recipient.name', 'contacts.*', 'shipTo[0]'], pseudonymise);

    // assess
    expect(result).toEqual(data);
  });
});

describe('pseudonymiseEveryValue', () => {
  it('keeps keys and structure and hashes every scalar', () => {
    // act
    const result = pseudonymiseEveryValue({ emial: 'ada@example.com', tags: ['a', 1, true, null] }, pseudonymise);

    // assess
    expect(result).toEqual({ emial: pseudonymise('ada@example.com'), tags: [pseudonymise('a'), pseudonymise(1), pseudonymise(true), null] });
  });
});

describe('no personal value reaches the lake in clear (property)', () => {
  const personal = {
    // Both well-formed addresses (raw zone) and ones the contract rejects (quarantine).
    email: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9.]{2,15}@[a-z]{3,12}\.(com|org|io)$/), fc.emailAddress()),
    name: fc.string({ minLength: 6, maxLength: 40 }).filter((name) => name.trim().length >= 6),
    phone: fc.stringMatching(/^\+[1-9]\d{6,14}$/),
  };

  it('holds for every PII path shape, valid or quarantined', () => {
    fc.assert(
      fc.property(
        personal.email,
        personal.name,
        personal.name,
        personal.phone,
        personal.name,
        fc.boolean(),
        (email, customerName, recipientName, phone, street, breakContract) => {
          // prepare
          const data = {
            orderId: 'order-7',
            customer: { email: breakContract ? `${email} not an email` : email, name: customerName },
            items: [{ sku: 'SKU-1', quantity: 1, recipient: { name: recipientName } }],
            contacts: { mobile: phone },
            shipTo: [street, 'GB'],
            total: 3,
          };
          const event = eventBridgeEvent(OrderPlacedV1, data, { eventId: '0b5e4b8e-8a3c-4c5e-9a57-1a1d3c0b7e21', envelopeId: 'e-1' });
          const blanked = { ...data, customer: { email: '', name: '' }, items: [{ sku: 'SKU-1', quantity: 1, recipient: { name: '' } }], contacts: { mobile: '' }, shipTo: ['', 'GB'] };
          const withoutPii = JSON.stringify({ ...event, detail: { ...event.detail, data: blanked } });
          const secrets = [email, customerName, recipientName, phone, street];
          // A value the event also carries outside its PII fields is not secret.
          fc.pre(secrets.every((secret) => !withoutPii.includes(secret)));

          // act
          const { row, line } = ingestEvent(event, { registry: testRegistry, pseudonymise, receivedAt: new Date('2026-01-15T10:00:00Z') });

          // assess
          expect(row.zone).toBe(OrderPlacedV1.data.safeParse(data).success ? 'raw' : 'quarantine');
          // Pseudonyms are digests: drop them so only clear text is searched.
          const text = line.toString('utf8').replace(/hmac-sha256:[A-Za-z0-9_-]{43}/g, '');
          for (const secret of secrets) expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
        },
      ),
      { numRuns: 300 },
    );
  });
});
