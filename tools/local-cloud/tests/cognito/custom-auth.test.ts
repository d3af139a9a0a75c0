// Pre authentication and the custom authentication flow, which cognito-local never calls, run at
// the edge: real SDK clients through the edge, cognito-local behind it, and a stand-in for the
// Lambda module that plays a one-time-code sign-in (the events it receives are asserted in AWS's shapes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createCognitoModule } from '../../src/services/cognito';
import { createSesModule } from '../../src/services/ses';
import { CustomAuthSessions } from '../../src/services/cognito/custom-auth';
import type { InvokeResult, LambdaInvoker, LocalServiceFactory } from '../../src/core/types';

const fn = (name: string) => `arn:aws:lambda:eu-west-1:000000000000:function:${name}`;
const PRE_AUTH = fn('pre-authentication');
const DEFINE = fn('define-auth-challenge');
const CREATE = fn('create-auth-challenge');
const VERIFY = fn('verify-auth-challenge');
const PRE_TOKEN = fn('pre-token-generation');
const POST_AUTH = fn('post-authentication');
const PASSWORD = 'Passw0rd1';

/** The request fields the stand-in reads, as AWS sends them to each trigger. */
interface TriggerRequest {
  userAttributes: Record<string, string>;
  session: Array<{ challengeName: string; challengeResult: boolean; challengeMetadata: string | null }>;
  challengeAnswer: string;
  privateChallengeParameters: Record<string, string>;
  groupConfiguration: { groupsToOverride: string[] };
}
type Event = { triggerSource: string; userName: string; request: TriggerRequest; response: Record<string, unknown> };
const invocations: Array<{ functionName: string; event: Event }> = [];
/** The code each user name was last sent (the stand-in's "mailbox"). */
const codes = new Map<string, string>();
const failure = (message: string): InvokeResult => ({ statusCode: 200, payload: { errorType: 'Error', errorMessage: message }, functionError: 'Unhandled' });
const answer = (event: Event, response: Record<string, unknown>): InvokeResult => ({ statusCode: 200, payload: { ...event, response } });

const lambdaStandIn: LocalServiceFactory = () => {
  const invoker: LambdaInvoker = {
    functionExists: () => true,
    async invoke(functionName, payload) {
      const event = payload as Event;
      invocations.push({ functionName, event });
      switch (functionName) {
        case PRE_AUTH:
          return String(event.request.userAttributes.email ?? event.userName).startsWith('suspended') ? failure('Your account is suspended.') : answer(event, {});
        case DEFINE: {
          if (String(event.request.userAttributes.email).startsWith('srp')) return answer(event, { issueTokens: false, failAuthentication: false, challengeName: 'PASSWORD_VERIFIER' });
          const session = event.request.session;
          if (session.at(-1)?.challengeResult) return answer(event, { issueTokens: true, failAuthentication: false });
          if (session.length >= 3) return answer(event, { issueTokens: false, failAuthentication: true });
          return answer(event, { issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' });
        }
        case CREATE: {
          const code = String(100_000 + invocations.length);
          codes.set(event.userName, code);
          return answer(event, { publicChallengeParameters: { delivery: 'EMAIL' }, privateChallengeParameters: { code }, challengeMetadata: `OTP:${invocations.length}` });
        }
        case VERIFY:
          return answer(event, { answerCorrect: event.request.challengeAnswer === event.request.privateChallengeParameters.code });
        case PRE_TOKEN: {
          const claims = { customerId: event.request.userAttributes.sub, roles: event.request.groupConfiguration.groupsToOverride };
          return answer(event, { claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: claims }, accessTokenGeneration: { claimsToAddOrOverride: claims } } });
        }
        default:
          return answer(event, {});
      }
    },
  };
  return { name: 'lambda-stand-in', handlers: [], provisioners: [], state: [], provides: { lambda: invoker }, async stop() {} };
};

const httpJwksCache = () => new SimpleJwksCache({ fetcher: { fetch: async (uri: string) => (await fetch(uri)).arrayBuffer() } });
const since = (start: number) => invocations.slice(start);

describe('pre authentication and CUSTOM_AUTH at the cognito edge', () => {
  let cloud: LocalCloud;
  let cognito: CognitoIdentityProviderClient;
  let pool: Record<string, unknown>;
  let clientId: string;
  let passwordOnlyClientId: string;
  let noTriggersClientId: string;

  const apply = (type: string, name: string, config: Record<string, unknown>) =>
    cloud.modules[0]!.provisioners.find((candidate) => candidate.type === type)!.apply({ stack: 'identity', type, name, address: `${type}.${name}`, config, stackDir: '.' });
  const signUp = async (email: string) => {
    await cognito.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] }));
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: String(pool.id), Username: email }));
  };
  const startCustom = (email: string, id = clientId) => cognito.send(new InitiateAuthCommand({ ClientId: id, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: email } }));
  const respond = (session: string | undefined, username: string, code: string) =>
    cognito.send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'CUSTOM_CHALLENGE', Session: session, ChallengeResponses: { USERNAME: username, ANSWER: code } }));

  beforeAll(async () => {
    cloud = await startLocalCloud({ inMemory: true, modules: [createCognitoModule, lambdaStandIn, createSesModule] });
    pool = await apply('aws_cognito_user_pool', 'users', {
      name: 'kestrel-users',
      username_attributes: ['email'],
      lambda_config: {
        pre_authentication: PRE_AUTH,
        define_auth_challenge: DEFINE,
        create_auth_challenge: CREATE,
        verify_auth_challenge_response: VERIFY,
        post_authentication: POST_AUTH,
        pre_token_generation_config: { lambda_arn: PRE_TOKEN, lambda_version: 'V2_0' },
      },
    });
    const flows = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
    clientId = String((await apply('aws_cognito_user_pool_client', 'app', { name: 'app', user_pool_id: pool.id, explicit_auth_flows: flows, prevent_user_existence_errors: 'ENABLED' })).id);
    passwordOnlyClientId = String((await apply('aws_cognito_user_pool_client', 'password', { name: 'password', user_pool_id: pool.id, explicit_auth_flows: ['ALLOW_USER_PASSWORD_AUTH'] })).id);
    const bare = await apply('aws_cognito_user_pool', 'bare', { name: 'no-triggers', username_attributes: ['email'] });
    noTriggersClientId = String((await apply('aws_cognito_user_pool_client', 'bare', { name: 'bare', user_pool_id: bare.id, explicit_auth_flows: flows })).id);
    await apply('aws_cognito_user_group', 'customers', { name: 'customers', user_pool_id: pool.id, precedence: 10 });
    cognito = new CognitoIdentityProviderClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDANY', secretAccessKey: 'any' } });
  }, 60_000);
  afterAll(async () => {
    cognito?.destroy();
    await cloud?.stop();
  });

  // AWS appends a full stop to the function's message, as cognito-local does for PreSignUp: hence the two.
  it('runs PreAuthentication before a password sign-in with the documented event; its refusal is UserLambdaValidationException with its message', async () => {
    // prepare
    await signUp('ada@example.com');
    await signUp('suspended@example.com');
    const start = invocations.length;
    // act
    const allowed = await cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ada@example.com', PASSWORD }, ClientMetadata: { app: 'web' } }));
    const refused = await cognito
      .send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'suspended@example.com', PASSWORD } }))
      .catch((error: Error) => error);
    const adminRefused = await cognito
      .send(new AdminInitiateAuthCommand({ UserPoolId: String(pool.id), ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'suspended@example.com', PASSWORD } }))
      .catch((error: Error) => error);
    const beforeUnknown = invocations.length;
    // a client without PreventUserExistenceErrors: no trigger for a user the pool does not know
    const unknown = await cognito
      .send(new InitiateAuthCommand({ ClientId: passwordOnlyClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'nobody@example.com', PASSWORD } }))
      .catch((error: Error) => error);
    // assess
    expect(adminRefused).toMatchObject({ name: 'UserLambdaValidationException', message: 'PreAuthentication failed with error Your account is suspended..' });
    expect(unknown).toBeInstanceOf(Error);
    expect(invocations.slice(beforeUnknown).filter((call) => call.functionName === PRE_AUTH)).toEqual([]);
    expect(allowed.AuthenticationResult?.IdToken).toEqual(expect.any(String));
    expect(refused).toMatchObject({ name: 'UserLambdaValidationException', message: 'PreAuthentication failed with error Your account is suspended..' });
    const preAuth = since(start).filter((call) => call.functionName === PRE_AUTH);
    expect(preAuth).toHaveLength(3);
    expect(preAuth[0]?.event).toMatchObject({
      version: '1',
      triggerSource: 'PreAuthentication_Authentication',
      region: 'eu-west-1',
      userPoolId: pool.id,
      callerContext: { clientId },
      request: { userAttributes: { email: 'ada@example.com', sub: expect.any(String) }, validationData: { app: 'web' } },
      response: {},
    });
    // the refused user never reached the password check (no post authentication for them)
    expect(since(start).filter((call) => call.functionName === POST_AUTH).map((call) => call.event.request.userAttributes.email)).toEqual(['ada@example.com']);
  });

  it('CUSTOM_AUTH: define → create → a wrong answer → a new challenge → the right answer → tokens verified by the pool JWKS, with the V2 claims in both', async () => {
    // prepare
    await signUp('grace@example.com');
    const start = invocations.length;
    // act
    const first = await startCustom('grace@example.com');
    const userName = first.ChallengeParameters?.USERNAME as string;
    const wrong = await respond(first.Session, userName, '000000');
    const right = await respond(wrong.Session, userName, codes.get(userName) as string);
    // assess: the challenges
    expect(first).toMatchObject({ ChallengeName: 'CUSTOM_CHALLENGE', Session: expect.any(String), ChallengeParameters: { delivery: 'EMAIL', USERNAME: expect.any(String) } });
    expect(wrong).toMatchObject({ ChallengeName: 'CUSTOM_CHALLENGE', Session: expect.any(String) });
    expect(wrong.Session).not.toBe(first.Session);
    // assess: the tokens
    const verifier = JwtRsaVerifier.create({ issuer: `${cloud.endpoint}/${pool.id}`, audience: null, jwksUri: `${cloud.endpoint}/${pool.id}/.well-known/jwks.json` }, { jwksCache: httpJwksCache() });
    const id = await verifier.verify(right.AuthenticationResult?.IdToken as string);
    const access = await verifier.verify(right.AuthenticationResult?.AccessToken as string);
    expect(id).toMatchObject({ token_use: 'id', aud: clientId, email: 'grace@example.com', 'cognito:username': userName, customerId: id.sub, roles: [] });
    expect(access).toMatchObject({ token_use: 'access', client_id: clientId, username: userName, sub: id.sub, customerId: id.sub, scope: 'aws.cognito.signin.user.admin' });
    expect(id).not.toHaveProperty('local-cloud:access-token-plan');
    expect(right.AuthenticationResult?.RefreshToken).toBeUndefined();
    // assess: the events, in AWS's order and shapes
    const calls = since(start);
    expect(calls.map((call) => call.functionName)).toEqual([PRE_AUTH, DEFINE, CREATE, VERIFY, DEFINE, CREATE, VERIFY, DEFINE, POST_AUTH, PRE_TOKEN]);
    expect(calls[1]?.event).toMatchObject({ triggerSource: 'DefineAuthChallenge_Authentication', request: { session: [], userNotFound: false, userAttributes: { email: 'grace@example.com' } } });
    expect(calls[2]?.event).toMatchObject({ triggerSource: 'CreateAuthChallenge_Authentication', request: { challengeName: 'CUSTOM_CHALLENGE', session: [] }, response: { publicChallengeParameters: null } });
    expect(calls[3]?.event).toMatchObject({ triggerSource: 'VerifyAuthChallengeResponse_Authentication', request: { challengeAnswer: '000000', privateChallengeParameters: { code: expect.any(String) } }, response: { answerCorrect: null } });
    expect(calls[7]?.event.request.session).toEqual([
      { challengeName: 'CUSTOM_CHALLENGE', challengeResult: false, challengeMetadata: expect.stringMatching(/^OTP:/) },
      { challengeName: 'CUSTOM_CHALLENGE', challengeResult: true, challengeMetadata: expect.stringMatching(/^OTP:/) },
    ]);
    expect(calls[9]?.event).toMatchObject({ version: '2', triggerSource: 'TokenGeneration_Authentication', request: { groupConfiguration: { groupsToOverride: [] } } });
  });

  it('CUSTOM_AUTH refuses: a session used twice, three wrong answers, an unknown user at the end, a client without ALLOW_CUSTOM_AUTH, a refused pre authentication', async () => {
    // prepare
    await signUp('linus@example.com');
    await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: String(pool.id), Username: 'linus@example.com', GroupName: 'customers' }));
    const first = await startCustom('linus@example.com');
    const userName = first.ChallengeParameters?.USERNAME as string;
    // act
    const second = await respond(first.Session, userName, '000001');
    const replayed = await respond(first.Session, userName, codes.get(userName) as string).catch((error: Error) => error);
    const third = await respond(second.Session, userName, '000002');
    const lockedOut = await respond(third.Session, userName, '000003').catch((error: Error) => error);
    const unknown = await startCustom('nobody@example.com');
    const unknownRight = await respond(unknown.Session, 'nobody@example.com', codes.get('nobody@example.com') as string).catch((error: Error) => error);
    const notEnabled = await startCustom('linus@example.com', passwordOnlyClientId).catch((error: Error) => error);
    const noTriggers = await startCustom('linus@example.com', noTriggersClientId).catch((error: Error) => error);
    await signUp('srp@example.com');
    const otherChallenge = await startCustom('srp@example.com').catch((error: Error) => error);
    await signUp('suspended2@example.com');
    const suspended = await startCustom('suspended2@example.com').catch((error: Error) => error);
    // assess
    expect(replayed).toMatchObject({ name: 'NotAuthorizedException', message: 'Invalid session for the user, session is expired.' });
    expect(lockedOut).toMatchObject({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    // PreventUserExistenceErrors: an unknown user gets a challenge too, and a right answer still signs nobody in
    expect(unknown).toMatchObject({ ChallengeName: 'CUSTOM_CHALLENGE', ChallengeParameters: { USERNAME: 'nobody@example.com' } });
    expect(unknownRight).toMatchObject({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    expect(notEnabled).toMatchObject({ name: 'InvalidParameterException' });
    expect(noTriggers).toMatchObject({ name: 'InvalidParameterException', message: 'Custom auth lambda trigger is not configured for the user pool.' });
    expect(otherChallenge).toMatchObject({ name: 'UnsupportedOperationException' });
    expect(suspended).toMatchObject({ name: 'UserLambdaValidationException', message: 'PreAuthentication failed with error Your account is suspended..' });
  });

  it('a session works once and only until the client\'s AuthSessionValidity has passed', () => {
    // prepare: a clock the test moves
    let now = 0;
    const sessions = new CustomAuthSessions(() => now);
    const state = { caller: { userPoolId: 'p', clientId: 'c', region: 'eu-west-1' }, user: { userName: 'u', attributes: {}, groups: [], notFound: false }, results: [], challengeName: 'CUSTOM_CHALLENGE', privateChallengeParameters: {}, challengeMetadata: null };
    // act
    const reused = sessions.open(state, 5);
    const first = sessions.take(reused);
    const again = sessions.take(reused);
    const late = sessions.open(state, 5);
    now = 5 * 60_000;
    const expired = sessions.take(late);
    const inTime = sessions.open(state, 5);
    now += 5 * 60_000 - 1;
    const justInTime = sessions.take(inTime);
    // assess
    expect(first).toEqual(state);
    expect(again).toBeUndefined();
    expect(expired).toBeUndefined();
    expect(justInTime).toEqual(state);
  });

  it('keeps SES v2 SendEmail messages in the outbox listed in /_local/state', async () => {
    // prepare
    const ses = new SESv2Client({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDANY', secretAccessKey: 'any' } });
    // act
    const sent = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'no-reply@kestrel.example',
        Destination: { ToAddresses: ['ada@example.com'] },
        Content: { Simple: { Subject: { Data: 'Your code' }, Body: { Text: { Data: 'Code: 123456' } } } },
      }),
    );
    const template = { Template: { TemplateName: 'sign-in', TemplateData: '{}' } };
    const invalid = await ses.send(new SendEmailCommand({ FromEmailAddress: 'no-reply@kestrel.example', Destination: { ToAddresses: ['ada@example.com'] }, Content: template })).catch((error: Error) => error);
    ses.destroy();
    const state = (await (await fetch(`${cloud.endpoint}/_local/state`)).json()) as { sentEmails: unknown[] };
    // assess
    expect(sent.MessageId).toMatch(/^local-/);
    expect(invalid).toMatchObject({ name: 'BadRequestException', message: expect.stringContaining('Template is not emulated') });
    expect(state.sentEmails).toEqual([
      expect.objectContaining({ messageId: sent.MessageId, from: 'no-reply@kestrel.example', to: ['ada@example.com'], subject: 'Your code', text: 'Code: 123456' }),
    ]);
  });
});
