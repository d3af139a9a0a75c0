import { describe, expect, it } from 'vitest';
import { createCustomer, decide, decideWith, makePreferredStep, markDelinquentStep, type CustomerCommand } from '../../../src/domain/commands';
import type { Customer } from '../../../src/domain/customer';

const now = '2026-02-01T10:00:00.000Z';
const context = { now };

const ada: Customer = {
  customerId: '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a',
  version: 3,
  email: 'ada@example.com',
  title: 'Ms',
  givenName: 'Ada',
  familyName: 'Byron',
  locale: 'en-GB',
  preferred: false,
  delinquent: false,
  origin: 'registration',
  createdAt: '2026-01-15T09:30:00.000Z',
  updatedAt: '2026-01-20T09:30:00.000Z',
};
const delinquentAda: Customer = { ...ada, delinquent: true, delinquencyReason: 'Invoice 42 unpaid' };
const preferredAda: Customer = { ...ada, preferred: true, preferredSince: '2026-01-21T00:00:00.000Z' };

const dataOf = (decision: ReturnType<typeof decide>) => decision.events.map((event) => ({ type: event.contract.detailType, data: event.data }));

describe('createCustomer', () => {
  it('creates a standard, non-delinquent customer at version 1 and reports CustomerCreated with the same facts', () => {
    // Act
    const { customer, events } = createCustomer(
      { customerId: ada.customerId, email: 'ada@example.com', givenName: 'Ada', locale: 'en-GB', origin: 'self-service' },
      context,
    );

    // Assess
    expect(customer).toEqual({
      customerId: ada.customerId,
      version: 1,
      email: 'ada@example.com',
      givenName: 'Ada',
      locale: 'en-GB',
      preferred: false,
      delinquent: false,
      origin: 'self-service',
      createdAt: now,
      updatedAt: now,
    });
    expect(events).toHaveLength(1);
    expect(events[0]?.contract.detailType).toBe('CustomerCreated');
    expect(events[0]?.data).toEqual({
      customerId: ada.customerId,
      customerVersion: 1,
      email: 'ada@example.com',
      givenName: 'Ada',
      locale: 'en-GB',
      origin: 'self-service',
    });
  });
});

describe('decide: EditCustomerDetails', () => {
  it('changes only the fields that differ, reporting each old and new value', () => {
    // Act
    const decision = decide(
      ada,
      [{ type: 'EditCustomerDetails', changes: { title: 'Mrs', givenName: 'Ada', familyName: 'Lovelace', maritalStatus: 'married' } }],
      context,
    );

    // Assess
    expect(decision.changed).toBe(true);
    expect(decision.customer).toMatchObject({ title: 'Mrs', familyName: 'Lovelace', maritalStatus: 'married', version: 4, updatedAt: now });
    expect(dataOf(decision)).toEqual([
      {
        type: 'CustomerDetailsEdited',
        data: {
          customerId: ada.customerId,
          customerVersion: 4,
          changes: {
            title: { from: 'Ms', to: 'Mrs' },
            familyName: { from: 'Byron', to: 'Lovelace' },
            maritalStatus: { from: null, to: 'married' },
          },
        },
      },
    ]);
  });

  it('clears a field given null and reports the old value', () => {
    const decision = decide(ada, [{ type: 'EditCustomerDetails', changes: { title: null } }], context);

    expect(decision.customer).not.toHaveProperty('title');
    expect(decision.events[0]?.data).toMatchObject({ changes: { title: { from: 'Ms', to: null } } });
  });

  it('compares addresses by value, so re-sending the same address changes nothing', () => {
    // Prepare
    const address = { line1: '12 St James Square', city: 'London', country: 'GB' };
    const withAddress: Customer = { ...ada, address };

    // Act
    const decision = decide(withAddress, [{ type: 'EditCustomerDetails', changes: { address: { ...address, line2: undefined } } }], context);

    // Assess
    expect(decision).toEqual({ customer: withAddress, events: [], outcomes: [{ command: 'EditCustomerDetails', status: 'unchanged' }], changed: false });
  });

  it('treats a change to the values already held as unchanged: no new version, no event', () => {
    const decision = decide(ada, [{ type: 'EditCustomerDetails', changes: { givenName: 'Ada', maritalStatus: null } }], context);

    expect(decision.changed).toBe(false);
    expect(decision.customer).toBe(ada);
    expect(decision.events).toEqual([]);
  });
});

describe('decide: locale, preferred status and delinquency', () => {
  it.each<[string, Customer, CustomerCommand, Partial<Customer>, Record<string, unknown>]>([
    ['ChangeCustomerLocale', ada, { type: 'ChangeCustomerLocale', locale: 'fr-FR' }, { locale: 'fr-FR' }, { previousLocale: 'en-GB', locale: 'fr-FR' }],
    ['MakeCustomerPreferred', ada, { type: 'MakeCustomerPreferred' }, { preferred: true, preferredSince: now }, { preferred: true }],
    ['RevokePreferredStatus', preferredAda, { type: 'RevokePreferredStatus' }, { preferred: false }, { preferred: false }],
    [
      'MarkCustomerDelinquent',
      ada,
      { type: 'MarkCustomerDelinquent', reason: 'Invoice 42 unpaid' },
      { delinquent: true, delinquencyReason: 'Invoice 42 unpaid' },
      { delinquent: true, reason: 'Invoice 42 unpaid' },
    ],
    ['ClearDelinquency', delinquentAda, { type: 'ClearDelinquency' }, { delinquent: false }, { delinquent: false }],
  ])('%s applies to a customer it changes', (_name, before, command, expected, eventData) => {
    // Act
    const decision = decide(before, [command], context);

    // Assess
    expect(decision.changed).toBe(true);
    expect(decision.customer).toMatchObject({ ...expected, version: before.version + 1 });
    expect(decision.events).toHaveLength(1);
    expect(decision.events[0]?.data).toEqual({ customerId: ada.customerId, customerVersion: before.version + 1, ...eventData });
  });

  it('drops preferredSince on revocation and the reason when delinquency is cleared', () => {
    expect(decide(preferredAda, [{ type: 'RevokePreferredStatus' }], context).customer).not.toHaveProperty('preferredSince');
    expect(decide(delinquentAda, [{ type: 'ClearDelinquency' }], context).customer).not.toHaveProperty('delinquencyReason');
  });

  it.each<[string, Customer, CustomerCommand]>([
    ['same locale', ada, { type: 'ChangeCustomerLocale', locale: 'en-GB' }],
    ['already preferred', preferredAda, { type: 'MakeCustomerPreferred' }],
    ['not preferred', ada, { type: 'RevokePreferredStatus' }],
    ['already delinquent (the first reason stands)', delinquentAda, { type: 'MarkCustomerDelinquent', reason: 'Another invoice' }],
    ['not delinquent', ada, { type: 'ClearDelinquency' }],
  ])('changes nothing when the customer is already so: %s', (_name, before, command) => {
    const decision = decide(before, [command], context);

    expect(decision).toEqual({ customer: before, events: [], outcomes: [{ command: command.type, status: 'unchanged' }], changed: false });
  });
});

describe('decide: the delinquent customer made preferred (design article 000)', () => {
  const request: CustomerCommand[] = [
    { type: 'EditCustomerDetails', changes: { title: 'Mrs', familyName: 'Lovelace', maritalStatus: 'married', address: { line1: '12 St James Square', city: 'London', country: 'GB' } } },
    { type: 'MakeCustomerPreferred' },
  ];

  it('applies the independent detail changes and rejects only the preferred status', () => {
    // Act: the billing event made her delinquent after the screen was opened
    const decision = decide(delinquentAda, request, context);

    // Assess
    expect(decision.changed).toBe(true);
    expect(decision.customer).toMatchObject({ title: 'Mrs', familyName: 'Lovelace', maritalStatus: 'married', preferred: false, delinquent: true, version: 4 });
    expect(decision.outcomes).toEqual([
      { command: 'EditCustomerDetails', status: 'applied' },
      {
        command: 'MakeCustomerPreferred',
        status: 'rejected',
        rejection: { code: 'customer-delinquent', message: expect.stringContaining('delinquent') },
      },
    ]);
    expect(decision.events.map((event) => event.contract.detailType)).toEqual(['CustomerDetailsEdited']);
  });

  it('rejects the whole request when the preferred status was all it asked for, writing nothing', () => {
    const decision = decide(delinquentAda, [{ type: 'MakeCustomerPreferred' }], context);

    expect(decision.changed).toBe(false);
    expect(decision.customer).toBe(delinquentAda);
    expect(decision.outcomes[0]).toMatchObject({ status: 'rejected', rejection: { code: 'customer-delinquent' } });
  });

  it('evaluates commands in order against the evolving state: clearing delinquency first lets the promotion through', () => {
    const decision = decide(delinquentAda, [{ type: 'ClearDelinquency' }, { type: 'MakeCustomerPreferred' }], context);

    expect(decision.outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'applied']);
    expect(decision.customer).toMatchObject({ delinquent: false, preferred: true, version: 4 });
    // Both events describe one write, so they carry the same version.
    expect(decision.events.map((event) => event.data.customerVersion)).toEqual([4, 4]);
  });
});

describe('decideWith', () => {
  it('decides exactly as decide for the command kinds it is given steps for', () => {
    // Prepare
    const commands: CustomerCommand[] = [{ type: 'MarkCustomerDelinquent', reason: 'Invoice 42 unpaid' }, { type: 'MakeCustomerPreferred' }];

    // Act
    const narrow = decideWith({ MarkCustomerDelinquent: markDelinquentStep, MakeCustomerPreferred: makePreferredStep }, ada, commands, context);

    // Assess
    expect(narrow).toEqual(decide(ada, commands, context));
    expect(narrow.outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'rejected']);
  });

  it('refuses a command it has no step for instead of skipping it', () => {
    // Act / Assess
    expect(() => decideWith({ MakeCustomerPreferred: makePreferredStep }, ada, [{ type: 'ClearDelinquency' }], context)).toThrow(new TypeError('no step for ClearDelinquency'));
  });
});
