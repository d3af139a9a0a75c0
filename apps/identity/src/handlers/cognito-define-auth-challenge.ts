/**
 * Define auth challenge: the passwordless sequence. One-time-code challenges
 * until one is answered (tokens) or three are wrong (failure); unknown users
 * go through the same steps. Where the pool requires MFA the stack sets
 * `PASSWORDLESS_SIGN_IN=disabled` and every custom sign-in fails: Cognito
 * would issue tokens without the second factor.
 */
import { withObservability } from '@kestrel/observability';
import { defineNextStep } from '../domain/one-time-code';
import { defineAuthChallengeEvent } from '../adapters/cognito-events';
import { cognitoTrigger } from '../adapters/trigger-runtime';
import type { TriggerOptions } from '../adapters/trigger-runtime';

export function createHandler(options: TriggerOptions & { passwordless?: boolean } = {}) {
  const passwordless = options.passwordless ?? true;
  return cognitoTrigger('DefineAuthChallenge', defineAuthChallengeEvent, (event) => defineNextStep(event.request.session, { passwordless }), options);
}

export const handler = withObservability(createHandler({ passwordless: process.env.PASSWORDLESS_SIGN_IN !== 'disabled' }), {
  service: 'identity',
  functionName: 'cognito-define-auth-challenge',
});
