/**
 * Post authentication: audit the sign-in and tell the platform (UserSignedIn,
 * through the outbox, in the same transaction as the audit item). Users who
 * did not come through sign-up — migrated from the legacy store or invited by
 * staff (`custom:origin`) — are registered here on their first sign-in, with
 * the same once-per-sub guarantee as post confirmation.
 *
 * Cognito's event does not say how the user proved who they are; a
 * one-time-code challenge answered in the last minutes means the code, the
 * first sign-in of a migrated user means migration, anything else a password.
 */
import { withObservability } from '@kestrel/observability';
import { accountOrigin } from '../domain/profile';
import { registrationOf, userSub } from '../domain/registration';
import { checkUserName } from '../domain/text-rules';
import { postAuthenticationEvent } from '../adapters/cognito-events';
import { documentClient } from '../adapters/aws-clients';
import { CognitoGroupMembership, CUSTOMERS_GROUP } from '../adapters/cognito-groups';
import type { GroupMembership } from '../adapters/cognito-groups';
import { IdentityTable } from '../adapters/identity-table';
import type { SignInMethod } from '../adapters/identity-table';
import { SignInGuardTable } from '../adapters/sign-in-guard-table';
import { lazy } from '../adapters/lazy';
import { cognitoTrigger, requiredEnv } from '../adapters/trigger-runtime';
import type { TriggerOptions } from '../adapters/trigger-runtime';

/** How recent an answered challenge must be to count as this sign-in's proof. */
export const CODE_SIGN_IN_WINDOW_SECONDS = 300;

export interface PostAuthenticationDependencies {
  table: IdentityTable;
  guards: SignInGuardTable;
  groups: GroupMembership;
}

export function createHandler(dependencies: () => PostAuthenticationDependencies, options: TriggerOptions = {}) {
  return cognitoTrigger('PostAuthentication', postAuthenticationEvent, async (event, { now, eventIds }) => {
    checkUserName(event.userName);
    const attributes = event.request.userAttributes;
    const userId = userSub(attributes);
    const { table, guards, groups } = dependencies();

    let method: SignInMethod = 'password';
    // A sign-in is its own flow, except the first one of a migrated or invited user: that belongs to their registration.
    let flowId: string | undefined;
    const origin = accountOrigin(attributes);
    if (origin !== 'sign-up' && !(await table.isRegistered(userId))) {
      await groups.addToGroup({ userPoolId: event.userPoolId, userName: event.userName, group: CUSTOMERS_GROUP });
      flowId = `user-${userId}`;
      await table.registerOnce(registrationOf(attributes, now, origin), eventIds(flowId));
      if (origin === 'migration') method = 'migration';
    }
    if (method === 'password') {
      const challenge = await guards.challenge(event.userName);
      const answeredAt = challenge?.answeredAt ? Date.parse(challenge.answeredAt) : Number.NaN;
      if (now.getTime() - answeredAt <= CODE_SIGN_IN_WINDOW_SECONDS * 1000) method = 'one-time-code';
    }

    await table.recordSignIn(
      { userId, clientId: event.callerContext.clientId ?? 'none', method, newDevice: event.request.newDeviceUsed === true, signedInAt: now.toISOString() },
      eventIds(flowId),
    );
    return {};
  }, options);
}

export const handler = withObservability(
  createHandler(
    lazy(() => {
      const documents = documentClient();
      const tableName = requiredEnv('TABLE_NAME_IDENTITY');
      return { table: new IdentityTable(documents, tableName), guards: new SignInGuardTable(documents, tableName), groups: new CognitoGroupMembership() };
    }),
  ),
  { service: 'identity', functionName: 'cognito-post-authentication' },
);
