// fast-check arbitraries for valid customers, commands and their parts, built by running raw
// generated input through the domain's own schemas, so they never drift from the rules.
import fc from 'fast-check';
import type { CustomerCommand, DetailsChange } from '../../src/domain/commands';
import type { Customer } from '../../src/domain/customer';
import {
  addressSchema,
  emailSchema,
  MARITAL_STATUSES,
  ORIGINS,
  personNameSchema,
  TITLES,
  type Address,
} from '../../src/domain/values';

const parsed = <T>(raw: fc.Arbitrary<unknown>, schema: { safeParse(value: unknown): { success: boolean; data?: T } }) =>
  raw.map((value) => schema.safeParse(value)).filter((result) => result.success).map((result) => result.data as T);

/** Names with accents, other scripts and odd spacing, as people type them. */
export const personName = parsed<string>(
  fc.oneof(
    fc.constantFrom('Ada', 'Lovelace', 'Zoë', 'Ångström', 'Ñúñez', "O'Brien", 'Jean-Luc', 'Straße', 'Øster', 'Łukasz', 'Δημήτρης', '李'),
    fc.string({ minLength: 1, maxLength: 100, unit: 'grapheme' }),
  ),
  personNameSchema,
);
export const email = parsed<string>(
  fc.tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,20}$/), fc.constantFrom('example.com', 'mail.example.org')).map(([local, domain]) => `${local}@${domain}`),
  emailSchema,
);
export const locale = fc.constantFrom('en', 'en-GB', 'fr-FR', 'pt-BR', 'de', 'ast');
export const phoneNumber = fc.stringMatching(/^\+[1-9]\d{6,14}$/);
export const title = fc.constantFrom(...TITLES);
export const maritalStatus = fc.constantFrom(...MARITAL_STATUSES);
export const address = parsed<Address>(
  fc.record(
    {
      line1: fc.constantFrom('12 St James Square', '1 Rue de Rivoli', 'Calle Mayor 5'),
      line2: fc.constantFrom('Flat 2', 'Bâtiment B'),
      city: fc.constantFrom('London', 'Paris', 'Málaga'),
      region: fc.constantFrom('Greater London', 'Île-de-France'),
      postalCode: fc.constantFrom('SW1Y 4JH', '75001', '29001'),
      country: fc.constantFrom('GB', 'FR', 'ES'),
    },
    { requiredKeys: ['line1', 'city', 'country'] },
  ),
  addressSchema,
);
export const isoInstant = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());
export const reason = fc.constantFrom('Invoice 2026-0113 unpaid after 60 days', 'Chargeback on order 42', 'Direct debit returned');

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

/** A valid customer in any standing, at any version. */
export const customer: fc.Arbitrary<Customer> = fc
  .record({
    customerId: fc.uuid({ version: 4 }),
    version: fc.integer({ min: 1, max: 1000 }),
    email,
    title: optional(title),
    givenName: optional(personName),
    familyName: optional(personName),
    phoneNumber: optional(phoneNumber),
    address: optional(address),
    maritalStatus: optional(maritalStatus),
    locale,
    preferred: fc.boolean(),
    since: isoInstant,
    delinquent: fc.boolean(),
    reason,
    origin: fc.constantFrom(...ORIGINS),
    createdAt: isoInstant,
    updatedAt: isoInstant,
  })
  .map(({ since, reason: delinquencyReason, ...fields }) => {
    const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as unknown as Customer;
    return {
      ...defined,
      ...(fields.preferred ? { preferredSince: since } : {}),
      ...(fields.delinquent ? { delinquencyReason } : {}),
    };
  });

export const detailsChange: fc.Arbitrary<DetailsChange> = fc.record(
  {
    title: fc.option(title, { nil: null }),
    givenName: fc.option(personName, { nil: null }),
    familyName: fc.option(personName, { nil: null }),
    phoneNumber: fc.option(phoneNumber, { nil: null }),
    address: fc.option(address, { nil: null }),
    maritalStatus: fc.option(maritalStatus, { nil: null }),
  },
  { requiredKeys: [] },
);

export const command: fc.Arbitrary<CustomerCommand> = fc.oneof(
  detailsChange.map((changes) => ({ type: 'EditCustomerDetails' as const, changes })),
  locale.map((value) => ({ type: 'ChangeCustomerLocale' as const, locale: value })),
  fc.constant({ type: 'MakeCustomerPreferred' as const }),
  fc.constant({ type: 'RevokePreferredStatus' as const }),
  reason.map((value) => ({ type: 'MarkCustomerDelinquent' as const, reason: value })),
  fc.constant({ type: 'ClearDelinquency' as const }),
);
