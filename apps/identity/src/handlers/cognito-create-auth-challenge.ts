/**
 * Create auth challenge: a one-time code for a passwordless sign-in. Later
 * challenges of a session reuse its code (the id travels in
 * `challengeMetadata`), so a wrong answer does not mail another code. A new
 * session first checks the user name's guard (one Query): suspended, or the
 * window's code failures used up, and no code is made or mailed (the password
 * sign-in is untouched); a live code with attempts left is reused, again
 * without an email, so asking for codes mails at most one per code lifetime.
 * Otherwise a new code (stored only as a salted HMAC with an expiry) is mailed.
 * For a user Cognito does not know, the same work is done and the same
 * response shape returned, only no email leaves.
 */
import { withObservability } from '@kestrel/observability';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { maskEmail, normalizeEmail } from '../domain/email';
import { renderTemplates, SIGN_IN_CODE_TEMPLATES } from '../domain/messages';
import { challengeMetadata, CUSTOM_CHALLENGE, generateCode, newChallenge, reusableChallenge, sessionChallengeId } from '../domain/one-time-code';
import { enforceSignIn } from '../domain/sign-in-guard';
import { TriggerRejection } from '../domain/rejection';
import { checkUserName, hasInvisibleOrControl } from '../domain/text-rules';
import { createAuthChallengeEvent } from '../adapters/cognito-events';
import { documentClient } from '../adapters/aws-clients';
import { SesCodeMailer } from '../adapters/code-mailer';
import type { CodeMailer } from '../adapters/code-mailer';
import { SignInGuardTable } from '../adapters/sign-in-guard-table';
import { lazy } from '../adapters/lazy';
import { codeKeyFromSsm } from '../adapters/one-time-code-key';
import { cognitoTrigger, requiredEnv } from '../adapters/trigger-runtime';
import type { TriggerOptions } from '../adapters/trigger-runtime';

export interface CreateAuthChallengeDependencies {
  table: SignInGuardTable;
  mailer: CodeMailer;
  /** The secret the code's HMAC is keyed with (never stored beside it). */
  codeKey: () => Promise<Uint8Array>;
  randomInt?: (maxExclusive: number) => number;
}

export function createHandler(dependencies: () => CreateAuthChallengeDependencies, options: TriggerOptions = {}) {
  return cognitoTrigger('CreateAuthChallenge', createAuthChallengeEvent, async (event, { now }) => {
    if (event.request.challengeName !== CUSTOM_CHALLENGE) throw new TriggerRejection('This sign-in method is not supported.');
    checkUserName(event.userName);
    const { table, mailer, codeKey, randomInt: random = randomInt } = dependencies();
    const attributes = event.request.userAttributes;
    const known = event.request.userNotFound !== true && attributes.email !== undefined && !hasInvisibleOrControl(attributes.email);
    const destination = known ? normalizeEmail(attributes.email as string) : normalizeEmail(event.userName);

    let challengeId = sessionChallengeId(event.request.session);
    if (challengeId === undefined) {
      const guard = await table.guardState(event.userName, now);
      enforceSignIn(guard, now);
      challengeId = reusableChallenge(guard.challenge, now)?.challengeId;
    }
    if (challengeId === undefined) {
      challengeId = randomUUID();
      const code = generateCode(random);
      await table.saveChallenge(event.userName, newChallenge({ challengeId, code, salt: randomBytes(16), now, key: await codeKey() }));
      if (known) await mailer.send(destination, renderTemplates(SIGN_IN_CODE_TEMPLATES, { kind: 'sign-in-code', locale: attributes.locale, code }));
    }
    return {
      publicChallengeParameters: { delivery: 'EMAIL', destination: maskEmail(destination) },
      privateChallengeParameters: { challengeId },
      challengeMetadata: challengeMetadata(challengeId),
    };
  }, options);
}

export const handler = withObservability(
  createHandler(
    lazy(() => ({
      table: new SignInGuardTable(documentClient(), requiredEnv('TABLE_NAME_IDENTITY')),
      mailer: new SesCodeMailer(requiredEnv('ONE_TIME_CODE_FROM_ADDRESS')),
      codeKey: codeKeyFromSsm(requiredEnv('ONE_TIME_CODE_KEY_PARAMETER')),
    })),
  ),
  { service: 'identity', functionName: 'cognito-create-auth-challenge' },
);
