// Through the local cloud, with the synthesized platform and identity stacks applied as Terraform
// would apply them (user pool with its trigger configuration, the ten trigger functions running
// their production bundles, tables, the outbox pipe): sign-up → confirm → sign-in → the ID token
// and access tokens carry the claims (verified against the pool's JWKS with aws-jwt-verify; the local
// cloud sends the V2 pre-token event with the user's groups) → UserRegistered and UserSignedIn reach a
// test listener on the platform bus as contract-valid events, correlated by the registration's flow.
// Then a legacy user signs in with their legacy password, is migrated into the pool and gets tokens.
// Passwordless: CUSTOM_AUTH runs identity's define/create/verify functions (the local cloud's edge
// does the flow cognito-local lacks), the code arrives by email (SES v2, kept in the local cloud's
// outbox) and signs the user in, after pre authentication; wrong codes are refused.
// Needs `nx run platform:synth` and `nx run identity:synth` (the `test` target depends on both).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { parseEvent, UserRegisteredV1, UserSignedInV1 } from '@kestrel/contracts';
import { startLocalCloud, type LocalCloud } from '@kestrel/local-cloud';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { legacyUsers } from '../../src/adapters/legacy-users';
import { hashLegacyPassword } from '../../src/domain/legacy-password';
import { identityStack, platformStack } from './paths';

const BUS = 'kestrel-staging-bus';
const PASSWORD = 'correct horse battery 1';

interface Received {
  source: string;
  'detail-type': string;
  detail: { metadata: { eventId: string; correlationId: string }; data: { userId: string; [field: string]: unknown } };
}

let cloud: LocalCloud;
let cognito: CognitoIdentityProviderClient;
let sqs: SQSClient;
let queueUrl: string;
let poolId: string;
let clientId: string;
const received: Received[] = [];

async function receiveUntil(predicate: (all: Received[]) => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(received) && Date.now() < deadline) {
    const batch = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const message of batch.Messages ?? []) received.push(JSON.parse(message.Body ?? '{}') as Received);
    if (batch.Messages?.length) {
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    }
  }
}

/** What identity mailed through SES, from the local cloud's outbox. */
async function emailsTo(address: string): Promise<Array<{ to: string[]; subject?: string; text?: string }>> {
  const state = (await cloud.state()) as { sentEmails?: Array<{ to: string[]; subject?: string; text?: string }> };
  return (state.sentEmails ?? []).filter((email) => email.to.includes(address));
}

/** Answers the current one-time-code challenge. */
const answerChallenge = (session: string | undefined, userName: string, answer: string) =>
  cognito.send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'CUSTOM_CHALLENGE', Session: session, ChallengeResponses: { USERNAME: userName, ANSWER: answer } }));

/** The six-digit code in a mail's text. */
const codeIn = (text: string | undefined) => /\b(\d{6})\b/.exec(text ?? '')?.[1] as string;

/** A six-digit code that is surely not `code`. */
const otherCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

const about = (userId: string, detailType: string) => received.filter((event) => event.detail.data.userId === userId && event['detail-type'] === detailType);

function poolVerifier() {
  return JwtRsaVerifier.create(
    { issuer: `${cloud.endpoint}/${poolId}`, audience: null, jwksUri: `${cloud.endpoint}/${poolId}/.well-known/jwks.json` },
    // aws-jwt-verify's own fetcher refuses http://; the local JWKS is served over http.
    { jwksCache: new SimpleJwksCache({ fetcher: { fetch: async (uri: string) => (await fetch(uri)).arrayBuffer() } }) },
  );
}

/** Both tokens of a sign-in, verified against the pool's JWKS. */
async function verifiedTokens(result: { IdToken?: string; AccessToken?: string } | undefined) {
  const verifier = poolVerifier();
  return {
    id: await verifier.verify(result?.IdToken as string),
    access: await verifier.verify(result?.AccessToken as string),
  };
}

beforeAll(async () => {
  for (const dir of [platformStack, identityStack]) {
    if (!existsSync(join(dir, 'cdk.tf.json'))) throw new Error(`${dir} is missing: run npx nx run-many -t synth -p platform identity`);
  }
  cloud = await startLocalCloud({ inMemory: true });
  const config = { endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  await cloud.applyStacks([platformStack, identityStack]);
  const outputs = cloud.stacks().find((stack) => stack.name === 'identity-staging')?.outputs ?? {};
  poolId = String(outputs['user-pool-id']);
  clientId = String(outputs['mobile-client-id']);
  cognito = new CognitoIdentityProviderClient(config);

  // The test listener: everything identity publishes, into a queue.
  sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'identity-events-listener' }))).QueueUrl as string;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  const { RuleArn: ruleArn } = await events.send(
    new PutRuleCommand({ Name: 'identity-events-listener', EventBusName: BUS, EventPattern: JSON.stringify({ source: ['kestrel.identity'] }) }),
  );
  // EventBridge delivers to the queue only if its policy admits the rule (as in AWS; the local cloud enforces it).
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } } }],
  };
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
  await events.send(new PutTargetsCommand({ Rule: 'identity-events-listener', EventBusName: BUS, Targets: [{ Id: 'queue', Arn: queueArn }] }));
  events.destroy();
}, 300_000);

// IAM is enforced at the edge: a call a function's role may not make fails the test naming the
// permission, with the smallest statement that would allow it.
afterEach(() => {
  expect(cloud.iamDenials()).toEqual([]);
});

afterAll(async () => {
  cognito?.destroy();
  sqs?.destroy();
  await cloud?.stop();
}, 60_000);

describe('identity on the local cloud', () => {
  it('sign-up → confirm → sign-in: both tokens carry customerId and roles, and UserRegistered and UserSignedIn reach the bus once', async () => {
    // Prepare
    const email = `ada-${randomBytes(4).toString('hex')}@example.com`;

    // Act
    await cognito.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: email,
        Password: PASSWORD,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'given_name', Value: 'Ada' },
          { Name: 'locale', Value: 'en-GB' },
        ],
      }),
    );
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: email }));
    const auth = await cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD } }));

    // Assess: the tokens (pre token generation V2: both carry customerId and roles from the groups)
    const sub = (await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: email }))).UserAttributes?.find((a) => a.Name === 'sub')?.Value as string;
    const { id, access } = await verifiedTokens(auth.AuthenticationResult);
    // The post-confirmation trigger put the user in customers; Cognito's own group claim stays.
    expect(id).toMatchObject({ token_use: 'id', aud: clientId, sub, customerId: sub, roles: ['customer'], 'cognito:groups': ['customers'] });
    expect(access).toMatchObject({ token_use: 'access', client_id: clientId, sub, customerId: sub, roles: ['customer'], 'cognito:groups': ['customers'] });

    // Assess: the events
    await receiveUntil(() => about(sub, 'UserRegistered').length > 0 && about(sub, 'UserSignedIn').length > 0);
    const registered = about(sub, 'UserRegistered').map((event) => parseEvent([UserRegisteredV1], event));
    expect(registered.map((event) => event.detail.data)).toEqual([
      { userId: sub, email, givenName: 'Ada', locale: 'en-GB', registeredAt: expect.any(String), origin: 'sign-up' },
    ]);
    // The registration's flow is the user's (what customers and analytics continue); its cause is the trigger's request.
    expect(registered[0]?.detail.metadata).toMatchObject({ correlationId: `user-${sub}`, causationId: expect.any(String), traceparent: expect.any(String) });
    const signedIn = about(sub, 'UserSignedIn').map((event) => parseEvent([UserSignedInV1], event));
    expect(signedIn.map((event) => ({ ...event.detail.data, signedInAt: undefined }))).toEqual([{ userId: sub, clientId, method: 'password', signedInAt: undefined }]);
  });

  it('refuses a disposable address at sign-up with the trigger’s message', async () => {
    const refused = await cognito
      .send(new SignUpCommand({ ClientId: clientId, Username: 'ada@mailinator.com', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'ada@mailinator.com' }] }))
      .catch((error: Error) => error);
    expect(refused).toMatchObject({ name: 'UserLambdaValidationException' });
    expect((refused as Error).message).toContain('Please use a permanent email address; disposable email services are not accepted.');
  });

  it('migrates a legacy user on first sign-in with their legacy password, and only with it; that sign-in and the next get tokens', async () => {
    // Prepare: the legacy store's export holds them with a scrypt hash
    const email = `grace-${randomBytes(4).toString('hex')}@example.com`;
    const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    await ddb.send(
      new PutCommand({
        TableName: 'kestrel-staging-identity-legacy-users',
        Item: legacyUsers.toItem({ email, passwordHash: await hashLegacyPassword(PASSWORD, randomBytes(16)), givenName: 'Grace', emailVerified: true }),
      }),
    );
    ddb.destroy();
    const signIn = (password: string) =>
      cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } })).catch((error: Error) => error);

    // Act: a wrong password first, then the right one (which migrates them and signs them in), then again
    const wrong = await signIn('not it');
    const userAfterWrong = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: email })).catch((error: Error) => error);
    const first = await signIn(PASSWORD);
    const second = await signIn(PASSWORD);
    const migrated = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: email }));

    // Assess: the user
    expect(wrong).toMatchObject({ name: 'NotAuthorizedException' });
    expect(userAfterWrong).toMatchObject({ name: 'UserNotFoundException' });
    const attributes = Object.fromEntries((migrated.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
    expect(attributes).toMatchObject({ email, email_verified: 'true', given_name: 'Grace', 'custom:origin': 'migration' });
    expect(migrated.UserStatus).toBe('CONFIRMED');
    // Assess: both sign-ins got tokens for the migrated user, registered on the first (customers group → role)
    const sub = attributes.sub as string;
    for (const result of [first, second]) {
      expect(result).not.toBeInstanceOf(Error);
      const { id, access } = await verifiedTokens((result as { AuthenticationResult?: { IdToken?: string; AccessToken?: string } }).AuthenticationResult);
      expect(id).toMatchObject({ token_use: 'id', sub, customerId: sub, roles: ['customer'] });
      expect(access).toMatchObject({ token_use: 'access', sub, customerId: sub, roles: ['customer'] });
    }
    // Assess: registered once with origin migration; the first sign-in says migration and belongs to the registration's flow
    await receiveUntil(() => about(sub, 'UserRegistered').length > 0 && about(sub, 'UserSignedIn').length > 1);
    const registered = about(sub, 'UserRegistered').map((event) => parseEvent([UserRegisteredV1], event));
    expect(registered.map((event) => event.detail.data.origin)).toEqual(['migration']);
    const signedIn = about(sub, 'UserSignedIn').map((event) => parseEvent([UserSignedInV1], event));
    expect(signedIn.map((event) => event.detail.data.method).sort()).toEqual(['migration', 'password']);
    const firstSignIn = signedIn.find((event) => event.detail.data.method === 'migration');
    expect(firstSignIn?.detail.metadata.correlationId).toBe(`user-${sub}`);
  });

  it('passwordless: CUSTOM_AUTH mails a one-time code; a wrong code gets another try, the right one gets verified tokens and UserSignedIn (one-time-code)', async () => {
    // Prepare: a confirmed user
    const email = `linus-${randomBytes(4).toString('hex')}@example.com`;
    await cognito.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }, { Name: 'locale', Value: 'en-GB' }] }));
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: email }));

    // Act: start, read the mailed code, answer wrong once, then right
    const started = await cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: email } }));
    const mails = await emailsTo(email);
    const code = codeIn(mails[0]?.text);
    const userName = started.ChallengeParameters?.USERNAME as string;
    const retry = await answerChallenge(started.Session, userName, otherCode(code));
    const signedIn = await answerChallenge(retry.Session, userName, code);

    // Assess: one mail with the code (the retry reuses it), the challenge says where it went
    expect(started).toMatchObject({ ChallengeName: 'CUSTOM_CHALLENGE', ChallengeParameters: { delivery: 'EMAIL', destination: expect.stringContaining('@example.com') } });
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe('Your Kestrel sign-in code');
    expect(code).toMatch(/^\d{6}$/);
    expect(retry.ChallengeName).toBe('CUSTOM_CHALLENGE');
    expect(await emailsTo(email)).toHaveLength(1);
    // Assess: tokens verified against the pool's JWKS, with identity's claims in both
    const sub = (await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: email }))).UserAttributes?.find((a) => a.Name === 'sub')?.Value as string;
    const { id, access } = await verifiedTokens(signedIn.AuthenticationResult);
    expect(id).toMatchObject({ token_use: 'id', aud: clientId, sub, email, customerId: sub, roles: ['customer'] });
    expect(access).toMatchObject({ token_use: 'access', client_id: clientId, sub, customerId: sub, roles: ['customer'] });
    // Assess: identity's functions ran in AWS's order (the local cloud's trigger log; nothing else signs in meanwhile)
    const triggerLog = ((await cloud.state()) as { cognitoTriggerInvocations: Array<{ trigger: string; outcome: string }> }).cognitoTriggerInvocations;
    expect(triggerLog.slice(-10).map((entry) => `${entry.trigger}: ${entry.outcome}`)).toEqual([
      'PreAuthentication: ok',
      'DefineAuthChallenge: ok',
      'CreateAuthChallenge: ok',
      'VerifyAuthChallengeResponse: ok',
      'DefineAuthChallenge: ok',
      'CreateAuthChallenge: ok',
      'VerifyAuthChallengeResponse: ok',
      'DefineAuthChallenge: ok',
      'PostAuthentication: ok',
      'PreTokenGeneration: ok (V2 event)',
    ]);
    // Assess: post authentication saw the answered code and said so
    await receiveUntil(() => about(sub, 'UserSignedIn').length > 0);
    expect(about(sub, 'UserSignedIn').map((event) => parseEvent([UserSignedInV1], event).detail.data.method)).toEqual(['one-time-code']);
  });

  it('passwordless: three wrong codes fail the sign-in with NotAuthorizedException and give no tokens', async () => {
    // Prepare
    const email = `edsger-${randomBytes(4).toString('hex')}@example.com`;
    await cognito.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] }));
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: email }));

    // Act
    const started = await cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: email } }));
    const code = codeIn((await emailsTo(email))[0]?.text);
    const userName = started.ChallengeParameters?.USERNAME as string;
    const second = await answerChallenge(started.Session, userName, otherCode(code));
    const third = await answerChallenge(second.Session, userName, otherCode(code));
    const refused = await answerChallenge(third.Session, userName, otherCode(code)).catch((error: Error) => error);
    // the session ended with the failure: even the right code cannot use it now
    const afterwards = await answerChallenge(third.Session, userName, code).catch((error: Error) => error);

    // Assess
    expect(refused).toMatchObject({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    expect(afterwards).toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('publishes the issuer and client ids for other services’ authorizers', async () => {
    const ssm = new SSMClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const issuer = await ssm.send(new GetParameterCommand({ Name: '/kestrel/staging/identity/user-pool-issuer' }));
    const clients = await ssm.send(new GetParameterCommand({ Name: '/kestrel/staging/identity/user-pool-client-ids' }));
    ssm.destroy();
    expect(issuer.Parameter?.Value).toMatch(new RegExp(`/${poolId}$`));
    expect(clients.Parameter?.Value).toBe(clientId);
  });
});
