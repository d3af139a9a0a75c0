/**
 * Email addresses: validation, normalisation and the sign-up domain policy.
 * The normalised form (trimmed, NFC, lower-case) is what the rest of the
 * platform sees (`UserRegistered.email`); the pool compares user names
 * case-insensitively, so `Ada@Example.com` and `ada@example.com` are one user.
 */
import * as z from 'zod/mini';
import { TriggerRejection } from './rejection';
import { hasInvisibleOrControl } from './text-rules';

export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
// The same check the event contracts use, so an address we accept is one consumers accept.
const emailSchema = z.email();

/**
 * Disposable-address services refused at sign-up whatever the configuration says.
 * Kept short on purpose: the configurable denylist (`BLOCKED_EMAIL_DOMAINS`) is
 * where operations add domains seen in abuse.
 */
export const DISPOSABLE_EMAIL_DOMAINS: readonly string[] = [
  '10minutemail.com',
  'dispostable.com',
  'emailondeck.com',
  'fakeinbox.com',
  'getnada.com',
  'guerrillamail.com',
  'maildrop.cc',
  'mailinator.com',
  'mintemail.com',
  'sharklasers.com',
  'temp-mail.org',
  'tempmail.com',
  'throwawaymail.com',
  'trashmail.com',
  'yopmail.com',
];

/**
 * The canonical form of an address: trimmed, Unicode NFC, lower-case.
 *
 * @example
 * normalizeEmail('  Ada.Lovelace@Example.COM '); // 'ada.lovelace@example.com'
 */
export function normalizeEmail(raw: string): string {
  return raw.normalize('NFC').trim().toLowerCase();
}

/**
 * Validates an address and returns its normalised form; the rejection says
 * what is wrong in words a person understands.
 *
 * @example
 * validEmail('Ada@Example.com'); // 'ada@example.com'
 * validEmail('ada@'); // throws TriggerRejection('Please enter a valid email address.')
 */
export function validEmail(raw: string): string {
  if (raw.length > MAX_EMAIL_LENGTH + 16 || hasInvisibleOrControl(raw)) {
    throw new TriggerRejection('Please enter a valid email address.', 'email');
  }
  const email = normalizeEmail(raw);
  if (email.length > MAX_EMAIL_LENGTH) throw new TriggerRejection('Your email address is too long.', 'email');
  const at = email.lastIndexOf('@');
  if (at < 1 || at > MAX_LOCAL_PART_LENGTH || !emailSchema.safeParse(email).success) {
    throw new TriggerRejection('Please enter a valid email address.', 'email');
  }
  return email;
}

/** The domain part of a normalised address. */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

/**
 * Parses the configured denylist: domains separated by commas, spaces or new
 * lines; blank entries ignored; each lower-cased. Entries that are not domain
 * names are reported, so a typo in configuration fails loudly at cold start.
 *
 * @example
 * parseDomainList('spam.example, Abuse.Example'); // ['spam.example', 'abuse.example']
 */
export function parseDomainList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const domains = raw
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
  const invalid = domains.filter((domain) => !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domain));
  if (invalid.length > 0) throw new Error(`BLOCKED_EMAIL_DOMAINS holds entries that are not domain names: ${invalid.join(', ')}`);
  return domains;
}

/** A blocked domain matches itself and every subdomain: `mailinator.com` blocks `eu.mailinator.com`. */
function matchesDomain(domain: string, blocked: string): boolean {
  return domain === blocked || domain.endsWith(`.${blocked}`);
}

/**
 * Refuses addresses at disposable or denylisted domains.
 *
 * @example
 * checkEmailDomain('ada@mailinator.com', []); // throws: "Please use a permanent email address; disposable email services are not accepted."
 * checkEmailDomain('ada@spam.example', ['spam.example']); // throws: "Sign-ups with this email domain are not accepted."
 */
export function checkEmailDomain(email: string, denylist: readonly string[]): void {
  const domain = emailDomain(email);
  if (DISPOSABLE_EMAIL_DOMAINS.some((blocked) => matchesDomain(domain, blocked))) {
    throw new TriggerRejection('Please use a permanent email address; disposable email services are not accepted.', 'email');
  }
  if (denylist.some((blocked) => matchesDomain(domain, blocked))) {
    throw new TriggerRejection('Sign-ups with this email domain are not accepted.', 'email');
  }
}

/**
 * A masked address for "we sent a code to a•••@example.com": first character
 * of the local part, the domain in full.
 *
 * @example
 * maskEmail('ada@example.com'); // 'a•••@example.com'
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${email.slice(0, 1)}•••${email.slice(at)}`;
}
