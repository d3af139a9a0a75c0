import * as z from 'zod/mini';
import { isoDateTime } from '../iso-datetime';
import { pure } from '../pure';
import { declareEvent } from '../define-event';

/**
 * Events published by the identity context (Cognito user pool and its triggers).
 * The user's Cognito `sub` is the customer id everywhere else: it exists before
 * any profile does, and tokens carry it as the `customerId` claim.
 */

const cognitoSub = /* @__PURE__ */ pure(() => z.uuid().check(z.describe('The Cognito `sub` of the user: stable, never reused.')));

export const UserRegisteredV1 = /* @__PURE__ */ pure(() =>
  declareEvent({
    source: 'kestrel.identity',
    detailType: 'UserRegistered',
    version: 1,
    owner: 'identity',
    description:
      'A person confirmed their sign-up (Cognito post-confirmation). Published once per user, keyed by `userId`, however often Cognito retries the trigger.',
    data: z.object({
      userId: cognitoSub,
      email: z.email().check(z.maxLength(254), z.meta({ pii: 'email' }), z.describe('Normalized (lower-case, trimmed) email address; the username.')),
      givenName: z.optional(z.string().check(z.minLength(1), z.maxLength(100))).check(z.meta({ pii: 'name' })),
      familyName: z.optional(z.string().check(z.minLength(1), z.maxLength(100))).check(z.meta({ pii: 'name' })),
      phoneNumber: z.optional(z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, 'E.164 phone number'))).check(z.meta({ pii: 'phone' })),
      locale: z.string().check(z.regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'BCP 47 language tag like en or pt-BR'), z.describe('Preferred locale for messages.')),
      registeredAt: isoDateTime().check(z.describe('When Cognito confirmed the user (ISO-8601 UTC).')),
      origin: z.enum(['sign-up', 'admin', 'migration']).check(z.describe('How the account came to exist.')),
    }),
    example: {
      userId: '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a',
      email: 'ada@example.com',
      givenName: 'Ada',
      familyName: 'Lovelace',
      locale: 'en-GB',
      registeredAt: '2026-01-15T09:30:00.000Z',
      origin: 'sign-up',
    },
  }),
);

export const UserSignedInV1 = /* @__PURE__ */ pure(() =>
  declareEvent({
    source: 'kestrel.identity',
    detailType: 'UserSignedIn',
    version: 1,
    owner: 'identity',
    description: 'A user signed in successfully (Cognito post-authentication). Carries no credentials and no personal data beyond the user id.',
    data: z.object({
      userId: cognitoSub,
      clientId: z.string().check(z.minLength(1), z.maxLength(128), z.describe('The app client the user signed in through.')),
      method: z.enum(['password', 'one-time-code', 'migration']).check(z.describe('How the user proved who they are.')),
      signedInAt: isoDateTime(),
    }),
    example: {
      userId: '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a',
      clientId: '6p5k3o0mobileapp1example',
      method: 'password',
      signedInAt: '2026-01-15T09:31:02.000Z',
    },
  }),
);
