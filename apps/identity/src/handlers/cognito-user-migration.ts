/**
 * User migration: a sign-in or forgot-password for a user name the pool does
 * not know. If the legacy store knows the email (and, on sign-in, the
 * password matches its scrypt hash), Cognito creates the user with the
 * attributes we return — `custom:origin=migration`, so post authentication or
 * post confirmation registers them. Every refusal is the same
 * "Incorrect username or password." after the same amount of work.
 */
import { withObservability } from '@kestrel/observability';
import { normalizeEmail } from '../domain/email';
import { migrateOnForgotPassword, migrateOnSignIn, MIGRATION_REFUSAL } from '../domain/migration';
import { TriggerRejection } from '../domain/rejection';
import { hasInvisibleOrControl } from '../domain/text-rules';
import { userMigrationEvent } from '../adapters/cognito-events';
import { documentClient } from '../adapters/aws-clients';
import { LegacyUsersTable } from '../adapters/legacy-users';
import { lazy } from '../adapters/lazy';
import { cognitoTrigger, requiredEnv, SIGN_IN_ANSWER_FLOOR_MS } from '../adapters/trigger-runtime';
import type { TriggerOptions } from '../adapters/trigger-runtime';

export function createHandler(legacy: () => LegacyUsersTable, options: TriggerOptions = {}) {
  return cognitoTrigger('UserMigration', userMigrationEvent, async (event) => {
    // The user typed this; anything that cannot be an email address is simply not a legacy user.
    const email = event.userName.length <= 254 && !hasInvisibleOrControl(event.userName) ? normalizeEmail(event.userName) : undefined;
    const user = email ? await legacy().find(email) : undefined;
    if (event.triggerSource === 'UserMigration_ForgotPassword') return migrateOnForgotPassword(user);
    const password = event.request.password;
    if (typeof password !== 'string') throw new TriggerRejection(MIGRATION_REFUSAL);
    return migrateOnSignIn(user, password);
  }, { answerFloorMs: SIGN_IN_ANSWER_FLOOR_MS, ...options });
}

export const handler = withObservability(
  createHandler(lazy(() => new LegacyUsersTable(documentClient(), requiredEnv('TABLE_NAME_LEGACY_USERS')))),
  { service: 'identity', functionName: 'cognito-user-migration' },
);
