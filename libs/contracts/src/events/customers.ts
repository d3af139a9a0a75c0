import * as z from 'zod/mini';
import { pure } from '../pure';
import { declareEvent } from '../define-event';
import { openEnum } from '../open-enum';

/**
 * Events published by the customers context (customer profiles, CQRS on one table). Each is
 * written to the service's outbox in the same DynamoDB transaction as the change it reports and
 * reaches the bus through the table's stream and an EventBridge pipe, so an event exists exactly
 * when its change committed.
 *
 * Every event carries `customerVersion`: the profile's optimistic-locking version after the
 * change (1 on creation, +1 per change). Consumers keeping a copy apply an event only when its
 * `customerVersion` is higher than the one they hold, which makes out-of-order delivery harmless.
 */

const customerId = /* @__PURE__ */ pure(() => z.uuid().check(z.describe("The customer's id: the Cognito `sub` of the user, so it exists before the profile does.")));
const customerVersion = /* @__PURE__ */ pure(() =>
  z
    .int()
    .check(z.positive(), z.describe('Version of the customer profile after this change (1 on creation, +1 per change); apply only if newer than what you hold.')),
);

const email = /* @__PURE__ */ pure(() => z.email().check(z.maxLength(254), z.meta({ pii: 'email' })));
const personName = /* @__PURE__ */ pure(() => z.string().check(z.minLength(1), z.maxLength(100), z.meta({ pii: 'name' })));
const phoneNumber = /* @__PURE__ */ pure(() => z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, 'E.164 phone number'), z.meta({ pii: 'phone' })));
const locale = /* @__PURE__ */ pure(() => z.string().check(z.regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'BCP 47 language tag like en or pt-BR')));
// Open enums: values may be added within the version; readers see a value they do not know as
// Unrecognised instead of failing (docs/events.md, "The rule").
const title = /* @__PURE__ */ pure(() =>
  openEnum(['Mr', 'Mrs', 'Ms', 'Miss', 'Mx', 'Dr', 'Prof']).check(
    z.describe('Form of address; new values may be added (readers get unknown ones as unrecognised).'),
  ),
);
const maritalStatus = /* @__PURE__ */ pure(() =>
  openEnum(['single', 'married', 'civil-partnership', 'separated', 'divorced', 'widowed']).check(
    z.meta({ pii: 'other' }),
    z.describe('Marital status as the customer stated it; new values may be added (readers get unknown ones as unrecognised).'),
  ),
);
/** A text of `min`..`max` characters. */
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const address = /* @__PURE__ */ pure(() =>
  z
    .object({
      line1: text(1, 200).check(z.meta({ pii: 'address' })),
      line2: z.optional(text(1, 200)).check(z.meta({ pii: 'address' })),
      city: text(1, 100).check(z.meta({ pii: 'address' })),
      region: z.optional(text(1, 100)).check(z.meta({ pii: 'address' })),
      postalCode: z.optional(text(1, 20)).check(z.meta({ pii: 'address' })),
      country: z.string().check(z.regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 country code'), z.describe('ISO 3166-1 alpha-2, upper case.')),
    })
    .check(z.describe('Postal address.')),
);

/** One changed field: its value before and after; `null` means "not set". */
function change<T extends z.ZodMiniType>(value: T) {
  return z.object({ from: z.nullable(value), to: z.nullable(value) });
}

export const CustomerCreatedV1 = /* @__PURE__ */ pure(() =>
  declareEvent({
    source: 'kestrel.customers',
    detailType: 'CustomerCreated',
    version: 1,
    owner: 'customers',
    description:
      'A customer profile was created: after a user registered (one profile per user however often the registration is delivered) or by staff. New profiles are neither preferred nor delinquent.',
    data: z.object({
      customerId,
      customerVersion,
      email,
      givenName: z.optional(personName),
      familyName: z.optional(personName),
      phoneNumber: z.optional(phoneNumber),
      locale,
      origin: z
        .enum(['registration', 'staff', 'self-service'])
        .check(z.describe('How the profile came to exist: from identity\'s UserRegistered, created by staff, or by the customer through the API.')),
    }),
    example: {
      customerId: '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a',
      customerVersion: 1,
      email: 'ada@example.com',
      givenName: 'Ada',
      familyName: 'Lovelace',
      locale: 'en-GB',
      origin: 'registration',
    },
  }),
);

export const CustomerDetailsEditedV1 = /* @__PURE__ */ pure(() =>
  declareEvent({
    source: 'kestrel.customers',
    detailType: 'CustomerDetailsEdited',
    version: 1,
    owner: 'customers',
    description:
      'Personal details of a customer changed (title, names, phone, postal address, marital status). Lists only the fields that changed, each with its old and new value (null: not set).',
    data: z.object({
      customerId,
      customerVersion,
      changes: z
        .object({
          title: z.optional(change(title)),
          givenName: z.optional(change(personName)),
          familyName: z.optional(change(personName)),
          phoneNumber: z.optional(change(phoneNumber)),
          address: z.optional(change(address)),
          maritalStatus: z.optional(change(maritalStatus)),
        })
        .check(z.describe('At least one field; fields that did not change are absent.')),
    }),
    example: {
      customerId: '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a',
      customerVersion: 4,
      changes: {
        title: { from: 'Ms', to: 'Mrs' },
        familyName: { from: 'Byron', to: 'Lovelace' },
        maritalStatus: { from: 'single', to: 'married' },
        address: {
          from: null,
          to: { line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
        },
      },
    },
  }),
);

export const CustomerLocaleChangedV1 = /* @__PURE__ */ pure(() =>
  declareEvent({
    source: 'kestrel.customers',
    detailType: 'CustomerLocaleChanged',
    version: 1,
    owner: 'customers',
    description: 'A customer chose another locale for messages and documents.',
    data: z.object({
      customerId,
      customerVersion,
      previousLocale: locale,
      locale,
    }),
    example: {
      customerId: '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a',
      customerVersion: 2,
      previousLocale: 'en-GB',
      locale: 'fr-FR',
    },
  }),
);

export const CustomerPreferredStatusChangedV1 = /* @__PURE__ */ pure(() =>
  declareEvent({
    source: 'kestrel.customers',
    detailType: 'CustomerPreferredStatusChanged',
    version: 1,
    owner: 'customers',
    description:
      'Staff made a customer preferred or revoked it. A delinquent customer is never made preferred, so `preferred: true` implies the customer was not delinquent at that version.',
    data: z.object({
      customerId,
      customerVersion,
      preferred: z.boolean().check(z.describe('The status after the change.')),
    }),
    example: {
      customerId: '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a',
      customerVersion: 5,
      preferred: true,
    },
  }),
);

export const CustomerDelinquencyChangedV1 = /* @__PURE__ */ pure(() =>
  declareEvent({
    source: 'kestrel.customers',
    detailType: 'CustomerDelinquencyChanged',
    version: 1,
    owner: 'customers',
    description: 'A customer was marked delinquent (does not pay their bills) or the delinquency was cleared.',
    data: z.object({
      customerId,
      customerVersion,
      delinquent: z.boolean().check(z.describe('The status after the change.')),
      reason: z
        .optional(text(1, 500))
        .check(z.meta({ pii: 'other' }), z.describe('Why, as staff or billing recorded it; may mention personal circumstances.')),
    }),
    example: {
      customerId: '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a',
      customerVersion: 6,
      delinquent: true,
      reason: 'Invoice 2026-0113 unpaid after 60 days',
    },
  }),
);
