/**
 * The person behind a Cognito user, read from its attributes with the same
 * rules everywhere: pre sign-up refuses what breaks them; later triggers use
 * them to build events.
 */
import { checkEmailDomain, validEmail } from './email';
import { TriggerRejection } from './rejection';
import { checkAttributeValue, personName } from './text-rules';

/** Cognito user attributes: every value is a string. */
export type UserAttributes = Readonly<Record<string, string>>;

/** Where an account came from; migrated and invited users carry it in `custom:origin`. */
export type AccountOrigin = 'sign-up' | 'admin' | 'migration';
export const ORIGIN_ATTRIBUTE = 'custom:origin';

export const DEFAULT_LOCALE = 'en';
const LOCALE = /^[a-z]{2,3}(-[A-Z]{2})?$/;
const E164 = /^\+[1-9]\d{6,14}$/;

export interface Profile {
  email: string;
  givenName?: string;
  familyName?: string;
  phoneNumber?: string;
  locale: string;
}

/**
 * Checks every attribute value (length, control characters), then reads the
 * profile: a valid email (normalised), names that are names, an E.164 phone
 * number, a BCP 47 locale (default `en`).
 *
 * @example
 * readProfile({ email: 'Ada@Example.com', given_name: 'Ada', locale: 'en-GB' });
 * // { email: 'ada@example.com', givenName: 'Ada', locale: 'en-GB' }
 */
export function readProfile(attributes: UserAttributes): Profile {
  for (const [name, value] of Object.entries(attributes)) checkAttributeValue(name, value);
  const rawEmail = attributes.email;
  if (rawEmail === undefined || rawEmail === '') throw new TriggerRejection('An email address is required.', 'email');
  const profile: Profile = { email: validEmail(rawEmail), locale: DEFAULT_LOCALE };
  if (attributes.given_name !== undefined) profile.givenName = personName('given_name', attributes.given_name);
  if (attributes.family_name !== undefined) profile.familyName = personName('family_name', attributes.family_name);
  if (attributes.name !== undefined) personName('name', attributes.name);
  if (attributes.phone_number !== undefined) {
    if (!E164.test(attributes.phone_number)) {
      throw new TriggerRejection('Please enter your phone number in international format, like +447700900123.', 'phone_number');
    }
    profile.phoneNumber = attributes.phone_number;
  }
  if (attributes.locale !== undefined) {
    if (!LOCALE.test(attributes.locale)) throw new TriggerRejection('The language setting is not valid; use a tag like en or pt-BR.', 'locale');
    profile.locale = attributes.locale;
  }
  return profile;
}

/** The account's origin from `custom:origin`; anything else (or nothing) is a self sign-up. */
export function accountOrigin(attributes: UserAttributes): AccountOrigin {
  const origin = attributes[ORIGIN_ATTRIBUTE];
  return origin === 'migration' || origin === 'admin' ? origin : 'sign-up';
}

export type SignUpSource = 'sign-up' | 'admin-create-user' | 'external-provider';

export interface SignUpPolicy {
  /** Extra domains refused at sign-up (configuration), on top of the built-in disposable list. */
  blockedDomains: readonly string[];
}

/**
 * Pre sign-up: the profile must read cleanly, the email domain must be
 * allowed, and only an administrator may set `custom:origin` (the mobile
 * app's client cannot write it, this is defence in depth).
 *
 * @example
 * decideSignUp('sign-up', { email: 'ada@example.com', given_name: 'Ada' }, { blockedDomains: [] }); // { email: 'ada@example.com', … }
 */
export function decideSignUp(source: SignUpSource, attributes: UserAttributes, policy: SignUpPolicy): Profile {
  const profile = readProfile(attributes);
  checkEmailDomain(profile.email, policy.blockedDomains);
  if (source !== 'admin-create-user' && attributes[ORIGIN_ATTRIBUTE] !== undefined) {
    throw new TriggerRejection('The sign-up request is not valid.', ORIGIN_ATTRIBUTE);
  }
  return profile;
}
