import { describe, expect, it } from 'vitest';
import { checkEmailDomain, maskEmail, normalizeEmail, parseDomainList, validEmail } from '../../src/domain/email';
import { decideSignUp, readProfile } from '../../src/domain/profile';
import { TriggerRejection } from '../../src/domain/rejection';
import { personName } from '../../src/domain/text-rules';

function rejection(run: () => unknown): TriggerRejection {
  try {
    run();
  } catch (error) {
    if (error instanceof TriggerRejection) return error;
    throw error;
  }
  throw new Error('expected a TriggerRejection');
}

describe('email', () => {
  it('normalises case and surrounding space', () => {
    // prepare
    const raw = '  Ada.Lovelace+Kestrel@Example.COM ';
    // act
    const email = validEmail(raw);
    // assess
    expect(email).toBe('ada.lovelace+kestrel@example.com');
    expect(normalizeEmail('Ame\u0301lie@B.CO')).toBe('am\u00e9lie@b.co');
  });

  it('refuses non-ASCII addresses, which the UserRegistered contract would refuse downstream', () => {
    expect(rejection(() => validEmail('amélie@example.com')).message).toBe('Please enter a valid email address.');
  });

  it.each([
    ['ada@', 'Please enter a valid email address.'],
    ['not an email', 'Please enter a valid email address.'],
    [`${'a'.repeat(65)}@example.com`, 'Please enter a valid email address.'],
    [`ada@${'x'.repeat(250)}.com`, 'Your email address is too long.'],
    ['ada\u0000@example.com', 'Please enter a valid email address.'],
    ['ada@exa\u202Emple.com', 'Please enter a valid email address.'],
  ])('refuses %j with a message a person understands', (raw, message) => {
    expect(rejection(() => validEmail(raw))).toMatchObject({ message, field: 'email' });
  });

  it('blocks disposable domains and their subdomains, and configured domains', () => {
    expect(rejection(() => checkEmailDomain('ada@mailinator.com', [])).message).toMatch(/disposable email services are not accepted/);
    expect(rejection(() => checkEmailDomain('ada@eu.mailinator.com', [])).message).toMatch(/disposable/);
    expect(rejection(() => checkEmailDomain('ada@spam.example', ['spam.example'])).message).toBe('Sign-ups with this email domain are not accepted.');
    expect(() => checkEmailDomain('ada@notmailinator.com', [])).not.toThrow();
    expect(() => checkEmailDomain('ada@example.com', ['spam.example'])).not.toThrow();
  });

  it('parses the configured denylist and refuses entries that are not domains', () => {
    expect(parseDomainList(' spam.example,\nAbuse.Example  ,, ')).toEqual(['spam.example', 'abuse.example']);
    expect(parseDomainList(undefined)).toEqual([]);
    expect(() => parseDomainList('spam.example, not a domain!')).toThrow(/not domain names: not, a, domain!/);
  });

  it('masks an address for display', () => {
    expect(maskEmail('ada@example.com')).toBe('a•••@example.com');
    expect(maskEmail('nobody')).toBe('•••');
  });
});

describe('names', () => {
  it.each(['Ada', 'Zoë', "O'Brien", 'Jean-Luc', 'J. R. R.', '渡辺', 'Nguyễn Văn'])('accepts %j', (name) => {
    expect(personName('given_name', name)).toBe(name.normalize('NFC'));
  });

  it.each([
    ['<script>alert(1)</script>', 'can only contain letters'],
    ['Ada<img src=x onerror=alert(1)>', 'can only contain letters'],
    ['Robert"); DROP TABLE', 'can only contain letters'],
    ['Ada1', 'can only contain letters'],
    ['Ada\u202Eecila', 'contains characters that are not allowed'],
    ['Ada\u200B', 'contains characters that are not allowed'],
    ['Ada\nLovelace', 'contains characters that are not allowed'],
    ['   ', 'must not be empty'],
    ['A'.repeat(101), 'at most 100 characters'],
    ['A'.repeat(3000), 'is too long'],
    ['--', 'can only contain letters'],
  ])('refuses %j', (name, message) => {
    expect(rejection(() => personName('given_name', name))).toMatchObject({ field: 'given_name' });
    expect(rejection(() => personName('given_name', name)).message).toContain(message);
    expect(rejection(() => personName('given_name', name)).message).toMatch(/^Your first name/);
  });
});

describe('profile and sign-up policy', () => {
  it('reads a clean profile with defaults', () => {
    expect(readProfile({ email: 'Ada@Example.com', given_name: ' Ada ' })).toEqual({ email: 'ada@example.com', givenName: 'Ada', locale: 'en' });
    expect(readProfile({ email: 'a@example.com', phone_number: '+447700900123', locale: 'pt-BR' })).toEqual({
      email: 'a@example.com',
      phoneNumber: '+447700900123',
      locale: 'pt-BR',
    });
  });

  it.each([
    [{ given_name: 'Ada' }, 'An email address is required.', 'email'],
    [{ email: 'a@example.com', phone_number: '07700 900123' }, 'international format', 'phone_number'],
    [{ email: 'a@example.com', locale: 'english' }, 'language setting is not valid', 'locale'],
    [{ email: 'a@example.com', 'custom:nickname': 'x'.repeat(2049) }, 'is too long', 'custom:nickname'],
    [{ email: 'a@example.com', address: 'Main St\u0007' }, 'not allowed', 'address'],
  ])('refuses %j naming the field', (attributes, message, field) => {
    const error = rejection(() => readProfile(attributes as Record<string, string>));
    expect(error.message).toContain(message);
    expect(error.field).toBe(field);
  });

  it('lets only administrators set the account origin', () => {
    const attributes = { email: 'ada@example.com', 'custom:origin': 'migration' };
    expect(rejection(() => decideSignUp('sign-up', attributes, { blockedDomains: [] })).field).toBe('custom:origin');
    expect(decideSignUp('admin-create-user', attributes, { blockedDomains: [] }).email).toBe('ada@example.com');
  });
});
