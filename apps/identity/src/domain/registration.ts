/**
 * "A person arrived": the UserRegistered fact, once per user. Cognito's `sub`
 * is the user's id here and the customer id everywhere else.
 */
import type { EventData } from '@kestrel/contracts';
import type { UserRegisteredV1 } from '@kestrel/contracts';
import { accountOrigin, readProfile } from './profile';
import type { AccountOrigin, UserAttributes } from './profile';
import { TriggerRejection } from './rejection';

export type UserRegistered = EventData<typeof UserRegisteredV1>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user's `sub`, checked: every event and key is built from it. */
export function userSub(attributes: UserAttributes): string {
  const sub = attributes.sub;
  if (sub === undefined || !UUID.test(sub)) throw new TriggerRejection('The account has no valid user id.', 'sub');
  return sub.toLowerCase();
}

/**
 * The registration of a confirmed user, from their attributes.
 *
 * @example
 * registrationOf({ sub, email: 'Ada@Example.com', given_name: 'Ada' }, new Date('2026-01-15T09:30:00Z'));
 * // { userId: sub, email: 'ada@example.com', givenName: 'Ada', locale: 'en', registeredAt: '2026-01-15T09:30:00.000Z', origin: 'sign-up' }
 */
export function registrationOf(attributes: UserAttributes, now: Date, origin: AccountOrigin = accountOrigin(attributes)): UserRegistered {
  const profile = readProfile(attributes);
  return {
    userId: userSub(attributes),
    email: profile.email,
    ...(profile.givenName !== undefined ? { givenName: profile.givenName } : {}),
    ...(profile.familyName !== undefined ? { familyName: profile.familyName } : {}),
    ...(profile.phoneNumber !== undefined ? { phoneNumber: profile.phoneNumber } : {}),
    locale: profile.locale,
    registeredAt: now.toISOString(),
    origin,
  };
}

export type ConfirmationSource = 'confirm-sign-up' | 'confirm-forgot-password';

/**
 * Whether a post-confirmation event registers the user: a confirmed sign-up
 * always does; a confirmed password reset only for a user migrated through
 * "forgot password" (their first confirmation in this pool).
 */
export function confirmationRegisters(source: ConfirmationSource, attributes: UserAttributes): boolean {
  return source === 'confirm-sign-up' || accountOrigin(attributes) === 'migration';
}
