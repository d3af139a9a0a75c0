import * as z from 'zod';
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

const customerId = z.uuid().describe("The customer's id: the Cognito `sub` of the user, so it exists before the profile does.");
const customerVersion = z
  .int()
  .positive()
  .describe('Version of the customer profile after this change (1 on creation, +1 per change); apply only if newer than what you hold.');

const email = z.email().max(254).meta({ pii: 'email' });
const personName = z.string().min(1).max(100).meta({ pii: 'name' });
const phoneNumber = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, 'E.164 phone number')
  .meta({ pii: 'phone' });
const locale = z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'BCP 47 language tag like en or pt-BR');
// Open enums: values may be added within the version; readers see a value they do not know as
// Unrecognised instead of failing (docs/events.md, "The rule").
const title = openEnum(['Mr', 'Mrs', 'Ms', 'Miss', 'Mx', 'Dr', 'Prof']).describe('Form of address; new values may be added (readers get unknown ones as unrecognised).');
const maritalStatus = openEnum(['single', 'married', 'civil-partnership', 'separated', 'divorced', 'widowed'])
  .meta({ pii: 'other' })
  .describe('Marital status as the customer stated it; new values may be added (readers get unknown ones as unrecognised).');
const address = z
  .object({
    line1: z.string().min(1).max(200).meta({ pii: 'address' }),
    line2: z.string().min(1).max(200).optional().meta({ pii: 'address' }),
    city: z.string().min(1).max(100).meta({ pii: 'address' }),
    region: z.string().min(1).max(100).optional().meta({ pii: 'address' }),
    postalCode: z.string().min(1).max(20).optional().meta({ pii: 'address' }),
    country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 country code').describe('ISO 3166-1 alpha-2, upper case.'),
  })
  .describe('Postal address.');

/** One changed field: its value before and after; `null` means "not set". */
function change<T extends z.ZodType>(value: T) {
  return z.object({ from: value.nullable(), to: value.nullable() });
}

export const CustomerCreatedV1 = declareEvent({
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
    givenName: personName.optional(),
    familyName: personName.optional(),
    phoneNumber: phoneNumber.optional(),
    locale,
    origin: z
      .enum(['registration', 'staff', 'self-service'])
      .describe('How the profile came to exist: from identity\'s UserRegistered, created by staff, or by the customer through the API.'),
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
});

export const CustomerDetailsEditedV1 = declareEvent({
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
        title: change(title).optional(),
        givenName: change(personName).optional(),
        familyName: change(personName).optional(),
        phoneNumber: change(phoneNumber).optional(),
        address: change(address).optional(),
        maritalStatus: change(maritalStatus).optional(),
      })
      .describe('At least one field; fields that did not change are absent.'),
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
});

export const CustomerLocaleChangedV1 = declareEvent({
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
});

export const CustomerPreferredStatusChangedV1 = declareEvent({
  source: 'kestrel.customers',
  detailType: 'CustomerPreferredStatusChanged',
  version: 1,
  owner: 'customers',
  description:
    'Staff made a customer preferred or revoked it. A delinquent customer is never made preferred, so `preferred: true` implies the customer was not delinquent at that version.',
  data: z.object({
    customerId,
    customerVersion,
    preferred: z.boolean().describe('The status after the change.'),
  }),
  example: {
    customerId: '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a',
    customerVersion: 5,
    preferred: true,
  },
});

export const CustomerDelinquencyChangedV1 = declareEvent({
  source: 'kestrel.customers',
  detailType: 'CustomerDelinquencyChanged',
  version: 1,
  owner: 'customers',
  description: 'A customer was marked delinquent (does not pay their bills) or the delinquency was cleared.',
  data: z.object({
    customerId,
    customerVersion,
    delinquent: z.boolean().describe('The status after the change.'),
    reason: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .meta({ pii: 'other' })
      .describe('Why, as staff or billing recorded it; may mention personal circumstances.'),
  }),
  example: {
    customerId: '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a',
    customerVersion: 6,
    delinquent: true,
    reason: 'Invoice 2026-0113 unpaid after 60 days',
  },
});
