import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { apiGatewayModuleFactory } from '../../src/services/apigateway';
import type { ApiGatewayModule } from '../../src/services/apigateway';
import type { InvokeResult, LambdaInvoker } from '../../src/core/types';
import { applyResource, startHarness } from '../sqs/harness';
import type { Harness } from '../sqs/harness';

// ---- a signing key and JWKS standing in for the identity provider ----
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };
/** What the stack configures (AWS's Cognito issuer form)… */
const AWS_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1';
/** …and what local tokens carry: the edge endpoint stands in for cognito-idp.<region>.amazonaws.com. */
let ISSUER = '';
const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

function sign(claims: Record<string, unknown>, issuer: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', kid: 'test-key', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ iss: issuer, iat: now, exp: now + 3600, ...claims }));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}

// ---- a scripted Lambda ----
type Script = (event: Record<string, unknown>) => Promise<InvokeResult> | InvokeResult;
class ScriptedLambda implements LambdaInvoker {
  readonly calls: Array<{ fn: string; event: Record<string, unknown> }> = [];
  scripts = new Map<string, Script>();
  allowed = true;
  async invoke(fn: string, event: unknown): Promise<InvokeResult> {
    this.calls.push({ fn, event: event as Record<string, unknown> });
    const script = this.scripts.get(fn);
    if (!script) throw new Error(`Function not found: ${fn}`);
    return script(event as Record<string, unknown>);
  }
  functionExists(fn: string): boolean {
    return this.scripts.has(fn);
  }
  isInvokeAllowed(): boolean {
    return this.allowed;
  }
}

/** A fresh connection: fetch's pooled sockets to the listener closed by the restart would fail. */
function getWithoutKeepAlive(target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet(target, { agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    }).on('error', reject);
  });
}

const fn = (name: string) => `arn:aws:lambda:eu-west-1:000000000000:function:${name}`;

describe('HTTP API served on its listener', () => {
  let harness: Harness;
  let module: ApiGatewayModule;
  let url: string;
  let jwksFetches: string[];
  const lambda = new ScriptedLambda();

  const apply = (type: string, name: string, config: Record<string, unknown>) =>
    applyResource(harness.modules, { stack: 'customers', type, name, address: `${type}.${name}`, config, stackDir: '/tmp' });

  beforeAll(async () => {
    jwksFetches = [];
    harness = await startHarness(
      [
        apiGatewayModuleFactory({
          fetchJwks: async (uri) => {
            jwksFetches.push(uri);
            return new TextEncoder().encode(JSON.stringify({ keys: [jwk] })).buffer as ArrayBuffer;
          },
        }),
      ],
      { extraPeers: { lambda } },
    );
    module = harness.modules[0] as ApiGatewayModule;
    ISSUER = `${harness.edge.endpoint}/eu-west-1_TestPool1`;
    const api = await apply('aws_apigatewayv2_api', 'http', {
      name: 'customers-http',
      protocol_type: 'HTTP',
      cors_configuration: { allow_origins: ['http://localhost:5173'], allow_methods: ['GET', 'POST'], allow_headers: ['authorization', 'content-type'], expose_headers: ['x-request-id'], max_age: 600 },
    });
    const apiId = api.id as string;
    url = api.api_endpoint as string;
    await apply('aws_apigatewayv2_stage', 'default', { api_id: apiId, name: '$default', auto_deploy: true });
    const authorizer = await apply('aws_apigatewayv2_authorizer', 'cognito', {
      api_id: apiId,
      name: 'cognito',
      authorizer_type: 'JWT',
      identity_sources: ['$request.header.Authorization'],
      jwt_configuration: { issuer: AWS_ISSUER, audience: ['client-123'] },
    });
    const integrate = async (name: string, timeout?: number) =>
      (
        await apply('aws_apigatewayv2_integration', name, {
          api_id: apiId,
          integration_type: 'AWS_PROXY',
          integration_uri: `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${fn(name)}/invocations`,
          payload_format_version: '2.0',
          ...(timeout ? { timeout_milliseconds: timeout } : {}),
        })
      ).id as string;
    const route = (name: string, routeKey: string, integration: string, auth?: { scopes?: string[] }) =>
      apply('aws_apigatewayv2_route', name, {
        api_id: apiId,
        route_key: routeKey,
        target: `integrations/${integration}`,
        ...(auth ? { authorization_type: 'JWT', authorizer_id: authorizer.id, authorization_scopes: auth.scopes ?? [] } : {}),
      });
    await route('get', 'GET /customers/{customerId}', await integrate('get-customer'), {});
    await route('post', 'POST /customers', await integrate('create-customer'), { scopes: ['customers/write'] });
    await route('public', 'GET /health', await integrate('health'));
    await route('slow', 'GET /slow', await integrate('slow', 100));
    await route('broken', 'GET /broken', await integrate('broken'));
  });
  afterAll(async () => {
    await harness.stop();
  });
  beforeEach(() => {
    lambda.calls.length = 0;
    lambda.allowed = true;
    lambda.scripts = new Map<string, Script>([
      [fn('get-customer'), (event) => ({ statusCode: 200, payload: { statusCode: 200, headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' }, cookies: ['seen=1', 'v=2'], body: JSON.stringify({ id: (event.pathParameters as Record<string, string>).customerId }) } })],
      [fn('create-customer'), () => ({ statusCode: 200, payload: { created: true } })],
      [fn('health'), () => ({ statusCode: 200, payload: 'ok' })],
      [fn('slow'), () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200, payload: 'late' }), 1_000))],
      [fn('broken'), () => ({ statusCode: 200, payload: { errorType: 'TypeError', errorMessage: 'boom' }, functionError: 'Unhandled' })],
    ]);
  });

  it('invokes the route with a payload 2.0 event and returns the structured response, cookies included', async () => {
    // prepare
    const token = sign({ sub: 'u-1', client_id: 'client-123', token_use: 'access', scope: 'customers/read aws.cognito.signin.user.admin', 'cognito:groups': ['admins', 'staff'] }, ISSUER);
    // act
    const response = await fetch(`${url}/customers/c-42?expand=orders`, { headers: { authorization: `Bearer ${token}`, cookie: 'session=s1' } });
    // assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'c-42' });
    expect(response.headers.getSetCookie()).toEqual(['seen=1', 'v=2']);
    expect(response.headers.get('apigw-requestid')).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    const event = lambda.calls[0]?.event as { headers: Record<string, string>; requestContext: { authorizer: { jwt: unknown } } };
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /customers/{customerId}',
      rawPath: '/customers/c-42',
      rawQueryString: 'expand=orders',
      cookies: ['session=s1'],
      queryStringParameters: { expand: 'orders' },
      pathParameters: { customerId: 'c-42' },
      isBase64Encoded: false,
      requestContext: { accountId: '000000000000', apiId: url.split('/').pop(), stage: '$default', http: { method: 'GET', path: '/customers/c-42', sourceIp: '127.0.0.1' } },
    });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event.requestContext.authorizer.jwt).toEqual({
      claims: expect.objectContaining({ sub: 'u-1', client_id: 'client-123', 'cognito:groups': '[admins staff]', exp: expect.stringMatching(/^\d+$/), iss: ISSUER }),
      scopes: ['customers/read', 'aws.cognito.signin.user.admin'],
    });
    expect(jwksFetches).toEqual([`${harness.edge.endpoint}/eu-west-1_TestPool1/.well-known/jwks.json`]);
  });

  it('answers 401 for a missing, forged, expired or wrong-audience token without calling the function', async () => {
    // prepare
    const good = sign({ sub: 'u-1', aud: 'client-123' }, ISSUER);
    const [header, payload] = good.split('.');
    const forged = `${header}.${base64url(JSON.stringify({ ...JSON.parse(Buffer.from(payload as string, 'base64url').toString()), sub: 'admin' }))}.${good.split('.')[2]}`;
    const tokens = [undefined, forged, sign({ aud: 'client-123', exp: Math.floor(Date.now() / 1000) - 60 }, ISSUER), sign({ aud: 'someone-else' }, ISSUER), sign({ aud: 'client-123' }, AWS_ISSUER)];
    // act
    const responses = await Promise.all(tokens.map((token) => fetch(`${url}/customers/c-1`, { headers: token ? { authorization: token } : {} })));
    // assess
    for (const response of responses) {
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
    }
    expect(lambda.calls).toHaveLength(0);
    expect(module.service.recentRequests().slice(-5).map((entry) => entry.note)).toEqual([
      'no token in the identity source',
      expect.stringContaining('signature'),
      'the token has expired',
      expect.stringContaining('is not one of ["client-123"]'),
      expect.stringContaining(`Issuer not allowed: ${AWS_ISSUER}`),
    ]);
  });

  it('answers 403 when the token has none of the route scopes', async () => {
    const reader = sign({ client_id: 'client-123', scope: 'customers/read' }, ISSUER);
    const writer = sign({ client_id: 'client-123', scope: 'customers/write' }, ISSUER);
    const denied = await fetch(`${url}/customers`, { method: 'POST', headers: { authorization: reader }, body: '{}' });
    const allowed = await fetch(`${url}/customers`, { method: 'POST', headers: { authorization: writer, 'content-type': 'application/json' }, body: '{"name":"Ada"}' });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ message: 'Forbidden' });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('content-type')).toBe('application/json');
    expect(await allowed.json()).toEqual({ created: true });
    expect(lambda.calls[0]?.event.body).toBe('{"name":"Ada"}');
  });

  it('answers 404 Not Found, 500 for function errors or missing permission, and 503 on integration timeout', async () => {
    // act
    const notFound = await fetch(`${url}/nothing-here`);
    const broken = await fetch(`${url}/broken`);
    const slow = await fetch(`${url}/slow`);
    lambda.allowed = false;
    const unpermitted = await fetch(`${url}/health`);
    // assess
    expect([notFound.status, await notFound.json()]).toEqual([404, { message: 'Not Found' }]);
    expect([broken.status, await broken.json()]).toEqual([500, { message: 'Internal Server Error' }]);
    expect([slow.status, await slow.json()]).toEqual([503, { message: 'Service Unavailable' }]);
    expect([unpermitted.status, await unpermitted.json()]).toEqual([500, { message: 'Internal Server Error' }]);
    expect(module.service.recentRequests().at(-1)?.note).toContain('no aws_lambda_permission lets apigateway.amazonaws.com invoke');
  });

  it('answers CORS preflight itself and puts its CORS headers on responses', async () => {
    // act
    const preflight = await fetch(`${url}/customers`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } });
    const other = await fetch(`${url}/customers`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    const token = sign({ client_id: 'client-123' }, ISSUER);
    const actual = await fetch(`${url}/customers/c-1`, { headers: { origin: 'http://localhost:5173', authorization: token } });
    // assess
    expect(preflight.status).toBe(204);
    expect(Object.fromEntries([...preflight.headers].filter(([name]) => name.startsWith('access-control-')))).toEqual({
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '600',
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // The function's own `access-control-allow-origin: *` is replaced by the API's CORS answer.
    expect(actual.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(actual.headers.get('access-control-expose-headers')).toBe('x-request-id');
    expect(lambda.calls).toHaveLength(1);
  });

  it('serves a named stage under its own path segment, with its stage variables', async () => {
    // prepare
    await apply('aws_apigatewayv2_stage', 'v1', { api_id: url.split('/').pop(), name: 'v1', stage_variables: { tier: 'gold' } });
    // act
    const response = await fetch(`${url}/v1/health`);
    // assess
    expect(response.status).toBe(200);
    expect(lambda.calls[0]?.event).toMatchObject({ rawPath: '/v1/health', routeKey: 'GET /health', stageVariables: { tier: 'gold' }, requestContext: { stage: 'v1' } });
  });

  it('lists the API in the local state with its URL and routes', async () => {
    const state = (await (await fetch(`${harness.edge.endpoint}/_local/state`)).json()) as { httpApis: Array<Record<string, unknown>> };
    expect(state.httpApis).toEqual([
      { name: 'customers-http', id: url.split('/').pop(), url, stages: ['$default', 'v1'], routes: ['GET /broken', 'GET /customers/{customerId}', 'GET /health', 'GET /slow', 'POST /customers'] },
    ]);
  });

  it('keeps the API, its id and its port across a graceful stop and start', async () => {
    // act
    await harness.restart();
    module = harness.modules[0] as ApiGatewayModule;
    const response = await getWithoutKeepAlive(`${url}/health`);
    // assess
    expect(module.apiUrl(url.split('/').pop() as string)).toBe(url);
    expect(response).toEqual({ status: 200, body: 'ok' });
  });

  it('refuses resources it cannot emulate, naming the address', async () => {
    await expect(apply('aws_apigatewayv2_api', 'ws', { name: 'ws', protocol_type: 'WEBSOCKET' })).rejects.toThrow("aws_apigatewayv2_api.ws: protocol_type 'WEBSOCKET' is not emulated");
    const apiId = url.split('/').pop();
    await expect(
      apply('aws_apigatewayv2_integration', 'v1', { api_id: apiId, integration_type: 'AWS_PROXY', integration_uri: fn('x') }),
    ).rejects.toThrow("aws_apigatewayv2_integration.v1: payload_format_version '1.0' is not emulated locally");
    await expect(apply('aws_apigatewayv2_route', 'dup', { api_id: apiId, route_key: 'GET /health' })).rejects.toThrow("aws_apigatewayv2_route.dup: route 'GET /health' already exists");
  });
});
