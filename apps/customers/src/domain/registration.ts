import type { NewCustomer } from './commands';
import { emailSchema, localeSchema, personNameSchema, phoneNumberSchema } from './values';

/** The facts of identity's `UserRegistered` this context uses (structurally its v1 `detail.data`). */
export interface Registration {
  readonly userId: string;
  readonly email: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly phoneNumber?: string;
  readonly locale: string;
}

/** A registration that cannot become a profile even after dropping the optional parts. */
export class UnusableRegistrationError extends Error {
  constructor(readonly fields: readonly string[]) {
    super(`Registration cannot become a customer profile: invalid ${fields.join(', ')}`);
    this.name = 'UnusableRegistrationError';
  }
}

/**
 * The `CreateCustomer` input for a registered user. The event already satisfied identity's
 * contract; this applies our own (stricter) rules: optional names or phone numbers that break
 * them are left out rather than blocking the profile, while a bad email or locale (which the
 * profile cannot do without) fails, so the event goes through retries to the DLQ.
 *
 * @example
 * ```ts
 * fromRegistration({ userId, email: 'ada@example.com', givenName: ' Ada ', locale: 'en-GB' });
 * // { customerId: userId, email: 'ada@example.com', givenName: 'Ada', locale: 'en-GB', origin: 'registration' }
 * ```
 */
export function fromRegistration(registration: Registration): NewCustomer {
  const email = emailSchema.safeParse(registration.email);
  const locale = localeSchema.safeParse(registration.locale);
  if (!email.success || !locale.success) {
    throw new UnusableRegistrationError([...(email.success ? [] : ['email']), ...(locale.success ? [] : ['locale'])]);
  }
  const optional = (key: 'givenName' | 'familyName' | 'phoneNumber', schema: typeof personNameSchema | typeof phoneNumberSchema) => {
    const value = registration[key];
    if (value === undefined) return {};
    const parsed = schema.safeParse(value);
    return parsed.success ? { [key]: parsed.data } : {};
  };
  return {
    customerId: registration.userId,
    email: email.data,
    ...optional('givenName', personNameSchema),
    ...optional('familyName', personNameSchema),
    ...optional('phoneNumber', phoneNumberSchema),
    locale: locale.data,
    origin: 'registration',
  };
}
