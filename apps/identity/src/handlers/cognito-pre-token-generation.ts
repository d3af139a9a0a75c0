/**
 * Pre token generation (V2 event): adds `customerId` (the sub) and `roles`
 * (from the user's groups) to both the ID and the access token; the other
 * services' HTTP API authorizers and handlers read them.
 *
 * The pool is configured for V2_0 events in every environment. cognito-local
 * (the local cloud) sends V1-shaped events (`response.claimsOverrideDetails`,
 * ID token only, no groups); those get a V1-shaped answer with the same claims
 * so local tokens carry them too.
 */
import { kestrelClaims } from '../domain/claims';
import { userSub } from '../domain/registration';
import { preTokenGenerationEvent } from '../adapters/cognito-events';
import type { PreTokenGenerationEvent } from '../adapters/cognito-events';
import { cognitoTrigger } from '../adapters/trigger-runtime';

/** V2 and V3 events carry `version` "2"/"3" and expect `claimsAndScopeOverrideDetails`. */
function isV1(event: PreTokenGenerationEvent): boolean {
  return !['2', '3'].includes(event.version) && event.response !== null && event.response !== undefined && 'claimsOverrideDetails' in event.response;
}

export const handler = cognitoTrigger('PreTokenGeneration', preTokenGenerationEvent, (event) => {
  const claims = kestrelClaims(userSub(event.request.userAttributes), event.request.groupConfiguration?.groupsToOverride ?? []);
  const claimsToAddOrOverride = { customerId: claims.customerId, roles: claims.roles };
  if (isV1(event)) return { claimsOverrideDetails: { claimsToAddOrOverride } };
  return {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: { claimsToAddOrOverride },
      accessTokenGeneration: { claimsToAddOrOverride },
    },
  };
});
