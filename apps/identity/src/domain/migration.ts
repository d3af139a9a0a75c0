/**
 * User migration: a person from the legacy store signs in (or asks to reset
 * their password) and Cognito, not knowing them, asks us. We answer with the
 * attributes to create them with, or the same refusal whether the user is
 * unknown or the password is wrong (Cognito itself hides which, with
 * PreventUserExistenceErrors).
 */
import * as z from 'zod/mini';
import { DUMMY_SCRYPT_HASH, parseScryptHash, verifyScryptPassword } from './legacy-password';
import type { ScryptHash } from './legacy-password';
import { ORIGIN_ATTRIBUTE } from './profile';
import { TriggerRejection } from './rejection';
import { personName } from './text-rules';

/** A user of the legacy store, as its export holds them. */
export const legacyUserSchema = z.object({
  email: z.email(),
  passwordHash: z.string().check(z.minLength(1)),
  givenName: z.optional(z.string().check(z.maxLength(200))),
  familyName: z.optional(z.string().check(z.maxLength(200))),
  locale: z.optional(z.string().check(z.regex(/^[a-z]{2,3}(-[A-Z]{2})?$/))),
  emailVerified: z.boolean(),
});
export type LegacyUser = z.infer<typeof legacyUserSchema>;

/** One refusal for every failure: unknown user, wrong password, unusable record. */
export const MIGRATION_REFUSAL = 'Incorrect username or password.';
export const MAX_PASSWORD_LENGTH = 256;

export interface MigrationAnswer {
  userAttributes: Record<string, string>;
  finalUserStatus?: 'CONFIRMED';
  messageAction: 'SUPPRESS';
}

function attributesOf(user: LegacyUser): Record<string, string> {
  const attributes: Record<string, string> = {
    email: user.email,
    email_verified: String(user.emailVerified),
    [ORIGIN_ATTRIBUTE]: 'migration',
  };
  // Legacy names were never validated; bring across only the ones our rules accept.
  for (const [attribute, value] of [
    ['given_name', user.givenName],
    ['family_name', user.familyName],
  ] as const) {
    if (value === undefined) continue;
    try {
      attributes[attribute] = personName(attribute, value);
    } catch {
      // dropped: the user can set it again in the app
    }
  }
  if (user.locale) attributes.locale = user.locale;
  return attributes;
}

/**
 * Sign-in migration: verify the password against the legacy hash, then
 * create the user confirmed, without a welcome message (they already know us).
 * Always spends one scrypt verification, found or not.
 */
export async function migrateOnSignIn(user: LegacyUser | undefined, password: string): Promise<MigrationAnswer> {
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) throw new TriggerRejection(MIGRATION_REFUSAL);
  let stored: ScryptHash = DUMMY_SCRYPT_HASH;
  let usable = false;
  if (user !== undefined) {
    try {
      stored = parseScryptHash(user.passwordHash);
      usable = true;
    } catch {
      usable = false;
    }
  }
  const matches = await verifyScryptPassword(password, stored);
  if (!user || !usable || !matches) throw new TriggerRejection(MIGRATION_REFUSAL);
  return { userAttributes: attributesOf(user), finalUserStatus: 'CONFIRMED', messageAction: 'SUPPRESS' };
}

/**
 * Forgot-password migration: no password to check; create the user in
 * RESET_REQUIRED (Cognito's default here) so the reset code confirms them.
 * Cognito sends the reset code itself, so no welcome message either.
 */
export function migrateOnForgotPassword(user: LegacyUser | undefined): MigrationAnswer {
  if (!user) throw new TriggerRejection(MIGRATION_REFUSAL);
  return { userAttributes: attributesOf(user), messageAction: 'SUPPRESS' };
}
