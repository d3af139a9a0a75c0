/**
 * The wire protocols AWS services speak, as far as the local cloud needs them:
 * recognising which one a request uses and rendering errors in the shape the
 * SDK v3 deserializers read (they take the code from `__type`/`code` or the
 * `x-amzn-errortype` header for JSON protocols and from `<Code>` for XML ones,
 * and the message from `message`/`Message`).
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from './types';
import type { AwsRequest, AwsResponse } from './types';

export type AwsProtocol = 'awsJson1_0' | 'awsJson1_1' | 'restJson1' | 'restXml' | 'awsQuery';

/** The protocol each service's SDK client uses when nothing in the request says otherwise. */
const SERVICE_PROTOCOLS: Record<string, AwsProtocol> = {
  dynamodb: 'awsJson1_0',
  sqs: 'awsJson1_0',
  events: 'awsJson1_1',
  firehose: 'awsJson1_1',
  ssm: 'awsJson1_1',
  'cognito-idp': 'awsJson1_1',
  logs: 'awsJson1_1',
  kms: 'awsJson1_1',
  lambda: 'restJson1',
  pipes: 'restJson1',
  apigateway: 'restJson1',
  execute_api: 'restJson1',
  s3: 'restXml',
  sts: 'awsQuery',
  iam: 'awsQuery',
  sns: 'awsQuery',
};

/**
 * Which protocol a request speaks: S3 is REST-XML; a request with `X-Amz-Target`
 * is JSON-RPC (version from its content type); a form-encoded body is the
 * query protocol; anything else falls back to the service's known protocol,
 * then REST-JSON.
 *
 * @example
 * detectProtocol('events', { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' }) // 'awsJson1_1'
 */
export function detectProtocol(service: string | undefined, headers: Record<string, string | string[] | undefined>): AwsProtocol {
  if (service === 's3') return 'restXml';
  const contentType = String(headers['content-type'] ?? '').toLowerCase();
  if (headers['x-amz-target'] !== undefined) {
    if (contentType.includes('x-amz-json-1.0')) return 'awsJson1_0';
    if (contentType.includes('x-amz-json-1.1')) return 'awsJson1_1';
    return (service && SERVICE_PROTOCOLS[service]?.startsWith('awsJson') ? SERVICE_PROTOCOLS[service] : 'awsJson1_1') as AwsProtocol;
  }
  if (contentType.includes('application/x-www-form-urlencoded')) return 'awsQuery';
  return (service && SERVICE_PROTOCOLS[service]) || 'restJson1';
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}

/**
 * Renders an `AwsServiceError` the way the service's SDK client deserializes it.
 *
 * @example
 * renderError(new AwsServiceError('ParameterNotFound', 'no such parameter'), 'awsJson1_1', 'req-1')
 * // → 400, x-amzn-errortype: ParameterNotFound, {"__type":"ParameterNotFound","message":"no such parameter"}
 */
export function renderError(error: AwsServiceError, protocol: AwsProtocol, requestId: string, method = 'POST'): AwsResponse {
  const common = { 'x-amzn-requestid': requestId, ...error.headers };
  switch (protocol) {
    case 'awsJson1_0':
    case 'awsJson1_1':
      return {
        status: error.status,
        headers: {
          'content-type': protocol === 'awsJson1_0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
          'x-amzn-errortype': error.code,
          ...common,
        },
        body: JSON.stringify({ __type: error.code, message: error.message, ...error.extra }),
      };
    case 'restJson1':
      return {
        status: error.status,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code, ...common },
        body: JSON.stringify({ message: error.message, ...error.extra }),
      };
    case 'restXml': {
      const extra = Object.entries(error.extra)
        .map(([key, value]) => `<${key}>${xmlEscape(String(value))}</${key}>`)
        .join('');
      return {
        status: error.status,
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId, ...common },
        // HEAD responses carry no body; the SDK then maps the status code (404 → NotFound).
        body:
          method === 'HEAD'
            ? ''
            : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`,
      };
    }
    case 'awsQuery':
      return {
        status: error.status,
        headers: { 'content-type': 'text/xml', ...common },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
  }
}

/**
 * Parses the JSON body of a JSON-protocol request; a malformed body becomes
 * the `SerializationException` AWS answers with. By default the message says
 * what is wrong (not JSON, with the parser's reason, or not an object);
 * `errorMessage` gives one fixed message for every way the body can be wrong.
 *
 * @example
 * const input = parseJsonBody<{ Name: string }>(request);
 * const same = parseJsonBody(request, { errorMessage: 'The request body is not a JSON object.' });
 */
export function parseJsonBody<T = Record<string, unknown>>(request: Pick<AwsRequest, 'body'>, options: { errorMessage?: string } = {}): T {
  const text = request.body.toString('utf8');
  if (text.trim() === '') return {} as T;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new AwsServiceError('SerializationException', options.errorMessage ?? 'Request body must be a JSON object');
    }
    return parsed as T;
  } catch (error) {
    if (error instanceof AwsServiceError) throw error;
    throw new AwsServiceError('SerializationException', options.errorMessage ?? `Request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * A successful JSON-RPC (`awsJson1_0`/`awsJson1_1`) or REST-JSON response.
 *
 * @example
 * return jsonResponse({ Parameter: { Name, Value } }, { protocol: 'awsJson1_1' });
 */
export function jsonResponse(
  body: unknown,
  options: { status?: number; protocol?: 'awsJson1_0' | 'awsJson1_1' | 'restJson1'; headers?: Record<string, string> } = {},
): AwsResponse {
  const protocol = options.protocol ?? 'awsJson1_1';
  const contentType =
    protocol === 'restJson1' ? 'application/json' : protocol === 'awsJson1_0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
  return {
    status: options.status ?? 200,
    headers: { 'content-type': contentType, ...options.headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

export function newRequestId(): string {
  return randomUUID();
}
