/**
 * Verify auth challenge response: is this the code? Each answer first
 * reserves one of the user name's failure slots for the current window (none
 * left: the answer is not even looked at), then counts against the
 * challenge's own attempts, then is compared in constant time with the
 * stored HMAC. A right answer gives the slot back and retires the code.
 * Never throws for a wrong answer: `answerCorrect: false` is the answer.
 */
import { withObservability } from '@kestrel/observability';
import { judgeAnswer } from '../domain/one-time-code';
import type { AnswerOutcome } from '../domain/one-time-code';
import { checkUserName } from '../domain/text-rules';
import { verifyAuthChallengeEvent } from '../adapters/cognito-events';
import { documentClient } from '../adapters/aws-clients';
import { SignInGuardTable } from '../adapters/sign-in-guard-table';
import { lazy } from '../adapters/lazy';
import { codeKeyFromSsm } from '../adapters/one-time-code-key';
import { cognitoTrigger, requiredEnv } from '../adapters/trigger-runtime';
import type { TriggerOptions } from '../adapters/trigger-runtime';

export interface VerifyAuthChallengeDependencies {
  table: SignInGuardTable;
  /** The secret the stored HMAC was keyed with. */
  codeKey: () => Promise<Uint8Array>;
}

export function createHandler(
  dependencies: () => VerifyAuthChallengeDependencies,
  onOutcome: (outcome: AnswerOutcome) => void = () => undefined,
  options: TriggerOptions = {},
) {
  return cognitoTrigger('VerifyAuthChallengeResponse', verifyAuthChallengeEvent, async (event, { now }) => {
    checkUserName(event.userName);
    const challengeId = event.request.privateChallengeParameters?.challengeId;
    const { table: store, codeKey } = dependencies();
    let outcome: AnswerOutcome;
    if (challengeId === undefined) outcome = 'unknown-challenge';
    else if (!(await store.reserveFailureSlot(event.userName, now))) outcome = 'locked';
    else {
      const challenge = await store.countAttempt(event.userName, challengeId);
      outcome = judgeAnswer(challenge, challengeId, event.request.challengeAnswer, now, await codeKey());
      if (outcome === 'correct') {
        await store.markAnswered(event.userName, challengeId, now);
        await store.releaseFailureSlot(event.userName, now);
      }
    }
    onOutcome(outcome);
    return { answerCorrect: outcome === 'correct' };
  }, options);
}

export const handler = withObservability(
  createHandler(
    lazy(() => ({
      table: new SignInGuardTable(documentClient(), requiredEnv('TABLE_NAME_IDENTITY')),
      codeKey: codeKeyFromSsm(requiredEnv('ONE_TIME_CODE_KEY_PARAMETER')),
    })),
  ),
  { service: 'identity', functionName: 'cognito-verify-auth-challenge' },
);
