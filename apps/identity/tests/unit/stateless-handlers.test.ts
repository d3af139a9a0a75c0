import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { withObservability, type MetricPoint } from '@kestrel/observability';
import { createHandler as createPreSignUp } from '../../src/handlers/cognito-pre-sign-up';
import { createHandler as createCustomMessage } from '../../src/handlers/cognito-custom-message';
import { createHandler as createPreTokenGeneration } from '../../src/handlers/cognito-pre-token-generation';
import { createHandler as createDefineAuthChallenge } from '../../src/handlers/cognito-define-auth-challenge';
import { TEMPORARY_FAILURE_MESSAGE } from '../../src/adapters/trigger-runtime';
import * as events from '../fixtures/cognito-events';

const preSignUp = createPreSignUp(() => ({ blockedDomains: ['spam.example'] }));
const customMessage = createCustomMessage();
const preTokenGeneration = createPreTokenGeneration();
const defineAuthChallenge = createDefineAuthChallenge();

describe('pre sign-up', () => {
  it('accepts a clean sign-up and returns the event with the response', async () => {
    // prepare
    const event = events.preSignUp(events.attributes());
    // act
    const result = await preSignUp(event);
    // assess
    expect(result).toEqual({ ...event, response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false } });
  });

  it.each([
    [{ email: 'ada@mailinator.com' }, 'Please use a permanent email address; disposable email services are not accepted.'],
    [{ email: 'ada@spam.example' }, 'Sign-ups with this email domain are not accepted.'],
    [{ email: 'ada@@example.com' }, 'Please enter a valid email address.'],
    [{ given_name: '<script>alert(1)</script>' }, 'Your first name can only contain letters, spaces, apostrophes, hyphens and periods.'],
    [{ family_name: 'Love\u202Elace' }, 'Your last name contains characters that are not allowed.'],
    [{ family_name: 'L'.repeat(101) }, 'Your last name must be at most 100 characters long.'],
  ])('refuses %j with a message Cognito shows the app', async (overrides, message) => {
    const error = await preSignUp(events.preSignUp(events.attributes(overrides))).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'Rejected', message });
  });

  it('refuses through a thrown error (Cognito needs one) recorded as a rejection, not an error', async () => {
    // prepare: the handler as deployed, wrapped for logs and metrics, with the metrics kept in memory.
    const points: MetricPoint[] = [];
    const wrapped = withObservability(createPreSignUp(() => ({ blockedDomains: [] })), {
      service: 'identity',
      functionName: 'cognito-pre-sign-up',
      metricSink: { send: async (sent) => void points.push(...sent) },
      env: { DD_ENV: 'production' },
    });
    const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

    // act
    const refused = await wrapped(events.preSignUp(events.attributes({ email: 'ada@mailinator.com' })), { awsRequestId: 'req-1' } as Context).catch((e: Error) => e);
    quiet.mockRestore();

    // assess: Cognito still gets the error (and shows its message); our metrics say "rejected".
    expect(refused).toMatchObject({ name: 'Rejected', message: 'Please use a permanent email address; disposable email services are not accepted.' });
    expect(points.filter((p) => p.name === 'kestrel.handler.errors')).toEqual([]);
    expect(points.find((p) => p.name === 'kestrel.handler.rejections')?.tags).toEqual(expect.arrayContaining(['cognito_trigger:presignup', 'field:email']));
    expect(points.find((p) => p.name === 'kestrel.handler.invocations')?.tags).toContain('outcome:rejected');
  });

  it('refuses an unknown trigger source, a malformed event and an overlong attribute clearly', async () => {
    await expect(preSignUp(events.preSignUp(events.attributes(), 'PreSignUp_Teleport'))).rejects.toThrow(
      'Invalid request: triggerSource: unsupported trigger source "PreSignUp_Teleport" for the pre sign-up trigger (expected PreSignUp_SignUp, PreSignUp_AdminCreateUser, PreSignUp_ExternalProvider)',
    );
    await expect(preSignUp({ triggerSource: 'PreSignUp_SignUp' })).rejects.toThrow(/^Invalid request: version: /);
    await expect(preSignUp(null)).rejects.toThrow(/^Invalid request: event: /);
    await expect(preSignUp(events.preSignUp(events.attributes({ given_name: 'A'.repeat(5000) })))).rejects.toThrow(
      /^Invalid request: request\.userAttributes\.given_name: Too big/,
    );
  });

  it('answers an internal failure with a generic message, never the internal one', async () => {
    // prepare: configuration that fails when first read
    const logged: Array<Record<string, unknown>> = [];
    const broken = createPreSignUp(
      () => {
        throw new Error('BLOCKED_EMAIL_DOMAINS holds entries that are not domain names: x');
      },
      { log: (line) => logged.push(line) },
    );
    // act
    const error = await broken(events.preSignUp(events.attributes())).catch((e: Error) => e);
    // assess: the app sees a generic message; operators see what broke
    expect(error).toMatchObject({ name: 'TemporaryFailure', message: TEMPORARY_FAILURE_MESSAGE });
    expect(logged).toEqual([
      expect.objectContaining({ level: 'ERROR', trigger: 'PreSignUp', outcome: 'failed', error: expect.objectContaining({ message: expect.stringContaining('BLOCKED_EMAIL_DOMAINS') }) }),
    ]);
  });
});

describe('custom message', () => {
  it.each([
    ['CustomMessage_SignUp', 'Your Kestrel verification code'],
    ['CustomMessage_ResendCode', 'Your Kestrel verification code'],
    ['CustomMessage_ForgotPassword', 'Reset your Kestrel password'],
    ['CustomMessage_UpdateUserAttribute', 'Confirm your new Kestrel contact details'],
    ['CustomMessage_VerifyUserAttribute', 'Confirm your new Kestrel contact details'],
    ['CustomMessage_Authentication', 'Your Kestrel sign-in code'],
  ])('%s gets its branded message with the code placeholder', async (triggerSource, subject) => {
    const result = await customMessage(events.customMessage(triggerSource));
    expect(result.response.emailSubject).toBe(subject);
    expect(result.response.emailMessage).toContain('{####}');
    expect(result.response.emailMessage).toContain('Hello Ada,');
    expect(result.response.smsMessage).toContain('{####}');
  });

  it('writes invitations with the user name placeholder, in the user’s language', async () => {
    const result = await customMessage(events.customMessage('CustomMessage_AdminCreateUser', events.attributes({ locale: 'fr-FR', given_name: 'Zoë' }), '{username}'));
    expect(result.response.emailSubject).toBe('Votre invitation à Kestrel');
    expect(result.response.emailMessage).toContain('{username}');
    expect(result.response.emailMessage).toContain('Bonjour Zoë,');
  });

  it('greets neutrally when the stored name is hostile (e.g. an admin-created user)', async () => {
    const result = await customMessage(events.customMessage('CustomMessage_SignUp', events.attributes({ given_name: '<img src=x onerror=alert(1)>' })));
    expect(result.response.emailMessage).toContain('<p>Hello,</p>');
    expect(result.response.emailMessage).not.toContain('onerror');
  });

  it('refuses an invitation without a user name placeholder', async () => {
    await expect(customMessage(events.customMessage('CustomMessage_AdminCreateUser'))).rejects.toThrow('The invitation cannot be sent without a user name.');
  });
});

describe('pre token generation', () => {
  it('adds customerId and roles to the ID and access tokens (V2 event)', async () => {
    const result = await preTokenGeneration(events.preTokenGenerationV2(['customers', 'staff', 'beta']));
    const claims = { customerId: events.SUB, roles: ['customer', 'staff'] };
    expect(result.response).toEqual({
      claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: claims }, accessTokenGeneration: { claimsToAddOrOverride: claims } },
    });
  });

  it.each(['TokenGeneration_HostedAuth', 'TokenGeneration_NewPasswordChallenge', 'TokenGeneration_AuthenticateDevice', 'TokenGeneration_RefreshTokens'])('handles %s', async (source) => {
    const result = await preTokenGeneration(events.preTokenGenerationV2(['customers'], events.attributes(), source));
    expect(result.response).toHaveProperty('claimsAndScopeOverrideDetails.accessTokenGeneration.claimsToAddOrOverride.roles', ['customer']);
  });

  it('answers a V1-shaped event (a pool on V1_0) in V1 shape, ID token only', async () => {
    const result = await preTokenGeneration(events.preTokenGenerationV1());
    expect(result.response).toEqual({ claimsOverrideDetails: { claimsToAddOrOverride: { customerId: events.SUB, roles: [] } } });
  });

  it('refuses a token for an account without a valid sub', async () => {
    await expect(preTokenGeneration(events.preTokenGenerationV2([], events.attributes({ sub: 'x' })))).rejects.toThrow('The account has no valid user id.');
  });
});

describe('define auth challenge', () => {
  it('starts, continues, succeeds and fails the passwordless sequence', async () => {
    const wrong = { challengeName: 'CUSTOM_CHALLENGE', challengeResult: false, challengeMetadata: 'OTP:c1' };
    expect((await defineAuthChallenge(events.defineAuthChallenge([]))).response).toEqual({ issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' });
    expect((await defineAuthChallenge(events.defineAuthChallenge([wrong, { ...wrong, challengeResult: true }]))).response).toEqual({ issueTokens: true, failAuthentication: false });
    expect((await defineAuthChallenge(events.defineAuthChallenge([wrong, wrong, wrong]))).response).toEqual({ issueTokens: false, failAuthentication: true });
  });

  it('treats an unknown user exactly like a known one', async () => {
    const known = await defineAuthChallenge(events.defineAuthChallenge([]));
    const unknown = await defineAuthChallenge(events.defineAuthChallenge([], true, 'nobody@example.com'));
    expect(unknown.response).toEqual(known.response);
  });

  it('refuses an oversized session', async () => {
    const wrong = { challengeName: 'CUSTOM_CHALLENGE', challengeResult: false };
    await expect(defineAuthChallenge(events.defineAuthChallenge(Array.from({ length: 11 }, () => wrong)))).rejects.toThrow(/^Invalid request: request\.session: Too big/);
  });
});
