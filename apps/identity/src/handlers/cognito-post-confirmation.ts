/**
 * Post confirmation: the user is confirmed. Put them in the `customers` group
 * and record their registration with its UserRegistered outbox item, in one
 * conditional transaction keyed by their `sub`: Cognito may retry this
 * trigger up to three times, and the platform still hears about each person
 * once. Group membership first: adding again is harmless, and a failure
 * before the transaction leaves nothing half-done for the retry.
 */
import { withObservability } from '@kestrel/observability';
import { confirmationRegisters, registrationOf } from '../domain/registration';
import { postConfirmationEvent } from '../adapters/cognito-events';
import { documentClient } from '../adapters/aws-clients';
import { CognitoGroupMembership, CUSTOMERS_GROUP } from '../adapters/cognito-groups';
import type { GroupMembership } from '../adapters/cognito-groups';
import { IdentityTable } from '../adapters/identity-table';
import { lazy } from '../adapters/lazy';
import { cognitoTrigger, requiredEnv } from '../adapters/trigger-runtime';
import type { TriggerOptions } from '../adapters/trigger-runtime';

export interface PostConfirmationDependencies {
  table: IdentityTable;
  groups: GroupMembership;
}

export function createHandler(dependencies: () => PostConfirmationDependencies, options: TriggerOptions = {}) {
  return cognitoTrigger('PostConfirmation', postConfirmationEvent, async (event, { now, eventIds }) => {
    const source = event.triggerSource === 'PostConfirmation_ConfirmSignUp' ? 'confirm-sign-up' : 'confirm-forgot-password';
    const attributes = event.request.userAttributes;
    if (!confirmationRegisters(source, attributes)) return {};
    const registration = registrationOf(attributes, now);
    const { table, groups } = dependencies();
    await groups.addToGroup({ userPoolId: event.userPoolId, userName: event.userName, group: CUSTOMERS_GROUP });
    // The registration's flow is the user's: a Cognito retry (new request id) continues the same one.
    await table.registerOnce(registration, eventIds(`user-${registration.userId}`));
    return {};
  }, options);
}

export const handler = withObservability(
  createHandler(
    lazy(() => ({ table: new IdentityTable(documentClient(), requiredEnv('TABLE_NAME_IDENTITY')), groups: new CognitoGroupMembership() })),
  ),
  { service: 'identity', functionName: 'cognito-post-confirmation' },
);
