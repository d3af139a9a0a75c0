import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { legacyUsers, LegacyUsersTable } from '../../src/adapters/legacy-users';
import { hashLegacyPassword } from '../../src/domain/legacy-password';
import { createHandler } from '../../src/handlers/cognito-user-migration';
import * as events from '../fixtures/cognito-events';
import { createIdentityTables } from './support';
import type { IdentityTables } from './support';

let tables: IdentityTables;
let handler: ReturnType<typeof createHandler>;
const PASSWORD = 'Tr0ub4dor&3 horse';

beforeAll(async () => {
  tables = await createIdentityTables();
  // The production cost (N=16384, r=8, p=1), as the legacy store hashed them.
  const legacy = [
    { email: 'grace@example.com', passwordHash: await hashLegacyPassword(PASSWORD, randomBytes(16)), givenName: 'Grace', familyName: 'Hopper', locale: 'en-US', emailVerified: true },
    { email: 'broken@example.com', passwordHash: 'md5$5f4dcc3b5aa765d61d8327deb882cf99', emailVerified: true },
  ];
  for (const user of legacy) await tables.documents.send(new PutCommand({ TableName: tables.legacy.tableName, Item: legacyUsers.toItem(user) }));
  handler = createHandler(() => new LegacyUsersTable(tables.documents, tables.legacy.tableName), { log: () => undefined });
});
afterAll(() => tables.delete());

describe('user migration', () => {
  it('migrates a legacy user on sign-in with their password: confirmed, silent, marked as migrated', async () => {
    // act (the user types their email with different case)
    const result = await handler(events.userMigration('Grace@Example.com', PASSWORD));
    // assess
    expect(result.response).toEqual({
      userAttributes: { email: 'grace@example.com', email_verified: 'true', 'custom:origin': 'migration', given_name: 'Grace', family_name: 'Hopper', locale: 'en-US' },
      finalUserStatus: 'CONFIRMED',
      messageAction: 'SUPPRESS',
    });
  });

  it('answers a wrong password, an unknown user, an unusable hash and a non-email user name in the same words', async () => {
    const refusals = await Promise.all(
      [
        events.userMigration('grace@example.com', 'wrong password'),
        events.userMigration('nobody@example.com', PASSWORD),
        events.userMigration('broken@example.com', 'password'),
        events.userMigration('grace\u202E@example.com', PASSWORD),
        events.userMigration('grace@example.com', ''),
      ].map((event) => handler(event).catch((error: Error) => `${error.name}: ${error.message}`)),
    );
    expect(new Set(refusals)).toEqual(new Set(['Rejected: Incorrect username or password.']));
  });

  it('migrates on forgot-password without a password, leaving the reset to Cognito', async () => {
    const result = await handler(events.userMigration('grace@example.com', undefined, 'UserMigration_ForgotPassword'));
    expect(result.response).toEqual({
      userAttributes: { email: 'grace@example.com', email_verified: 'true', 'custom:origin': 'migration', given_name: 'Grace', family_name: 'Hopper', locale: 'en-US' },
      messageAction: 'SUPPRESS',
    });
    await expect(handler(events.userMigration('nobody@example.com', undefined, 'UserMigration_ForgotPassword'))).rejects.toThrow('Incorrect username or password.');
  });

  it('refuses a sign-in migration event without a password and an overlong one', async () => {
    await expect(handler(events.userMigration('grace@example.com', undefined))).rejects.toThrow('Incorrect username or password.');
    await expect(handler(events.userMigration('grace@example.com', 'x'.repeat(5000)))).rejects.toThrow(/^Invalid request: request\.password: Too big/);
  });
});
