import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createCognitoModule } from '../../src/services/cognito';
import type { InvokeResult, LambdaInvoker, LocalServiceFactory } from '../../src/core/types';

const PRE_SIGN_UP = 'arn:aws:lambda:eu-west-1:000000000000:function:identity-pre-sign-up';
const PRE_TOKEN = 'arn:aws:lambda:eu-west-1:000000000000:function:identity-pre-token-generation';
const MIGRATE = 'arn:aws:lambda:eu-west-1:000000000000:function:identity-user-migration';
const LEGACY_PASSWORD = 'legacy Passw0rd';

type TriggerEvent = {
  userName: string;
  request: { userAttributes: Record<string, string>; password?: string; groupConfiguration: { groupsToOverride: string[] } };
  response: Record<string, unknown>;
};
const failure = (message: string): InvokeResult => ({ statusCode: 200, payload: { errorType: 'Error', errorMessage: message }, functionError: 'Unhandled' });

/**
 * Stands in for the Lambda module, recording every trigger event:
 * - pre sign-up auto-confirms `auto+…` addresses and refuses `blocked…`;
 * - pre token generation answers the V2 way: customerId and roles (from groups, `beta` gives none and is
 *   dropped from the groups) in both tokens, `email_verified` suppressed in the ID token, a scope added to the
 *   access token, and an attempt to override the access token's `sub` (which Cognito refuses);
 * - user migration knows any address with the legacy password.
 */
const invocations: Array<{ functionName: string; event: Record<string, unknown> }> = [];
const lambdaStandIn: LocalServiceFactory = () => {
  const invoker: LambdaInvoker = {
    functionExists: (name) => [PRE_SIGN_UP, PRE_TOKEN, MIGRATE].includes(name),
    async invoke(functionName, payload) {
      const event = payload as TriggerEvent;
      invocations.push({ functionName, event: payload as Record<string, unknown> });
      if (functionName === PRE_TOKEN) {
        const sub = event.request.userAttributes.sub;
        if (!sub) return failure('no sub');
        const groups = event.request.groupConfiguration.groupsToOverride.filter((group) => group !== 'beta');
        const roles = groups.map((group) => (group === 'customers' ? 'customer' : group));
        const claims = { customerId: sub, roles };
        const response = {
          claimsAndScopeOverrideDetails: {
            idTokenGeneration: { claimsToAddOrOverride: claims, claimsToSuppress: ['email_verified'] },
            accessTokenGeneration: { claimsToAddOrOverride: { ...claims, sub: 'forged' }, scopesToAdd: ['kestrel/orders.read'] },
            groupOverrideDetails: { groupsToOverride: groups },
          },
        };
        return { statusCode: 200, payload: { ...event, response } };
      }
      if (functionName === MIGRATE) {
        if (event.request.password !== LEGACY_PASSWORD) return failure('Incorrect username or password.');
        const response = { userAttributes: { email: event.userName, email_verified: 'true' }, finalUserStatus: 'CONFIRMED', messageAction: 'SUPPRESS' };
        return { statusCode: 200, payload: { ...event, response } };
      }
      const email = event.request.userAttributes.email ?? '';
      if (email.startsWith('blocked')) return failure('domain not allowed');
      return { statusCode: 200, payload: { ...event, response: { ...event.response, autoConfirmUser: email.startsWith('auto') } } };
    },
  };
  return { name: 'lambda-stand-in', handlers: [], provisioners: [], state: [], provides: { lambda: invoker }, async stop() {} };
};

/** JWKS over http:// — aws-jwt-verify's default fetcher only speaks https. */
const httpJwksCache = () => new SimpleJwksCache({ fetcher: { fetch: async (uri: string) => (await fetch(uri)).arrayBuffer() } });

describe('Cognito through the edge (cognito-local)', () => {
  let cloud: LocalCloud;
  let pool: Record<string, unknown>;
  let client: Record<string, unknown>;
  let cognito: CognitoIdentityProviderClient;
  const apply = (type: string, name: string, config: Record<string, unknown>, previous?: Record<string, unknown>) =>
    cloud.modules[0]!.provisioners.find((candidate) => candidate.type === type)!.apply({ stack: 'identity', type, name, address: `${type}.${name}`, config, stackDir: '.' }, previous);

  beforeAll(async () => {
    cloud = await startLocalCloud({ inMemory: true, modules: [createCognitoModule, lambdaStandIn] });
    pool = await apply('aws_cognito_user_pool', 'users', {
      name: 'kestrel-users',
      username_attributes: ['email'],
      auto_verified_attributes: ['email'],
      password_policy: { minimum_length: 8, require_symbols: false },
      lambda_config: { pre_sign_up: PRE_SIGN_UP },
    });
    client = await apply('aws_cognito_user_pool_client', 'web', { name: 'web', user_pool_id: pool.id, explicit_auth_flows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    cognito = new CognitoIdentityProviderClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDANY', secretAccessKey: 'any' } });
  }, 60_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  it('provisions pools, clients and groups with Terraform-shaped attributes, idempotently', async () => {
    // act
    const again = await apply('aws_cognito_user_pool', 'users', { name: 'kestrel-users', username_attributes: ['email'], lambda_config: { pre_sign_up: PRE_SIGN_UP } }, pool);
    const clientAgain = await apply('aws_cognito_user_pool_client', 'web', { name: 'web', user_pool_id: pool.id, explicit_auth_flows: ['ALLOW_USER_PASSWORD_AUTH'] }, client);
    const group = await apply('aws_cognito_user_group', 'admins', { name: 'admins', user_pool_id: pool.id, precedence: 1 });
    const described = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: String(pool.id) }));
    // assess
    expect(pool).toMatchObject({
      arn: `arn:aws:cognito-idp:eu-west-1:000000000000:userpool/${pool.id}`,
      endpoint: `cognito-idp.eu-west-1.amazonaws.com/${pool.id}`,
      issuer: `${cloud.endpoint}/${pool.id}`,
    });
    expect(again.id).toBe(pool.id);
    expect(clientAgain.id).toBe(client.id);
    expect(group).toEqual({ id: `${pool.id}/admins`, name: 'admins', user_pool_id: pool.id });
    expect(described.UserPool?.Arn).toBe(pool.arn);
    expect(described.UserPool?.LambdaConfig).toEqual({ PreSignUp: PRE_SIGN_UP });
  });

  it('signs up without credentials, running the pool’s own PreSignUp trigger', async () => {
    // prepare: SignUp is unauthenticated; the SDK sends it unsigned
    const before = invocations.length;
    // act
    const auto = await cognito.send(new SignUpCommand({ ClientId: String(client.id), Username: 'auto@example.com', Password: 'Passw0rd1', UserAttributes: [{ Name: 'email', Value: 'auto@example.com' }] }));
    const manual = await cognito.send(new SignUpCommand({ ClientId: String(client.id), Username: 'ada@example.com', Password: 'Passw0rd1', UserAttributes: [{ Name: 'email', Value: 'ada@example.com' }] }));
    const blocked = await cognito
      .send(new SignUpCommand({ ClientId: String(client.id), Username: 'blocked@example.com', Password: 'Passw0rd1', UserAttributes: [{ Name: 'email', Value: 'blocked@example.com' }] }))
      .catch((error: unknown) => error);
    // assess
    expect(auto.UserConfirmed).toBe(true);
    expect(manual.UserConfirmed).toBe(false);
    expect(blocked).toMatchObject({ name: 'UserLambdaValidationException' });
    expect((blocked as Error).message).toContain('domain not allowed');
    const triggered = invocations.slice(before);
    expect(triggered.map((call) => call.functionName)).toEqual([PRE_SIGN_UP, PRE_SIGN_UP, PRE_SIGN_UP]);
    expect(triggered[0]?.event).toMatchObject({ triggerSource: 'PreSignUp_SignUp', region: 'eu-west-1', userPoolId: pool.id });
  });

  it('issues tokens after AdminConfirmSignUp that verify against the pool issuer and JWKS served by the edge', async () => {
    // prepare
    await cognito.send(new SignUpCommand({ ClientId: String(client.id), Username: 'grace@example.com', Password: 'Passw0rd1', UserAttributes: [{ Name: 'email', Value: 'grace@example.com' }] }));
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: String(pool.id), Username: 'grace@example.com' }));
    const verifier = JwtRsaVerifier.create({ issuer: `${cloud.endpoint}/${pool.id}`, audience: null, jwksUri: `${cloud.endpoint}/${pool.id}/.well-known/jwks.json` }, { jwksCache: httpJwksCache() });
    // act
    const { AuthenticationResult } = await cognito.send(
      new InitiateAuthCommand({ ClientId: String(client.id), AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'grace@example.com', PASSWORD: 'Passw0rd1' } }),
    );
    const access = await verifier.verify(AuthenticationResult?.AccessToken as string);
    const id = await verifier.verify(AuthenticationResult?.IdToken as string);
    // assess
    expect(access).toMatchObject({ token_use: 'access', client_id: client.id, iss: `${cloud.endpoint}/${pool.id}` });
    expect(id).toMatchObject({ token_use: 'id', email: 'grace@example.com', aud: client.id });
  });

  it('rejects a wrong password with the AWS error code', async () => {
    // act
    const failure = await cognito
      .send(new InitiateAuthCommand({ ClientId: String(client.id), AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'grace@example.com', PASSWORD: 'wrong-password' } }))
      .catch((error: unknown) => error);
    // assess
    expect(failure).toMatchObject({ name: 'NotAuthorizedException', $metadata: { httpStatusCode: 400 } });
  });
  describe('pre token generation V2 and user migration (what cognito-local 5.3 lacks)', () => {
    let v2Pool: Record<string, unknown>;
    let v2Client: Record<string, unknown>;
    const verifier = () =>
      JwtRsaVerifier.create({ issuer: `${cloud.endpoint}/${v2Pool.id}`, audience: null, jwksUri: `${cloud.endpoint}/${v2Pool.id}/.well-known/jwks.json` }, { jwksCache: httpJwksCache() });
    const signIn = (email: string, password: string) =>
      cognito.send(new InitiateAuthCommand({ ClientId: String(v2Client.id), AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }));
    const subOf = async (email: string) =>
      (await cognito.send(new AdminGetUserCommand({ UserPoolId: String(v2Pool.id), Username: email }))).UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value;

    beforeAll(async () => {
      v2Pool = await apply('aws_cognito_user_pool', 'v2', {
        name: 'kestrel-users-v2',
        username_attributes: ['email'],
        password_policy: { minimum_length: 8, require_symbols: false },
        lambda_config: { pre_token_generation_config: { lambda_arn: PRE_TOKEN, lambda_version: 'V2_0' }, user_migration: MIGRATE },
      });
      v2Client = await apply('aws_cognito_user_pool_client', 'v2-web', {
        name: 'v2-web',
        user_pool_id: v2Pool.id,
        explicit_auth_flows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      });
      for (const [name, precedence] of [['staff', 1], ['customers', 10], ['beta', 50]] as const) {
        await apply('aws_cognito_user_group', `v2-${name}`, { name, user_pool_id: v2Pool.id, precedence });
      }
    }, 60_000);

    it('sends the V2 event with the user’s groups and puts the answer’s claims in both tokens', async () => {
      // prepare: a confirmed user in three groups
      const email = 'ada.v2@example.com';
      await cognito.send(new SignUpCommand({ ClientId: String(v2Client.id), Username: email, Password: 'Passw0rd1', UserAttributes: [{ Name: 'email', Value: email }] }));
      await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: String(v2Pool.id), Username: email }));
      for (const group of ['beta', 'customers', 'staff']) await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: String(v2Pool.id), Username: email, GroupName: group }));
      const sub = await subOf(email);
      const before = invocations.length;
      // act
      const { AuthenticationResult: tokens } = await signIn(email, 'Passw0rd1');
      const refreshed = await cognito.send(
        new InitiateAuthCommand({ ClientId: String(v2Client.id), AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: tokens?.RefreshToken as string } }),
      );
      // assess: the event is AWS's V2 event
      const [event, refreshEvent] = invocations.slice(before).map((call) => call.event);
      expect(event).toMatchObject({
        version: '2',
        triggerSource: 'TokenGeneration_Authentication',
        region: 'eu-west-1',
        userPoolId: v2Pool.id,
        callerContext: { clientId: v2Client.id },
        request: {
          userAttributes: { sub, email },
          groupConfiguration: { groupsToOverride: ['staff', 'customers', 'beta'], iamRolesToOverride: [], preferredRole: null },
          scopes: ['aws.cognito.signin.user.admin'],
        },
        response: { claimsAndScopeOverrideDetails: null },
      });
      expect(refreshEvent).toMatchObject({ version: '2', triggerSource: 'TokenGeneration_RefreshTokens' });
      // assess: both tokens verify against the pool's JWKS and carry the claims
      const access = await verifier().verify(tokens?.AccessToken as string);
      const id = await verifier().verify(tokens?.IdToken as string);
      expect(access).toMatchObject({ token_use: 'access', sub, customerId: sub, roles: ['staff', 'customer'], 'cognito:groups': ['staff', 'customers'], client_id: v2Client.id });
      expect(String(access.scope).split(' ')).toEqual(['aws.cognito.signin.user.admin', 'kestrel/orders.read']);
      expect(id).toMatchObject({ token_use: 'id', sub, customerId: sub, roles: ['staff', 'customer'], 'cognito:groups': ['staff', 'customers'], email, aud: v2Client.id });
      expect(id).not.toHaveProperty('email_verified');
      expect(Object.keys(id).filter((claim) => claim.startsWith('local-cloud:'))).toEqual([]);
      const refreshedAccess = await verifier().verify(refreshed.AuthenticationResult?.AccessToken as string);
      expect(refreshedAccess).toMatchObject({ customerId: sub, roles: ['staff', 'customer'] });
    });

    it('gives a migrated user a sub, so the sign-in that migrates them and the next one both get tokens', async () => {
      // prepare
      const email = 'grace.legacy@example.com';
      // act
      const wrong = await signIn(email, 'not the legacy password').catch((error: Error) => error);
      const first = await signIn(email, LEGACY_PASSWORD);
      const second = await signIn(email, LEGACY_PASSWORD);
      // assess
      expect(wrong).toMatchObject({ name: 'NotAuthorizedException' });
      const sub = await subOf(email);
      expect(sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      for (const tokens of [first.AuthenticationResult, second.AuthenticationResult]) {
        expect(await verifier().verify(tokens?.IdToken as string)).toMatchObject({ token_use: 'id', sub, customerId: sub, email });
        expect(await verifier().verify(tokens?.AccessToken as string)).toMatchObject({ token_use: 'access', sub, customerId: sub, roles: [] });
      }
    });
  });
});
