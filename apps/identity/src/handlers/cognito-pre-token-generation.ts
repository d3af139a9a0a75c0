/**
 * Pre token generation (V2 event): adds `customerId` (the sub) and `roles`
 * (from the user's groups) to both the ID and the access token; the other
 * services' HTTP API authorizers and handlers read them.
 *
 * The pool is configured for V2_0 events in every environment (the local
 * cloud sends the V2 event too). A pool still on V1_0 sends V1-shaped events
 * (`response.claimsOverrideDetails`, ID token only); those get a V1-shaped
 * answer with the same claims.
 */
import { withObservability } from '@kestrel/observability';
import { kestrelClaims } from '../domain/claims';
import { userSub } from '../domain/registration';
import { preTokenGenerationEvent } from '../adapters/cognito-events';
import type { PreTokenGenerationEvent } from '../adapters/cognito-events';
import { cognitoTrigger } from '../adapters/trigger-runtime';
import type { TriggerOptions } from '../adapters/trigger-runtime';

/** V2 and V3 events carry `version` "2"/"3" and expect `claimsAndScopeOverrideDetails`. */
function isV1(event: PreTokenGenerationEvent): boolean {
  return !['2', '3'].includes(event.version) && event.response !== null && event.response !== undefined && 'claimsOverrideDetails' in event.response;
}

export function createHandler(options: TriggerOptions = {}) {
  return cognitoTrigger('PreTokenGeneration', preTokenGenerationEvent, (event) => {
    const claims = kestrelClaims(userSub(event.request.userAttributes), event.request.groupConfiguration?.groupsToOverride ?? []);
    const claimsToAddOrOverride = { customerId: claims.customerId, roles: claims.roles };
    if (isV1(event)) return { claimsOverrideDetails: { claimsToAddOrOverride } };
    return {
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride },
        accessTokenGeneration: { claimsToAddOrOverride },
      },
    };
  }, options);
}

export const handler = withObservability(createHandler(), { service: 'identity', functionName: 'cognito-pre-token-generation' });
