/**
 * Define auth challenge: the passwordless sequence. One-time-code challenges
 * until one is answered (tokens) or three are wrong (failure); unknown users
 * go through the same steps.
 */
import { defineNextStep } from '../domain/one-time-code';
import { defineAuthChallengeEvent } from '../adapters/cognito-events';
import { cognitoTrigger } from '../adapters/trigger-runtime';

export const handler = cognitoTrigger('DefineAuthChallenge', defineAuthChallengeEvent, (event) => defineNextStep(event.request.session));
