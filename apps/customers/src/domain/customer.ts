import * as z from 'zod/mini';
import { pure, isoDateTime } from '@kestrel/contracts';
import { MARITAL_STATUSES, ORIGINS, TITLES, type Address, type MaritalStatus, type Origin, type Title } from './values';

/**
 * The customer aggregate: one profile per user. `version` is the optimistic-locking counter
 * (1 on creation, +1 per change that writes); it travels as the HTTP `ETag` and as
 * `customerVersion` in every event.
 */
export interface Customer {
  readonly customerId: string;
  readonly version: number;
  readonly email: string;
  readonly title?: Title;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly phoneNumber?: string;
  readonly address?: Address;
  readonly maritalStatus?: MaritalStatus;
  readonly locale: string;
  readonly preferred: boolean;
  /** When the customer last became preferred; present exactly while `preferred`. */
  readonly preferredSince?: string;
  readonly delinquent: boolean;
  /** Why the customer is delinquent; present only while `delinquent`. */
  readonly delinquencyReason?: string;
  readonly origin: Origin;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The personal details `EditCustomerDetails` changes (everything a person may correct about themselves). */
export const DETAIL_FIELDS = ['title', 'givenName', 'familyName', 'phoneNumber', 'address', 'maritalStatus'] as const;
export type DetailField = (typeof DETAIL_FIELDS)[number];

const storedText = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

/**
 * The stored shape of a customer profile (without `version`, which the table keeps itself).
 * Read back from DynamoDB and validated on every read; no transforms, the values are already canonical.
 */
export const storedCustomerSchema = /* @__PURE__ */ pure(() =>
  z.object({
    customerId: z.uuid(),
    email: z.email().check(z.maxLength(254)),
    title: z.optional(z.enum(TITLES)),
    givenName: z.optional(storedText(100)),
    familyName: z.optional(storedText(100)),
    phoneNumber: z.optional(z.string().check(z.regex(/^\+[1-9]\d{6,14}$/))),
    address: z.optional(
      z.object({
        line1: storedText(200),
        line2: z.optional(storedText(200)),
        city: storedText(100),
        region: z.optional(storedText(100)),
        postalCode: z.optional(storedText(20)),
        country: z.string().check(z.regex(/^[A-Z]{2}$/)),
      }),
    ),
    maritalStatus: z.optional(z.enum(MARITAL_STATUSES)),
    locale: z.string().check(z.regex(/^[a-z]{2,3}(-[A-Z]{2})?$/)),
    preferred: z.boolean(),
    preferredSince: z.optional(isoDateTime()),
    delinquent: z.boolean(),
    delinquencyReason: z.optional(storedText(500)),
    origin: z.enum(ORIGINS),
    createdAt: isoDateTime(),
    updatedAt: isoDateTime(),
  }),
);
export type StoredCustomer = z.output<typeof storedCustomerSchema>;

/** Splits the version off for storage. */
export function withoutVersion(customer: Customer): StoredCustomer {
  const { version: _version, ...stored } = customer;
  return stored;
}
