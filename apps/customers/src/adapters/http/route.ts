import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ConcurrentModificationError, CustomerExistsError, CustomerNotFoundError, ForbiddenError, PreconditionFailedError } from '../../application/errors';
import type { EventOrigin } from '../../application/ports';
import type { Customer } from '../../domain/customer';
import { InvalidCursorError } from '../cursor';
import { etagOf } from './etag';
import { HttpProblem, PROBLEM_CONTENT_TYPE, validationProblem } from './problem';
import { headerValue, type HttpEvent } from './request';

/** What a route answers when it succeeds. */
export interface HttpResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type HttpHandler = (event: HttpEvent) => Promise<APIGatewayProxyStructuredResultV2>;

const correlationIdPattern = /^[\x21-\x7e]{1,128}$/;
const traceparentPattern = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Where this request's changes come from: the caller's correlation id if sane, else the API request id. */
export function originOf(event: HttpEvent): EventOrigin {
  const requestId = event.requestContext?.requestId || globalThis.crypto.randomUUID();
  const given = headerValue(event, 'x-correlation-id');
  const traceparent = headerValue(event, 'traceparent');
  return {
    correlationId: given !== undefined && correlationIdPattern.test(given) ? given : requestId,
    causationId: requestId.slice(0, 128),
    ...(traceparent !== undefined && traceparentPattern.test(traceparent) ? { traceparent } : {}),
  };
}

/** The representation of a customer: the profile with its version, and the version as `ETag`. */
export function customerResult(customer: Customer, status = 200, headers: Record<string, string> = {}): HttpResult {
  return { status, body: customer, headers: { etag: etagOf(customer.version), ...headers } };
}

function problemFor(error: unknown): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error;
  if (error instanceof ForbiddenError) return new HttpProblem(403, 'forbidden', 'Not allowed', error.reason);
  if (error instanceof CustomerNotFoundError) return new HttpProblem(404, 'customer-not-found', 'No such customer', `There is no customer ${error.customerId}.`);
  if (error instanceof PreconditionFailedError) {
    return new HttpProblem(
      412,
      'precondition-failed',
      'The customer has changed',
      `The customer is at version ${error.currentVersion}; read it again and retry. Nothing was changed.`,
      { currentVersion: error.currentVersion },
      { etag: etagOf(error.currentVersion) },
    );
  }
  if (error instanceof CustomerExistsError) {
    return new HttpProblem(409, 'customer-exists', 'The customer already exists', `There is already a customer ${error.customerId}.`);
  }
  if (error instanceof ConcurrentModificationError) {
    return new HttpProblem(409, 'concurrent-modification', 'The customer kept changing', 'Other changes kept arriving; nothing was written. Retry.');
  }
  if (error instanceof InvalidCursorError) return validationProblem([{ field: 'query.cursor', message: error.message }]);
  return undefined;
}

function log(level: 'warn' | 'error', message: string, fields: Record<string, unknown>): void {
  // One JSON line per entry: the function's log format is JSON.
  console[level](JSON.stringify({ level, message, ...fields }));
}

/**
 * Wraps a route's logic into a payload-2.0 Lambda handler: JSON bodies, `ETag` and correlation
 * headers, `Cache-Control: no-store` (personal data), and every failure as
 * `application/problem+json` — the expected ones with their status, anything else as a logged 500
 * that reveals nothing.
 *
 * @example
 * ```ts
 * export const handler = httpRoute(async (event, origin) => customerResult(await getCustomer(services, actorFrom(event), id)));
 * ```
 */
export function httpRoute(handle: (event: HttpEvent, origin: EventOrigin) => Promise<HttpResult>): HttpHandler {
  return async (event) => {
    const origin = originOf(event);
    const common = { 'cache-control': 'no-store', 'x-correlation-id': origin.correlationId };
    const instance = event.rawPath ?? '/';
    try {
      const result = await handle(event, origin);
      return {
        statusCode: result.status,
        headers: { ...common, ...(result.body === undefined ? {} : { 'content-type': 'application/json' }), ...result.headers },
        ...(result.body === undefined ? {} : { body: JSON.stringify(result.body) }),
      };
    } catch (error) {
      const problem = problemFor(error);
      if (problem === undefined) {
        log('error', 'unhandled error', {
          routeKey: event.routeKey,
          requestId: event.requestContext?.requestId,
          error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
        });
        const internal = new HttpProblem(500, 'internal-error', 'Something went wrong', 'The error was logged.');
        return { statusCode: 500, headers: { ...common, 'content-type': PROBLEM_CONTENT_TYPE }, body: JSON.stringify(internal.body(instance)) };
      }
      return {
        statusCode: problem.status,
        headers: { ...common, 'content-type': PROBLEM_CONTENT_TYPE, ...problem.headers },
        body: JSON.stringify(problem.body(instance)),
      };
    }
  };
}
