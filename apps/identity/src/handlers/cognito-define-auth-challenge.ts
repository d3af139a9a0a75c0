/**
 * Define auth challenge: the passwordless sequence. One-time-code challenges
 * until one is answered (tokens) or three are wrong (failure); unknown users
 * go through the same steps.
 */
import { withObservability } from '@kestrel/observability';
import { defineNextStep } from '../domain/one-time-code';
import { defineAuthChallengeEvent } from '../adapters/cognito-events';
import { cognitoTrigger } from '../adapters/trigger-runtime';
import type { TriggerOptions } from '../adapters/trigger-runtime';

export function createHandler(options: TriggerOptions = {}) {
  return cognitoTrigger('DefineAuthChallenge', defineAuthChallengeEvent, (event) => defineNextStep(event.request.session), options);
}

export const handler = withObservability(createHandler(), { service: 'identity', functionName: 'cognito-define-auth-challenge' });
