import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminConfirmSignUpCommand,
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
import type { LambdaInvoker, LocalServiceFactory } from '../../src/core/types';

const PRE_SIGN_UP = 'arn:aws:lambda:us-east-1:000000000000:function:identity-pre-sign-up';

/** Stands in for the Lambda module: records trigger events and auto-confirms `auto+…` addresses. */
const invocations: Array<{ functionName: string; event: Record<string, unknown> }> = [];
const lambdaStandIn: LocalServiceFactory = () => {
  const invoker: LambdaInvoker = {
    functionExists: (name) => name === PRE_SIGN_UP,
    async invoke(functionName, payload) {
      const event = payload as { request: { userAttributes: { email: string } }; response: Record<string, unknown> };
      invocations.push({ functionName, event: payload as Record<string, unknown> });
      if (event.request.userAttributes.email.startsWith('blocked')) return { statusCode: 200, payload: { errorType: 'Error', errorMessage: 'domain not allowed' }, functionError: 'Unhandled' };
      return { statusCode: 200, payload: { ...event, response: { ...event.response, autoConfirmUser: event.request.userAttributes.email.startsWith('auto') } } };
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
    cognito = new CognitoIdentityProviderClient({ endpoint: cloud.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDANY', secretAccessKey: 'any' } });
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
      arn: `arn:aws:cognito-idp:us-east-1:000000000000:userpool/${pool.id}`,
      endpoint: `cognito-idp.us-east-1.amazonaws.com/${pool.id}`,
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
    expect(triggered[0]?.event).toMatchObject({ triggerSource: 'PreSignUp_SignUp', region: 'us-east-1', userPoolId: pool.id });
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
});
