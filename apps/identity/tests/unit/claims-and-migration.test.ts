import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { kestrelClaims, rolesOf } from '../../src/domain/claims';
import { hashLegacyPassword, parseScryptHash, verifyScryptPassword } from '../../src/domain/legacy-password';
import { migrateOnForgotPassword, migrateOnSignIn, MIGRATION_REFUSAL } from '../../src/domain/migration';
import type { LegacyUser } from '../../src/domain/migration';
import { confirmationRegisters, registrationOf } from '../../src/domain/registration';

const SUB = '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a';
// Small scrypt cost keeps unit tests fast; the integration tests use the production cost.
const FAST = { N: 1024, r: 8, p: 1 };

describe('claims', () => {
  it('maps known groups to roles and ignores the rest', () => {
    expect(rolesOf(['staff', 'customers', 'beta-testers', 'customers'])).toEqual(['customer', 'staff']);
    expect(kestrelClaims(SUB, [])).toEqual({ customerId: SUB, roles: [] });
  });
});

describe('registration', () => {
  it('builds the UserRegistered data from attributes', () => {
    const data = registrationOf({ sub: SUB.toUpperCase(), email: 'Ada@Example.com', given_name: 'Ada', locale: 'de' }, new Date('2026-01-15T09:30:00Z'));
    expect(data).toEqual({ userId: SUB, email: 'ada@example.com', givenName: 'Ada', locale: 'de', registeredAt: '2026-01-15T09:30:00.000Z', origin: 'sign-up' });
  });

  it('registers on sign-up confirmation, and on password-reset confirmation only for migrated users', () => {
    expect(confirmationRegisters('confirm-sign-up', {})).toBe(true);
    expect(confirmationRegisters('confirm-forgot-password', {})).toBe(false);
    expect(confirmationRegisters('confirm-forgot-password', { 'custom:origin': 'migration' })).toBe(true);
  });

  it('refuses an account without a valid sub', () => {
    expect(() => registrationOf({ sub: 'not-a-uuid', email: 'a@example.com' }, new Date())).toThrow('The account has no valid user id.');
  });
});

describe('legacy passwords and migration', () => {
  it('verifies a scrypt hash in the legacy format, and only the right password', async () => {
    const stored = parseScryptHash(await hashLegacyPassword('correct horse battery staple', randomBytes(16), FAST));
    expect(await verifyScryptPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyScryptPassword('correct horse battery stapl', stored)).toBe(false);
  });

  it.each(['bcrypt$2b$10$abc', 'scrypt$1000$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', 'scrypt$1048576$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', 'scrypt$16384$8$1$$'])(
    'rejects the malformed or dangerous hash %j',
    (text) => {
      expect(() => parseScryptHash(text)).toThrow();
    },
  );

  it('migrates on sign-in with the right password, confirmed and silent, marked as migrated', async () => {
    const user: LegacyUser = { email: 'ada@example.com', passwordHash: await hashLegacyPassword('pa55word!', randomBytes(16), FAST), givenName: 'Ada', emailVerified: true };
    const answer = await migrateOnSignIn(user, 'pa55word!');
    expect(answer).toEqual({
      userAttributes: { email: 'ada@example.com', email_verified: 'true', 'custom:origin': 'migration', given_name: 'Ada' },
      finalUserStatus: 'CONFIRMED',
      messageAction: 'SUPPRESS',
    });
  });

  it('gives the same refusal for a wrong password, an unknown user, a broken hash and an absurd password', async () => {
    const user: LegacyUser = { email: 'ada@example.com', passwordHash: await hashLegacyPassword('pa55word!', randomBytes(16), FAST), emailVerified: true };
    await expect(migrateOnSignIn(user, 'wrong')).rejects.toThrow(MIGRATION_REFUSAL);
    await expect(migrateOnSignIn(undefined, 'pa55word!')).rejects.toThrow(MIGRATION_REFUSAL);
    await expect(migrateOnSignIn({ ...user, passwordHash: 'md5$abc' }, 'pa55word!')).rejects.toThrow(MIGRATION_REFUSAL);
    await expect(migrateOnSignIn(user, 'x'.repeat(257))).rejects.toThrow(MIGRATION_REFUSAL);
  });

  it('drops legacy names our rules refuse instead of failing the migration', () => {
    const answer = migrateOnForgotPassword({ email: 'ada@example.com', passwordHash: 'x', givenName: '<script>', familyName: 'Lovelace', emailVerified: false });
    expect(answer.userAttributes).toEqual({ email: 'ada@example.com', email_verified: 'false', 'custom:origin': 'migration', family_name: 'Lovelace' });
    expect(() => migrateOnForgotPassword(undefined)).toThrow(MIGRATION_REFUSAL);
  });
});
