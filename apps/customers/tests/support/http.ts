// Real API Gateway HTTP API payload 2.0 events (as a JWT-authorised route delivers them) and
// helpers to load the handlers against a test table.
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export type Claims = Record<string, string>;

/** Claims of a signed-in customer (identity puts their customer id in the token). */
export const customerClaims = (customerId: string): Claims => ({
  sub: customerId,
  customerId,
  'cognito:username': customerId,
  token_use: 'access',
  scope: 'aws.cognito.signin.user.admin',
});
/** Claims of a staff member: API Gateway renders the groups array as "[staff]". */
export const staffClaims = (sub = '5a1f0c9e-2d4b-4c6a-9e8f-7b3d2c1a0f9e'): Claims => ({
  sub,
  'cognito:groups': '[staff]',
  'cognito:username': 'support-agent',
  token_use: 'access',
});

export interface RequestInput {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route template, e.g. `/customers/{customerId}`. */
  readonly route: string;
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
  readonly base64?: boolean;
  /** `null`: no authorizer context at all. */
  readonly claims: Claims | null;
}

let requests = 0;

export function httpEvent(input: RequestInput): APIGatewayProxyEventV2WithJWTAuthorizer {
  const rawPath = input.route.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(input.pathParameters?.[name] ?? ''));
  const rawQueryString = new URLSearchParams(input.query ?? {}).toString();
  const text = input.body === undefined ? undefined : typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
  const requestId = `req-${(requests += 1)}-${Date.now()}`;
  const headers: Record<string, string> = {
    accept: 'application/json',
    host: 'abc123.execute-api.us-east-1.amazonaws.com',
    'user-agent': 'vitest',
    'x-forwarded-for': '203.0.113.9',
    'x-forwarded-proto': 'https',
    ...(text === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }),
    ...Object.fromEntries(Object.entries(input.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
  };
  return {
    version: '2.0',
    routeKey: `${input.method} ${input.route}`,
    rawPath,
    rawQueryString,
    headers,
    ...(input.query === undefined ? {} : { queryStringParameters: input.query }),
    ...(input.pathParameters === undefined ? {} : { pathParameters: input.pathParameters }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      ...(input.claims === null ? {} : { authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: input.claims, scopes: null } } }),
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: input.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'vitest' },
      requestId,
      routeKey: `${input.method} ${input.route}`,
      stage: '$default',
      time: '01/Mar/2026:08:00:00 +0000',
      timeEpoch: Date.now(),
    },
    ...(text === undefined ? {} : { body: input.base64 ? Buffer.from(text).toString('base64') : text }),
    isBase64Encoded: input.base64 ?? false,
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

export type HttpHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** The account the test functions run in; events from any other account are foreign. */
export const LOCAL_TEST_ACCOUNT = '123456789012';

/** The Lambda context a deployed handler gets (withObservability reads the request id from it). */
export function lambdaContext(): Context {
  return {
    awsRequestId: crypto.randomUUID(),
    functionName: 'customers-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${LOCAL_TEST_ACCOUNT}:function:customers-test`,
  } as Context;
}

/** A response with its JSON body parsed. */
export async function call(handler: HttpHandler, input: RequestInput) {
  const response = await handler(httpEvent(input), lambdaContext());
  const headers = (response.headers ?? {}) as Record<string, string>;
  return { status: response.statusCode ?? 0, headers, body: response.body === undefined ? undefined : (JSON.parse(response.body) as Record<string, unknown>) };
}

/** An event handler callable with the event alone, as the tests deliver events. */
function withContext<R>(handler: (event: unknown, context: Context) => Promise<R>): (event: unknown) => Promise<R> {
  return (event) => handler(event, lambdaContext());
}

/** Points the handlers' SDK clients at DynamoDB Local and the table, then imports them. */
export async function loadHandlers(endpoint: string, tableName: string) {
  process.env.TABLE_NAME_CUSTOMERS = tableName;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  return {
    createCustomer: (await import('../../src/handlers/http-create-customer')).handler,
    changeCustomer: (await import('../../src/handlers/http-change-customer')).handler,
    changeLocale: (await import('../../src/handlers/http-change-customer-locale')).handler,
    makePreferred: (await import('../../src/handlers/http-make-customer-preferred')).handler,
    revokePreferred: (await import('../../src/handlers/http-revoke-preferred-status')).handler,
    markDelinquent: (await import('../../src/handlers/http-mark-customer-delinquent')).handler,
    clearDelinquency: (await import('../../src/handlers/http-clear-customer-delinquency')).handler,
    getCustomer: (await import('../../src/handlers/http-get-customer')).handler,
    findCustomers: (await import('../../src/handlers/http-find-customers')).handler,
    onUserRegistered: withContext((await import('../../src/handlers/on-user-registered')).handler),
  };
}
