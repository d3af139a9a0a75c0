/**
 * The read-only API Gateway v2 management API (`/v2/apis…`) through the real
 * `@aws-sdk/client-apigatewayv2` and Debian's awscli, over an HTTP API applied
 * the way the services' stacks declare theirs (CORS for any origin, a JWT
 * authorizer, Lambda proxy routes); and that API answering a browser on
 * another device (preflight from a LAN origin).
 */
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  GetApiCommand,
  GetApisCommand,
  GetAuthorizersCommand,
  GetIntegrationsCommand,
  GetRouteCommand,
  GetRoutesCommand,
  GetStagesCommand,
  type ApiGatewayV2ServiceException,
} from '@aws-sdk/client-apigatewayv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvokeResult, LambdaInvoker } from '../../src/core/types';
import { apiGatewayModuleFactory } from '../../src/services/apigateway';
import { applyResource, clientConfig, startHarness, type Harness } from '../sqs/harness';
import { awsCli, awsCliInstalled, AWS_CLI_SKIP_REASON, cliJson } from '../support/aws-cli';

const functionArn = (name: string) => `arn:aws:lambda:eu-west-1:000000000000:function:${name}`;

class EchoLambda implements LambdaInvoker {
  async invoke(): Promise<InvokeResult> {
    return { statusCode: 200, payload: { statusCode: 200, body: 'ok' } };
  }
  functionExists(): boolean {
    return true;
  }
}

let harness: Harness;
let apigateway: ApiGatewayV2Client;
let apiId: string;
let apiUrl: string;
const routeIds: Record<string, string> = {};

const apply = (type: string, name: string, config: Record<string, unknown>) =>
  applyResource(harness.modules, { stack: 'catalog', type, name, address: `${type}.${name}`, config, stackDir: '/tmp' });

beforeAll(async () => {
  harness = await startHarness([apiGatewayModuleFactory({ port: 0 })], { extraPeers: { lambda: new EchoLambda() } });
  apigateway = new ApiGatewayV2Client({ ...clientConfig(harness.edge.endpoint), maxAttempts: 1 });
  // As `ServiceHttpApi` (libs/infra-constructs) synthesizes it for staging.
  const api = await apply('aws_apigatewayv2_api', 'http', {
    name: 'catalog-staging-http',
    description: 'Products and stores.',
    protocol_type: 'HTTP',
    cors_configuration: {
      allow_origins: ['*'],
      allow_methods: ['GET', 'POST'],
      allow_headers: ['authorization', 'content-type', 'if-match'],
      expose_headers: ['etag', 'location'],
      max_age: 3600,
    },
  });
  apiId = api.id as string;
  apiUrl = api.api_endpoint as string;
  await apply('aws_apigatewayv2_stage', 'stage', { api_id: apiId, name: '$default', auto_deploy: true });
  const authorizer = await apply('aws_apigatewayv2_authorizer', 'jwt', {
    api_id: apiId,
    name: 'identity-user-pool',
    authorizer_type: 'JWT',
    identity_sources: ['$request.header.Authorization'],
    jwt_configuration: { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool', audience: ['client-1'] },
  });
  const integration = await apply('aws_apigatewayv2_integration', 'list', {
    api_id: apiId,
    integration_type: 'AWS_PROXY',
    integration_uri: functionArn('http-list-products'),
    payload_format_version: '2.0',
  });
  for (const [name, routeKey, jwt] of [['list', 'GET /products', true], ['health', 'GET /health', false]] as const) {
    const route = await apply('aws_apigatewayv2_route', name, {
      api_id: apiId,
      route_key: routeKey,
      target: `integrations/${integration.id}`,
      ...(jwt ? { authorization_type: 'JWT', authorizer_id: authorizer.id, authorization_scopes: ['catalog/read'] } : {}),
    });
    routeIds[routeKey] = route.id as string;
  }
});

afterAll(async () => {
  apigateway?.destroy();
  await harness?.stop();
});

describe('API Gateway v2 management API through the SDK', () => {
  it('lists the HTTP APIs with their endpoint and CORS configuration', async () => {
    // act
    const { Items = [] } = await apigateway.send(new GetApisCommand({}));
    const one = await apigateway.send(new GetApiCommand({ ApiId: apiId }));
    // assess
    expect(Items).toHaveLength(1);
    expect(one).toMatchObject({
      ApiId: apiId,
      Name: 'catalog-staging-http',
      Description: 'Products and stores.',
      ProtocolType: 'HTTP',
      ApiEndpoint: apiUrl,
      RouteSelectionExpression: '$request.method $request.path',
      CorsConfiguration: { AllowOrigins: ['*'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['authorization', 'content-type', 'if-match'], ExposeHeaders: ['etag', 'location'], MaxAge: 3600 },
    });
    expect(one.CreatedDate).toBeInstanceOf(Date);
    expect(Items[0]).toMatchObject({ ApiId: apiId, ApiEndpoint: apiUrl });
  });

  it('lists routes, stages, integrations and authorizers as applied', async () => {
    // act
    const routes = await apigateway.send(new GetRoutesCommand({ ApiId: apiId }));
    const route = await apigateway.send(new GetRouteCommand({ ApiId: apiId, RouteId: routeIds['GET /products'] }));
    const stages = await apigateway.send(new GetStagesCommand({ ApiId: apiId }));
    const integrations = await apigateway.send(new GetIntegrationsCommand({ ApiId: apiId }));
    const authorizers = await apigateway.send(new GetAuthorizersCommand({ ApiId: apiId }));
    // assess
    expect(routes.Items?.map((item) => item.RouteKey).sort()).toEqual(['GET /health', 'GET /products']);
    expect(route).toMatchObject({ RouteKey: 'GET /products', AuthorizationType: 'JWT', AuthorizationScopes: ['catalog/read'], Target: expect.stringMatching(/^integrations\//) });
    expect(stages.Items).toEqual([expect.objectContaining({ StageName: '$default', AutoDeploy: true })]);
    expect(integrations.Items).toEqual([
      expect.objectContaining({ IntegrationType: 'AWS_PROXY', IntegrationUri: functionArn('http-list-products'), PayloadFormatVersion: '2.0', TimeoutInMillis: 30_000 }),
    ]);
    expect(authorizers.Items).toEqual([
      expect.objectContaining({ Name: 'identity-user-pool', AuthorizerType: 'JWT', JwtConfiguration: { Issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool', Audience: ['client-1'] } }),
    ]);
  });

  it('pages with MaxResults and NextToken', async () => {
    // act
    const first = await apigateway.send(new GetRoutesCommand({ ApiId: apiId, MaxResults: '1' }));
    const second = await apigateway.send(new GetRoutesCommand({ ApiId: apiId, MaxResults: '1', NextToken: first.NextToken }));
    // assess
    expect(first.Items).toHaveLength(1);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(second.Items).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    expect(new Set([first.Items?.[0]?.RouteKey, second.Items?.[0]?.RouteKey]).size).toBe(2);
  });

  it('answers unknown ids with NotFoundException and writes with a pointer to the stack', async () => {
    const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: ApiGatewayV2ServiceException) => ({ name: error.name, message: error.message, status: error.$metadata.httpStatusCode }));
    // act
    const missing = await rejection(apigateway.send(new GetRoutesCommand({ ApiId: 'nosuchapi1' })));
    const write = await rejection(apigateway.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP' })));
    // assess
    expect(missing).toEqual({ name: 'NotFoundException', message: 'Invalid API identifier specified 000000000000:nosuchapi1', status: 404 });
    expect(write).toMatchObject({ name: 'BadRequestException', message: expect.stringContaining('read-only'), status: 400 });
  });
});

describe('an HTTP API called from a browser on another device', () => {
  it('answers a preflight from any origin and marks responses readable', async () => {
    // act
    const preflight = await fetch(`${apiUrl}/products`, {
      method: 'OPTIONS',
      headers: { origin: 'http://192.168.1.23:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    const response = await fetch(`${apiUrl}/health`, { headers: { origin: 'http://192.168.1.23:5173' } });
    // assess
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type,if-match');
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toBe('etag,location');
  });

  it('the edge answers a browser SDK call’s preflight (Cognito sign-in from a web app)', async () => {
    // act
    const preflight = await fetch(harness.edge.endpoint, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-amz-target,x-amz-user-agent' },
    });
    const call = await fetch(`${harness.edge.endpoint}/_local/health`, { headers: { origin: 'http://localhost:5173' } });
    // assess
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,x-amz-target,x-amz-user-agent');
    expect(call.headers.get('access-control-allow-origin')).toBe('*');
    expect(call.headers.get('access-control-expose-headers')).toContain('x-amzn-requestid');
  });
});

describe.skipIf(!awsCliInstalled)(`apigatewayv2 with the AWS CLI from Debian's awscli (${awsCliInstalled ? '/usr/bin/aws' : AWS_CLI_SKIP_REASON})`, { timeout: 180_000 }, () => {
  it('get-apis, get-routes and get-stages', async () => {
    // act
    const apis = cliJson<{ Items: Array<{ ApiId: string; Name: string; ApiEndpoint: string }> }>(await awsCli(harness.edge.endpoint, ['apigatewayv2', 'get-apis']));
    const routes = cliJson<{ Items: Array<{ RouteKey: string }> }>(await awsCli(harness.edge.endpoint, ['apigatewayv2', 'get-routes', '--api-id', apiId]));
    const stages = cliJson<{ Items: Array<{ StageName: string }> }>(await awsCli(harness.edge.endpoint, ['apigatewayv2', 'get-stages', '--api-id', apiId]));
    // assess
    expect(apis.Items).toEqual([expect.objectContaining({ ApiId: apiId, Name: 'catalog-staging-http', ApiEndpoint: apiUrl })]);
    expect(routes.Items.map((route) => route.RouteKey).sort()).toEqual(['GET /health', 'GET /products']);
    expect(stages.Items.map((stage) => stage.StageName)).toEqual(['$default']);
  });
});
