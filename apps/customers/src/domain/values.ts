// The customer's value objects and their rules. Input schemas trim and canonicalise (what a
// person typed); the stored shape (customer.ts) repeats the constraints without transforms.
// The bounds match the event contracts in @kestrel/contracts, so every valid customer yields
// contract-valid events (a property test proves it).
import { lineText, personNameText, pure } from '@kestrel/contracts';
import * as z from 'zod/mini';

/** The user's Cognito `sub`: the customer id everywhere. */
export const customerIdSchema = /* @__PURE__ */ pure(() => z.uuid({ message: 'must be a UUID (the user id)' }));

// The platform's shared text rules (@kestrel/contracts text-rules): no control characters,
// invisible or bidi formatting, separators, lone surrogates or markup; names and addresses are
// printed on letters and shown in back-office screens.
function text(max: number) {
  return lineText({ max });
}

export const TITLES = ['Mr', 'Mrs', 'Ms', 'Miss', 'Mx', 'Dr', 'Prof'] as const;
export type Title = (typeof TITLES)[number];

export const MARITAL_STATUSES = ['single', 'married', 'civil-partnership', 'separated', 'divorced', 'widowed'] as const;
export type MaritalStatus = (typeof MARITAL_STATUSES)[number];

export const emailSchema = /* @__PURE__ */ pure(() =>
  z.pipe(
    z.string().check(z.trim(), z.toLowerCase(), z.maxLength(254, 'must be at most 254 characters')),
    z.email({ message: 'must be an email address' }),
  ),
);
export const personNameSchema = /* @__PURE__ */ pure(() => personNameText({ max: 100 }));
export const titleSchema = /* @__PURE__ */ pure(() => z.enum(TITLES, { message: `must be one of ${TITLES.join(', ')}` }));
export const maritalStatusSchema = /* @__PURE__ */ pure(() => z.enum(MARITAL_STATUSES, { message: `must be one of ${MARITAL_STATUSES.join(', ')}` }));
export const phoneNumberSchema = /* @__PURE__ */ pure(() => z.string().check(z.trim(), z.regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number like +442071234567')));
export const localeSchema = /* @__PURE__ */ pure(() => z.string().check(z.trim(), z.regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a BCP 47 language tag like en or pt-BR')));
export const delinquencyReasonSchema = /* @__PURE__ */ pure(() => text(500));

export const addressSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    line1: text(200),
    line2: z.optional(text(200)),
    city: text(100),
    region: z.optional(text(100)),
    postalCode: z.optional(text(20)),
    country: z.string().check(z.trim(), z.toUpperCase(), z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code like GB')),
  }),
);
export type Address = z.output<typeof addressSchema>;

/** How a profile came to exist (mirrors `CustomerCreated.origin`). */
export const ORIGINS = ['registration', 'staff', 'self-service'] as const;
export type Origin = (typeof ORIGINS)[number];
