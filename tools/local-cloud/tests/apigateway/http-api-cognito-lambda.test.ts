import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createCognitoModule } from '../../src/services/cognito';
import { createLambdaModule } from '../../src/services/lambda';
import { createApiGatewayModule } from '../../src/services/apigateway';
import { applyResource, clientConfig, startHarness } from '../sqs/harness';
import type { Harness } from '../sqs/harness';

/** The function behind the route: it answers with what API Gateway told it. */
const HANDLER = `export const handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ routeKey: event.routeKey, pathParameters: event.pathParameters, authorizer: event.requestContext.authorizer }),
});
`;

describe('HTTP API with a JWT authorizer over cognito-local tokens and a real local Lambda', () => {
  let harness: Harness;
  let stackDir: string;
  let url: string;
  let tokens: { access: string; id: string };
  let clientId: string;

  const apply = (type: string, name: string, config: Record<string, unknown>) =>
    applyResource(harness.modules, { stack: 'customers', type, name, address: `${type}.${name}`, config, stackDir: stackDir });

  beforeAll(async () => {
    stackDir = mkdtempSync(join(tmpdir(), 'http-api-stack-'));
    mkdirSync(join(stackDir, 'assets', 'whoami'), { recursive: true });
    writeFileSync(join(stackDir, 'assets', 'whoami', 'archive.zip'), zipSync({ 'index.mjs': new TextEncoder().encode(HANDLER) }));
    harness = await startHarness([createCognitoModule, createLambdaModule, createApiGatewayModule]);

    // Identity: a pool, an app client, a group and a confirmed user in it.
    const pool = await apply('aws_cognito_user_pool', 'users', { name: 'kestrel-users' });
    const client = await apply('aws_cognito_user_pool_client', 'web', { name: 'web', user_pool_id: pool.id, explicit_auth_flows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    clientId = client.id as string;
    await apply('aws_cognito_user_group', 'admins', { name: 'admins', user_pool_id: pool.id });
    const cognito = new CognitoIdentityProviderClient(clientConfig(harness.edge.endpoint));
    await cognito.send(new SignUpCommand({ ClientId: clientId, Username: 'ada', Password: 'Passw0rd!Passw0rd', UserAttributes: [{ Name: 'email', Value: 'ada@example.com' }] }));
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.id as string, Username: 'ada' }));
    await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.id as string, Username: 'ada', GroupName: 'admins' }));
    const auth = await cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ada', PASSWORD: 'Passw0rd!Passw0rd' } }));
    tokens = { access: auth.AuthenticationResult?.AccessToken as string, id: auth.AuthenticationResult?.IdToken as string };
    cognito.destroy();

    // The API as a service stack declares it: issuer in AWS's form, built from the pool's `endpoint`.
    const fn = await apply('aws_lambda_function', 'whoami', {
      function_name: 'customers-whoami',
      handler: 'index.handler',
      runtime: 'nodejs24.x',
      filename: 'assets/whoami/archive.zip',
      role: 'arn:aws:iam::000000000000:role/whoami',
    });
    const api = await apply('aws_apigatewayv2_api', 'http', { name: 'customers-http', protocol_type: 'HTTP' });
    url = api.api_endpoint as string;
    await apply('aws_lambda_permission', 'api', {
      statement_id: 'AllowApiGateway',
      action: 'lambda:InvokeFunction',
      function_name: fn.function_name ?? 'customers-whoami',
      principal: 'apigateway.amazonaws.com',
      source_arn: `${api.execution_arn}/*/*`,
    });
    await apply('aws_apigatewayv2_stage', 'default', { api_id: api.id, name: '$default', auto_deploy: true });
    const authorizer = await apply('aws_apigatewayv2_authorizer', 'cognito', {
      api_id: api.id,
      name: 'cognito',
      authorizer_type: 'JWT',
      identity_sources: ['$request.header.Authorization'],
      jwt_configuration: { issuer: `https://${pool.endpoint}`, audience: [clientId] },
    });
    const integration = await apply('aws_apigatewayv2_integration', 'whoami', {
      api_id: api.id,
      integration_type: 'AWS_PROXY',
      integration_uri: fn.invoke_arn ?? fn.arn,
      payload_format_version: '2.0',
    });
    await apply('aws_apigatewayv2_route', 'whoami', {
      api_id: api.id,
      route_key: 'GET /customers/{customerId}/whoami',
      target: `integrations/${integration.id}`,
      authorization_type: 'JWT',
      authorizer_id: authorizer.id,
    });
  }, 120_000);
  afterAll(async () => {
    await harness?.stop();
    rmSync(stackDir, { recursive: true, force: true });
  }, 60_000);

  it('accepts a cognito-local access token and passes its claims as API Gateway does', async () => {
    // act
    const response = await fetch(`${url}/customers/c-7/whoami`, { headers: { authorization: `Bearer ${tokens.access}` } });
    // assess
    expect(response.status).toBe(200);
    const body = (await response.json()) as { routeKey: string; pathParameters: unknown; authorizer: { jwt: { claims: Record<string, string>; scopes: string[] } } };
    expect(body.routeKey).toBe('GET /customers/{customerId}/whoami');
    expect(body.pathParameters).toEqual({ customerId: 'c-7' });
    expect(body.authorizer.jwt.claims).toMatchObject({ client_id: clientId, token_use: 'access', username: 'ada', 'cognito:groups': '[admins]', iss: `${harness.edge.endpoint}/${body.authorizer.jwt.claims.iss?.split('/').pop()}` });
    expect(body.authorizer.jwt.claims.exp).toMatch(/^\d+$/);
    expect(body.authorizer.jwt.scopes).toEqual(['aws.cognito.signin.user.admin']);
  }, 60_000);

  it('accepts the ID token (aud is the client) and rejects requests without a valid token', async () => {
    const withId = await fetch(`${url}/customers/c-7/whoami`, { headers: { authorization: tokens.id } });
    const without = await fetch(`${url}/customers/c-7/whoami`);
    const tampered = await fetch(`${url}/customers/c-7/whoami`, { headers: { authorization: `${tokens.access.slice(0, -4)}AAAA` } });
    expect(withId.status).toBe(200);
    expect(((await withId.json()) as { authorizer: { jwt: { claims: Record<string, string>; scopes: unknown } } }).authorizer.jwt).toMatchObject({ claims: { aud: clientId, email: 'ada@example.com', token_use: 'id' }, scopes: null });
    expect([without.status, await without.json()]).toEqual([401, { message: 'Unauthorized' }]);
    expect([tampered.status, await tampered.json()]).toEqual([401, { message: 'Unauthorized' }]);
  }, 60_000);
});
