import { UserRegisteredV1 } from '@kestrel/contracts';
import { describe, expect, it } from 'vitest';
import { fromRegistration, UnusableRegistrationError } from '../../../src/domain/registration';

describe('fromRegistration', () => {
  it('turns the UserRegistered example into a CreateCustomer input with the user id as customer id', () => {
    const input = fromRegistration(UserRegisteredV1.example);

    expect(input).toEqual({
      customerId: UserRegisteredV1.example.userId,
      email: 'ada@example.com',
      givenName: 'Ada',
      familyName: 'Lovelace',
      locale: 'en-GB',
      origin: 'registration',
    });
  });

  it('trims names and leaves out optional values our rules refuse instead of blocking the profile', () => {
    const input = fromRegistration({ ...UserRegisteredV1.example, givenName: '  Ada ', familyName: 'Love\u0000lace', phoneNumber: '+44 20' });

    expect(input.givenName).toBe('Ada');
    expect(input).not.toHaveProperty('familyName');
    expect(input).not.toHaveProperty('phoneNumber');
  });

  it('fails, naming the fields, when the email or locale cannot be used', () => {
    expect(() => fromRegistration({ ...UserRegisteredV1.example, email: 'not-an-email', locale: 'english' })).toThrow(UnusableRegistrationError);
    expect(() => fromRegistration({ ...UserRegisteredV1.example, email: 'not-an-email', locale: 'english' })).toThrow(/email, locale/);
  });
});
