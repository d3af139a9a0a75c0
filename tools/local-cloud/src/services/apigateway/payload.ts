/**
 * Lambda proxy integration, payload format 2.0 (API Gateway Developer Guide,
 * "Working with AWS Lambda proxy integrations for HTTP APIs"): the event API
 * Gateway sends, and how it reads the function's answer.
 */
import { randomBytes } from 'node:crypto';

export interface IncomingHttpRequest {
  method: string;
  /** Path as the client sent it (still URL-encoded), after the local `/_apis/<apiId>` mount. */
  rawPath: string;
  rawQueryString: string;
  /** Header pairs in arrival order (names in any case). */
  headers: Array<[string, string]>;
  body: Buffer;
  sourceIp: string;
  protocol: string;
  host: string;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  /** Each becomes its own `set-cookie` header. */
  cookies: string[];
  body: Buffer;
}

export interface EventContext {
  accountId: string;
  apiId: string;
  stage: string;
  routeKey: string;
  /** Path used for route matching (stage prefix removed); the event's rawPath keeps what the client sent. */
  pathParameters?: Record<string, string>;
  stageVariables?: Record<string, string>;
  authorizer?: { jwt: { claims: Record<string, string>; scopes: string[] | null } };
  requestId: string;
  now: number;
}

/** API Gateway's request ids look like `JKJaXmPLvHcESHA=`. */
export function apiGatewayRequestId(): string {
  return randomBytes(11).toString('base64').slice(0, 15) + '=';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, the `requestContext.time` format. */
export function requestTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** Content types whose bodies reach the function as text; anything else is base64 with `isBase64Encoded: true`. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = (contentType.split(';')[0] as string).trim().toLowerCase();
  return type.startsWith('text/') || /^application\/([\w.-]+\+)?(json|xml|javascript)$/.test(type);
}

function decodeQueryComponent(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/**
 * Builds the payload format 2.0 event.
 *
 * - header names lower-cased, repeated headers joined with commas; the
 *   `cookie` header moves to `cookies` (one entry per cookie);
 * - `queryStringParameters` decoded, repeated names joined with commas;
 * - `cookies`, `queryStringParameters`, `pathParameters`, `stageVariables`
 *   and `body` are left out when empty, as API Gateway leaves them out.
 */
export function buildEvent(request: IncomingHttpRequest, context: EventContext): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [rawName, value] of request.headers) {
    const name = rawName.toLowerCase();
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((cookie) => cookie.trim()).filter(Boolean));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const query: Record<string, string> = {};
  if (request.rawQueryString) {
    for (const pair of request.rawQueryString.split('&')) {
      if (pair === '') continue;
      const index = pair.indexOf('=');
      const name = decodeQueryComponent(index === -1 ? pair : pair.slice(0, index));
      const value = index === -1 ? '' : decodeQueryComponent(pair.slice(index + 1));
      query[name] = name in query ? `${query[name]},${value}` : value;
    }
  }
  const text = isTextContentType(headers['content-type']);
  const domainName = request.host;
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: context.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
  };
  if (cookies.length) event.cookies = cookies;
  event.headers = headers;
  if (Object.keys(query).length) event.queryStringParameters = query;
  event.requestContext = {
    accountId: context.accountId,
    apiId: context.apiId,
    ...(context.authorizer ? { authorizer: context.authorizer } : {}),
    domainName,
    domainPrefix: domainName.split('.')[0],
    http: {
      method: request.method,
      path: request.rawPath,
      protocol: request.protocol,
      sourceIp: request.sourceIp,
      userAgent: headers['user-agent'] ?? '',
    },
    requestId: context.requestId,
    routeKey: context.routeKey,
    stage: context.stage,
    time: requestTime(context.now),
    timeEpoch: context.now,
  };
  if (request.body.length) event.body = text ? request.body.toString('utf8') : request.body.toString('base64');
  if (context.pathParameters) event.pathParameters = context.pathParameters;
  event.isBase64Encoded = request.body.length > 0 && !text;
  if (context.stageVariables && Object.keys(context.stageVariables).length) event.stageVariables = context.stageVariables;
  return event;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** API Gateway's own answers (`{"message":"Not Found"}` and friends). */
export function gatewayResponse(status: number, message: string): HttpResult {
  return { status, headers: { ...JSON_HEADERS }, cookies: [], body: Buffer.from(JSON.stringify({ message })) };
}

/**
 * Reads a 2.0 function result: an object with `statusCode` is a structured
 * response; any other JSON value is the body of a 200 `application/json`
 * response (a string as it is, anything else as JSON). A structured response
 * API Gateway cannot use is a 500, as in AWS.
 *
 * @example
 * mapLambdaResult({ statusCode: 201, headers: { location: '/c/1' }, body: '{}' })
 * mapLambdaResult({ message: 'hi' }) // 200, body '{"message":"hi"}'
 */
export function mapLambdaResult(payload: unknown): HttpResult {
  if (payload && typeof payload === 'object' && !Array.isArray(payload) && 'statusCode' in payload) {
    const response = payload as { statusCode: unknown; headers?: unknown; cookies?: unknown; body?: unknown; isBase64Encoded?: unknown };
    const status = Number(response.statusCode);
    if (!Number.isInteger(status) || status < 100 || status > 599) return gatewayResponse(500, 'Internal Server Error');
    const headers: Record<string, string> = {};
    if (response.headers !== undefined && response.headers !== null) {
      if (typeof response.headers !== 'object' || Array.isArray(response.headers)) return gatewayResponse(500, 'Internal Server Error');
      for (const [name, value] of Object.entries(response.headers)) headers[name.toLowerCase()] = String(value);
    }
    let cookies: string[] = [];
    if (response.cookies !== undefined && response.cookies !== null) {
      if (!Array.isArray(response.cookies)) return gatewayResponse(500, 'Internal Server Error');
      cookies = response.cookies.map(String);
    }
    const rawBody = response.body === undefined || response.body === null ? '' : typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    const body = response.isBase64Encoded === true ? Buffer.from(rawBody, 'base64') : Buffer.from(rawBody);
    return { status, headers, cookies, body };
  }
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload ?? null);
  return { status: 200, headers: { ...JSON_HEADERS }, cookies: [], body: Buffer.from(body) };
}
