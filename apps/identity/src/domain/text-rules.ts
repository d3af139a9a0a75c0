/**
 * Rules for text that arrives from sign-up forms through Cognito: what a
 * name, an attribute value or a user name may contain. Hostile input
 * (control characters, bidirectional overrides, markup, overlong values) is
 * refused with a message naming the field, never echoed back.
 */
import { hasInvisibleOrControl as sharedHasInvisibleOrControl, isPersonName } from '@kestrel/contracts';
import { TriggerRejection } from './rejection';

/** Cognito's own limit on any attribute value. */
export const MAX_ATTRIBUTE_LENGTH = 2048;
/** Names are kept to what the event contracts accept. */
export const MAX_NAME_LENGTH = 100;
/** Cognito user names are at most 128 characters. */
export const MAX_USERNAME_LENGTH = 128;

// The platform's shared text rules (@kestrel/contracts text-rules), which customers and
// catalog apply too: controls, invisible and bidi formatting, separators, lone surrogates;
// a name is letters with their marks joined by spaces, apostrophes, hyphens or periods.

const LABELS: Record<string, string> = {
  given_name: 'first name',
  family_name: 'last name',
  name: 'name',
  middle_name: 'middle name',
  nickname: 'nickname',
  preferred_username: 'preferred user name',
};

/** The label a person recognises for an attribute (`given_name` → "first name"). */
export function fieldLabel(attribute: string): string {
  return LABELS[attribute] ?? attribute.replace(/^custom:/, '').replace(/_/g, ' ');
}

/** True when the text holds control, format (bidi, zero-width) or line-separator characters. */
export function hasInvisibleOrControl(text: string): boolean {
  return sharedHasInvisibleOrControl(text);
}

/**
 * Checks any attribute value: within Cognito's length limit and free of
 * control and invisible formatting characters.
 *
 * @example
 * checkAttributeValue('locale', 'en-GB'); // passes
 * checkAttributeValue('given_name', 'Ada\u202Eecila'); // throws TriggerRejection('Your first name contains characters that are not allowed.')
 */
export function checkAttributeValue(attribute: string, value: string): void {
  const label = fieldLabel(attribute);
  if (value.length > MAX_ATTRIBUTE_LENGTH) {
    throw new TriggerRejection(`Your ${label} is too long.`, attribute);
  }
  if (hasInvisibleOrControl(value)) {
    throw new TriggerRejection(`Your ${label} contains characters that are not allowed.`, attribute);
  }
}

/**
 * A person's name: 1 to 100 characters of letters, spaces, apostrophes,
 * hyphens and periods; no digits, markup or symbols. Returns it trimmed and
 * in Unicode NFC form.
 *
 * @example
 * personName('given_name', '  Zoë '); // 'Zoë'
 * personName('given_name', '<script>alert(1)</script>'); // throws: "Your first name can only contain letters, spaces, apostrophes, hyphens and periods."
 */
export function personName(attribute: string, raw: string): string {
  checkAttributeValue(attribute, raw);
  const label = fieldLabel(attribute);
  const value = raw.normalize('NFC').trim();
  if (value.length === 0) throw new TriggerRejection(`Your ${label} must not be empty.`, attribute);
  if (value.length > MAX_NAME_LENGTH) {
    throw new TriggerRejection(`Your ${label} must be at most ${MAX_NAME_LENGTH} characters long.`, attribute);
  }
  if (!isPersonName(value)) {
    throw new TriggerRejection(`Your ${label} can only contain letters, spaces, apostrophes, hyphens and periods.`, attribute);
  }
  return value;
}

/** A user name as Cognito passes it: at most 128 characters, no control or invisible characters. */
export function checkUserName(userName: string): void {
  if (userName.length === 0 || userName.length > MAX_USERNAME_LENGTH || hasInvisibleOrControl(userName)) {
    throw new TriggerRejection('The user name is not valid.', 'userName');
  }
}
