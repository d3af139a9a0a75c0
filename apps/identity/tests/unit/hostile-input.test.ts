import { describe, expect, it } from 'vitest';
import { createHandler as preSignUp } from '../../src/handlers/cognito-pre-sign-up';
import { createHandler as createCustomMessage } from '../../src/handlers/cognito-custom-message';
import { createHandler as postConfirmation } from '../../src/handlers/cognito-post-confirmation';
import { createHandler as preAuthentication } from '../../src/handlers/cognito-pre-authentication';
import { createHandler as postAuthentication } from '../../src/handlers/cognito-post-authentication';
import { createHandler as createPreTokenGeneration } from '../../src/handlers/cognito-pre-token-generation';
import { createHandler as userMigration } from '../../src/handlers/cognito-user-migration';
import { createHandler as createDefineAuthChallenge } from '../../src/handlers/cognito-define-auth-challenge';
import { createHandler as createAuthChallenge } from '../../src/handlers/cognito-create-auth-challenge';
import { createHandler as verifyAuthChallenge } from '../../src/handlers/cognito-verify-auth-challenge';
import * as events from '../fixtures/cognito-events';

// Malformed events must be refused before any dependency is touched.
const unreachable = (): never => {
  throw new Error('dependency reached with a malformed event');
};
const quiet = { log: () => undefined };

type Handler = (raw: unknown) => Promise<unknown>;
const triggers: Array<[string, Handler, () => Record<string, unknown>]> = [
  ['pre sign-up', preSignUp(unreachable, quiet), () => events.preSignUp(events.attributes())],
  ['custom message', createCustomMessage(quiet), () => events.customMessage('CustomMessage_SignUp')],
  ['post confirmation', postConfirmation(unreachable, quiet), () => events.postConfirmation()],
  ['pre authentication', preAuthentication(unreachable, quiet), () => events.preAuthentication(events.SUB)],
  ['post authentication', postAuthentication(unreachable, quiet), () => events.postAuthentication(events.SUB)],
  ['pre token generation', createPreTokenGeneration(quiet), () => events.preTokenGenerationV2(['customers'])],
  ['user migration', userMigration(unreachable, quiet), () => events.userMigration('ada@example.com', 'pw')],
  ['define auth challenge', createDefineAuthChallenge(quiet), () => events.defineAuthChallenge([])],
  ['create auth challenge', createAuthChallenge(unreachable, quiet), () => events.createAuthChallenge([])],
  ['verify auth challenge', verifyAuthChallenge(unreachable, () => undefined, quiet), () => events.verifyAuthChallenge('123456', { challengeId: 'c1' })],
];

async function refusal(handler: Handler, event: unknown): Promise<Error> {
  const error = await handler(event).then(
    () => undefined,
    (e: Error) => e,
  );
  if (!error) throw new Error('expected the trigger to refuse');
  return error;
}

describe.each(triggers)('%s trigger with hostile input', (trigger, handler, valid) => {
  it('refuses an unknown trigger source, naming it', async () => {
    const error = await refusal(handler, { ...valid(), triggerSource: 'Bogus_<script>' });
    expect(error.name).toBe('Rejected');
    expect(error.message).toMatch(new RegExp(`^Invalid request: triggerSource: unsupported trigger source "Bogus_<script>" for the ${trigger} trigger \\(expected `));
  });

  it.each([null, 'a string', 42, [], {}])('refuses %j as an event', async (event) => {
    const error = await refusal(handler, event);
    expect(error).toMatchObject({ name: 'Rejected', message: expect.stringMatching(/^Invalid request: /) });
  });

  it('refuses a wrongly typed field with its path', async () => {
    const error = await refusal(handler, { ...valid(), callerContext: { clientId: 42 } });
    expect(error.message).toMatch(/^Invalid request: callerContext\.clientId: /);
  });

  it('refuses an overlong user name and region', async () => {
    expect((await refusal(handler, { ...valid(), userName: 'u'.repeat(300) })).message).toMatch(/^Invalid request: userName: Too big/);
    expect((await refusal(handler, { ...valid(), region: 'eu-west-1; rm -rf /' })).message).toBe('Invalid request: region: must be an AWS region');
  });

  if (trigger !== 'user migration') {
    it('refuses an attribute over Cognito’s 2,048 characters', async () => {
      const event = valid() as { request: { userAttributes: Record<string, string> } };
      event.request.userAttributes = { ...event.request.userAttributes, 'custom:bio': 'x'.repeat(2049) };
      expect((await refusal(handler, event)).message).toMatch(/^Invalid request: request\.userAttributes\.custom:bio: Too big/);
    });
  }
});
