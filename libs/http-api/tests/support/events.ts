import type { Context } from 'aws-lambda';
import type { HttpEvent } from '../../src/request';

/** A payload-2.0 event as API Gateway's JWT-authorised route delivers it. */
export function httpEvent(
  options: {
    body?: string;
    base64?: boolean;
    headers?: Record<string, string>;
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
    claims?: Record<string, string> | null;
  } = {},
): HttpEvent {
  const claims = options.claims === undefined ? { sub: 'user-1' } : options.claims;
  return {
    version: '2.0',
    routeKey: 'POST /things/{thingId}',
    rawPath: '/things/1',
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    ...(options.body === undefined ? {} : { body: options.base64 ? Buffer.from(options.body).toString('base64') : options.body }),
    isBase64Encoded: options.base64 ?? false,
    requestContext: {
      requestId: 'api-request-1',
      http: { method: 'POST', path: '/things/1', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'vitest' },
      ...(claims === null ? {} : { authorizer: { jwt: { claims, scopes: null } } }),
    },
  } as unknown as HttpEvent;
}

/** The Lambda context `withObservability` reads. */
export const lambdaContext = { awsRequestId: 'lambda-request-1', functionName: 'things-http', functionVersion: '$LATEST' } as unknown as Context;
