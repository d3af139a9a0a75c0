import { describe, expect, it } from 'vitest';
import {
  CustomerCreatedV1,
  CustomerDelinquencyChangedV1,
  CustomerDetailsEditedV1,
  CustomerLocaleChangedV1,
  CustomerPreferredStatusChangedV1,
  buildPutEventsEntry,
  eventRegistry,
  parseEvent,
  piiPaths,
  toJsonSchema,
} from '../../src';
import { deliveredEvent, validMetadata } from '../fixtures/contracts';

const customerContracts = [
  CustomerCreatedV1,
  CustomerDetailsEditedV1,
  CustomerLocaleChangedV1,
  CustomerPreferredStatusChangedV1,
  CustomerDelinquencyChangedV1,
];

describe('customer events', () => {
  it('are registered under kestrel.customers, version 1', () => {
    for (const contract of customerContracts) {
      expect(eventRegistry.get('kestrel.customers', contract.detailType, 1)).toBe(contract);
    }
  });

  it.each(customerContracts.map((contract) => [contract.detailType, contract] as const))(
    '%s round-trips its example through PutEvents and a consumer',
    (_name, contract) => {
      // Prepare
      const entry = buildPutEventsEntry(contract, contract.example, { ...validMetadata, producer: 'customers' }, { eventBusName: 'bus' });

      // Act
      const parsed = parseEvent(contract, deliveredEvent(entry));

      // Assess
      expect(parsed.detail.data).toEqual(contract.example);
    },
  );

  it('mark every personal field, including old and new values of edited details', () => {
    expect(piiPaths(CustomerCreatedV1).sort()).toEqual(['email', 'familyName', 'givenName', 'phoneNumber']);
    expect(piiPaths(CustomerDetailsEditedV1).sort()).toEqual(
      [
        'changes.address.from.city',
        'changes.address.from.line1',
        'changes.address.from.line2',
        'changes.address.from.postalCode',
        'changes.address.from.region',
        'changes.address.to.city',
        'changes.address.to.line1',
        'changes.address.to.line2',
        'changes.address.to.postalCode',
        'changes.address.to.region',
        'changes.familyName.from',
        'changes.familyName.to',
        'changes.givenName.from',
        'changes.givenName.to',
        'changes.maritalStatus.from',
        'changes.maritalStatus.to',
        'changes.phoneNumber.from',
        'changes.phoneNumber.to',
      ].sort(),
    );
    expect(piiPaths(CustomerLocaleChangedV1)).toEqual([]);
    expect(piiPaths(CustomerPreferredStatusChangedV1)).toEqual([]);
    expect(piiPaths(CustomerDelinquencyChangedV1)).toEqual(['reason']);
  });

  it('tolerate unknown fields a tracer or a newer producer adds', () => {
    // Prepare
    const entry = buildPutEventsEntry(CustomerLocaleChangedV1, CustomerLocaleChangedV1.example, { ...validMetadata, producer: 'customers' }, { eventBusName: 'bus' });
    const raw = deliveredEvent(entry);
    raw.detail._datadog = { traceId: '1' };
    (raw.detail.data as Record<string, unknown>).channel = 'app';

    // Act
    const parsed = parseEvent(CustomerLocaleChangedV1, raw);

    // Assess
    expect(parsed.detail.data.locale).toBe('fr-FR');
  });

  it('reject a detail change whose new value breaks the field rules, naming the path', () => {
    const bad = { ...CustomerDetailsEditedV1.example, changes: { address: { from: null, to: { line1: 'x', city: 'y', country: 'gb' } } } };
    expect(() => buildPutEventsEntry(CustomerDetailsEditedV1, bad, { ...validMetadata, producer: 'customers' }, { eventBusName: 'bus' })).toThrow(
      /detail\.data\.changes\.address\.to\.country/,
    );
  });

  it('publish schemas that stay open to unknown fields', () => {
    for (const contract of customerContracts) {
      const schema = JSON.stringify(toJsonSchema(contract));
      expect(schema).not.toContain('"additionalProperties":false');
    }
  });
});
