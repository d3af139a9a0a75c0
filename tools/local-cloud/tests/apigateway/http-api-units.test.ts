import { describe, expect, it } from 'vitest';
import { parseRouteKey, selectRoute } from '../../src/services/apigateway/routing';
import { buildEvent, isTextContentType, mapLambdaResult, requestTime } from '../../src/services/apigateway/payload';
import type { IncomingHttpRequest } from '../../src/services/apigateway/payload';
import { localIssuer, stringifyClaim } from '../../src/services/apigateway/jwt-authorizer';
import { functionArnFromUri } from '../../src/services/apigateway/http-api-service';

describe('HTTP API route selection', () => {
  const routes = ['GET /pets/dog/1', 'GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /{proxy+}', 'ANY /pets/dog/{id}', 'POST /pets', '$default'].map((routeKey) => parseRouteKey(routeKey));
  const select = (method: string, path: string) => selectRoute(routes, method, path, (route) => route);

  it.each([
    ['GET', '/pets/dog/1', 'GET /pets/dog/1', undefined],
    ['GET', '/pets/dog/2', 'GET /pets/dog/{id}', { id: '2' }],
    ['DELETE', '/pets/dog/2', 'ANY /pets/dog/{id}', { id: '2' }],
    ['GET', '/pets/cat/1', 'GET /pets/{proxy+}', { proxy: 'cat/1' }],
    ['POST', '/pets', 'POST /pets', undefined],
    ['POST', '/pets/cat', 'ANY /{proxy+}', { proxy: 'pets/cat' }],
    ['GET', '/', '$default', undefined],
    ['GET', '/pets/dog/a%20b', 'GET /pets/dog/{id}', { id: 'a b' }],
  ])('%s %s → %s', (method, path, routeKey, pathParameters) => {
    const match = select(method, path);
    expect(match?.route.routeKey).toBe(routeKey);
    expect(match?.pathParameters).toEqual(pathParameters);
  });

  it('finds nothing when there is no matching route and no $default', () => {
    const withoutDefault = routes.filter((route) => route.routeKey !== '$default' && route.method !== 'ANY');
    expect(selectRoute(withoutDefault, 'PUT', '/pets', (route) => route)).toBeUndefined();
  });

  it.each([
    ['GET /a/{proxy+}/b', 'must be the last path segment'],
    ['FETCH /a', 'method must be one of'],
    ['GET a', "must be '$default' or '<METHOD> /<path>'"],
    ['GET /a//b', 'is not a valid path segment'],
  ])('refuses route key %s', (routeKey, message) => {
    expect(() => parseRouteKey(routeKey)).toThrow(message);
  });
});

describe('payload format 2.0 event', () => {
  const request: IncomingHttpRequest = {
    method: 'POST',
    rawPath: '/customers/c%201',
    rawQueryString: 'tag=a&tag=b&q=hello%20world&flag',
    headers: [
      ['Content-Type', 'application/json'],
      ['X-Multi', 'one'],
      ['x-multi', 'two'],
      ['Cookie', 'session=abc; theme=dark'],
      ['User-Agent', 'vitest'],
    ],
    body: Buffer.from('{"name":"Ada"}'),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    host: '127.0.0.1:4567',
  };
  const now = Date.UTC(2026, 2, 12, 19, 3, 58, 390);

  it('carries every field API Gateway sends, with its encodings', () => {
    // act
    const event = buildEvent(request, {
      accountId: '000000000000',
      apiId: 'abcde12345',
      stage: '$default',
      routeKey: 'POST /customers/{customerId}',
      pathParameters: { customerId: 'c 1' },
      authorizer: { jwt: { claims: { sub: 'u-1' }, scopes: ['customers/write'] } },
      requestId: 'JKJaXmPLvHcESHA=',
      now,
    });
    // assess
    expect(event).toEqual({
      version: '2.0',
      routeKey: 'POST /customers/{customerId}',
      rawPath: '/customers/c%201',
      rawQueryString: 'tag=a&tag=b&q=hello%20world&flag',
      cookies: ['session=abc', 'theme=dark'],
      headers: { 'content-type': 'application/json', 'x-multi': 'one,two', 'user-agent': 'vitest' },
      queryStringParameters: { tag: 'a,b', q: 'hello world', flag: '' },
      requestContext: {
        accountId: '000000000000',
        apiId: 'abcde12345',
        authorizer: { jwt: { claims: { sub: 'u-1' }, scopes: ['customers/write'] } },
        domainName: '127.0.0.1:4567',
        domainPrefix: '127',
        http: { method: 'POST', path: '/customers/c%201', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
        requestId: 'JKJaXmPLvHcESHA=',
        routeKey: 'POST /customers/{customerId}',
        stage: '$default',
        time: '12/Mar/2026:19:03:58 +0000',
        timeEpoch: now,
      },
      body: '{"name":"Ada"}',
      pathParameters: { customerId: 'c 1' },
      isBase64Encoded: false,
    });
  });

  it('leaves out empty parts and base64-encodes bodies that are not text', () => {
    const event = buildEvent(
      { ...request, rawQueryString: '', headers: [['content-type', 'application/octet-stream']], body: Buffer.from([0, 1, 2]) },
      { accountId: '000000000000', apiId: 'abcde12345', stage: '$default', routeKey: '$default', requestId: 'r', now },
    );
    expect(event).not.toHaveProperty('cookies');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('stageVariables');
    expect(event).toMatchObject({ body: 'AAEC', isBase64Encoded: true });
    expect((event.requestContext as Record<string, unknown>).authorizer).toBeUndefined();
  });

  it('knows which content types are text', () => {
    expect(['text/plain; charset=utf-8', 'application/json', 'application/problem+json', 'application/xml', 'application/javascript'].every(isTextContentType)).toBe(true);
    expect(['application/octet-stream', 'image/png', 'application/x-www-form-urlencoded', undefined].some(isTextContentType)).toBe(false);
  });

  it('formats requestContext.time like API Gateway', () => {
    expect(requestTime(Date.UTC(2020, 2, 4, 19, 3, 58))).toBe('04/Mar/2020:19:03:58 +0000');
  });
});

describe('Lambda result mapping (2.0)', () => {
  it('uses a structured response as given', () => {
    const result = mapLambdaResult({ statusCode: 201, headers: { Location: '/c/1', 'X-N': 3 }, cookies: ['a=1', 'b=2'], body: '{"id":"c-1"}' });
    expect(result).toEqual({ status: 201, headers: { location: '/c/1', 'x-n': '3' }, cookies: ['a=1', 'b=2'], body: Buffer.from('{"id":"c-1"}') });
  });

  it('decodes base64 bodies', () => {
    expect(mapLambdaResult({ statusCode: 200, body: 'aGk=', isBase64Encoded: true }).body.toString()).toBe('hi');
  });

  it('infers 200 application/json for anything without statusCode, as the docs table shows', () => {
    expect(mapLambdaResult('Hello from Lambda!')).toMatchObject({ status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('Hello from Lambda!') });
    expect(mapLambdaResult({ message: 'Hello from Lambda!' }).body.toString()).toBe('{"message":"Hello from Lambda!"}');
    expect(mapLambdaResult([1, 2]).body.toString()).toBe('[1,2]');
  });

  it('answers 500 for a structured response API Gateway cannot use', () => {
    expect(mapLambdaResult({ statusCode: 'oops' })).toMatchObject({ status: 500, body: Buffer.from('{"message":"Internal Server Error"}') });
    expect(mapLambdaResult({ statusCode: 200, headers: ['x'] }).status).toBe(500);
  });
});

describe('JWT claims and issuers', () => {
  it('passes claims as strings the way API Gateway does', () => {
    expect(stringifyClaim('u-1')).toBe('u-1');
    expect(stringifyClaim(1_767_323_045)).toBe('1767323045');
    expect(stringifyClaim(true)).toBe('true');
    expect(stringifyClaim(['admins', 'staff'])).toBe('[admins staff]');
    expect(stringifyClaim({ b: 2, a: 'x' })).toBe('map[a:x b:2]');
  });

  it('maps the AWS Cognito issuer to the local one', () => {
    expect(localIssuer('https://cognito-idp.eu-west-1.amazonaws.com/local_4KsGZ2kx', 'http://127.0.0.1:4566')).toEqual({
      issuer: 'http://127.0.0.1:4566/local_4KsGZ2kx',
      jwksUri: 'http://127.0.0.1:4566/local_4KsGZ2kx/.well-known/jwks.json',
    });
    expect(localIssuer('https://issuer.example.com/', 'http://127.0.0.1:4566').jwksUri).toBe('https://issuer.example.com/.well-known/jwks.json');
  });

  it('takes the function ARN from an invoke ARN', () => {
    const fn = 'arn:aws:lambda:eu-west-1:000000000000:function:customers-http-get';
    expect(functionArnFromUri(`arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${fn}/invocations`)).toBe(fn);
    expect(functionArnFromUri(fn)).toBe(fn);
    expect(() => functionArnFromUri('https://example.com')).toThrow('neither a Lambda function ARN nor a Lambda invoke ARN');
  });
});
