/**
 * Pre authentication: refuse sign-in while the account is suspended. One-time
 * code failures do not count here (create auth challenge refuses new codes
 * instead), so nobody can lock a user's password sign-in by guessing codes. A
 * user name Cognito does not know (`userNotFound`) gets the same lookup and
 * the same answers, so the trigger reveals nothing about who has an account.
 */
import { withObservability } from '@kestrel/observability';
import { enforceNotSuspended } from '../domain/sign-in-guard';
import { checkUserName } from '../domain/text-rules';
import { preAuthenticationEvent } from '../adapters/cognito-events';
import { documentClient } from '../adapters/aws-clients';
import { SignInGuardTable } from '../adapters/sign-in-guard-table';
import { lazy } from '../adapters/lazy';
import { cognitoTrigger, requiredEnv, SIGN_IN_ANSWER_FLOOR_MS } from '../adapters/trigger-runtime';
import type { TriggerOptions } from '../adapters/trigger-runtime';

export function createHandler(table: () => SignInGuardTable, options: TriggerOptions = {}) {
  return cognitoTrigger('PreAuthentication', preAuthenticationEvent, async (event, { now }) => {
    checkUserName(event.userName);
    enforceNotSuspended(await table().guardState(event.userName, now));
    return {};
  }, { answerFloorMs: SIGN_IN_ANSWER_FLOOR_MS, ...options });
}

export const handler = withObservability(
  createHandler(lazy(() => new SignInGuardTable(documentClient(), requiredEnv('TABLE_NAME_IDENTITY')))),
  { service: 'identity', functionName: 'cognito-pre-authentication' },
);
