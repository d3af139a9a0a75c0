import { randomUUID } from 'node:crypto';
import { currentObservability, formatTraceparent, httpFlowContextOf, type Observability } from '@kestrel/observability';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { InvalidCursorError } from './cursor';
import { HttpProblem, PROBLEM_CONTENT_TYPE, validationProblem } from './problem';
import type { HttpEvent } from './request';

/** What a route answers when it succeeds. */
export interface HttpResult {
  readonly status: number;
  /** Sent as JSON; no body (and no content type) when undefined. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type HttpResponse = APIGatewayProxyStructuredResultV2;

/**
 * A payload-2.0 Lambda handler. Wrap it with `withObservability` to deploy it; its optional
 * context and observability let tests call it with the event alone.
 */
export type HttpRouteHandler = (event: HttpEvent, context?: Context, observability?: Observability) => Promise<HttpResponse>;

/** Where a request's changes come from: copied into the metadata of the events they publish. */
export interface EventOrigin {
  readonly correlationId: string;
  readonly causationId: string;
  readonly traceparent?: string;
}

/** Maps a service's own errors to the problems they mean; undefined for anything unexpected (a 500). */
export type ProblemMapper = (error: unknown) => HttpProblem | undefined;

export interface HttpRouteOptions {
  /** The service's error → problem mapping (HttpProblem and InvalidCursorError are mapped already). */
  readonly problemFor?: ProblemMapper;
}

/**
 * The origin of a request outside `withObservability` (tests, scripts): the same correlation id
 * and cause the wrapper would read, and the caller's trace context passed on.
 */
function originOutsideObservability(event: HttpEvent): EventOrigin {
  const flow = httpFlowContextOf(event, randomUUID());
  return { correlationId: flow.correlationId, causationId: flow.causeId, ...(flow.parent ? { traceparent: formatTraceparent(flow.parent) } : {}) };
}

/**
 * AWS error names that mean "briefly unavailable, try again" (the SDK has already retried them
 * with backoff): a dependency restarting (`ServiceUnavailable`, the local cloud's answer while
 * DynamoDB Local is restarted) or throttling.
 */
const TRANSIENT_AWS_ERRORS = new Set([
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);
/** Socket errors of a dependency that is not there at the moment. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/** A dependency failed in a way a retry later can fix (503, throttling, connection refused), duck-typed so this library needs no SDK. */
export function isTransientDependencyFailure(error: unknown): boolean {
  const candidate = error as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } } | undefined;
  if (typeof candidate?.name === 'string' && TRANSIENT_AWS_ERRORS.has(candidate.name)) return true;
  if (candidate?.$metadata?.httpStatusCode === 503) return true;
  return typeof candidate?.code === 'string' && UNREACHABLE_CODES.has(candidate.code);
}

/** Seconds a caller is told to wait after a transient dependency failure. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 1;

function builtInProblem(error: unknown): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error;
  if (error instanceof InvalidCursorError) return validationProblem([{ field: 'query.cursor', message: error.message }]);
  if (isTransientDependencyFailure(error)) {
    return new HttpProblem(
      503,
      'service-unavailable',
      'A dependency is briefly unavailable',
      'Retry the request after the delay given in Retry-After.',
      {},
      { 'retry-after': String(DEPENDENCY_RETRY_AFTER_SECONDS) },
    );
  }
  return undefined;
}

function logUnhandled(observability: Observability | undefined, event: HttpEvent, error: unknown): void {
  const fields = { routeKey: event.routeKey, requestId: event.requestContext?.requestId };
  if (observability !== undefined) {
    observability.logger.error('unhandled error', { ...fields, error: error instanceof Error ? error : String(error) });
    return;
  }
  const detail = error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error);
  console.error(JSON.stringify({ level: 'error', message: 'unhandled error', ...fields, error: detail }));
}

/**
 * Wraps a route's logic into a payload-2.0 Lambda handler: JSON bodies, `Cache-Control: no-store`
 * (answers carry personal data), the correlation id as `x-correlation-id`, and every failure as
 * `application/problem+json` — {@link HttpProblem}s and the service's mapped errors with their
 * status, a bad cursor as 400 on `query.cursor`, a dependency that is briefly unavailable (503,
 * throttling, connection refused) as 503 `service-unavailable` with `Retry-After`, anything else
 * a logged 500 that reveals nothing.
 * `origin` is the invocation's event metadata from `withObservability` (same correlation id,
 * causation = this request, traceparent = this span).
 *
 * @example
 * ```ts
 * const getProduct = httpRoute(async (event) => ({ status: 200, body: await products.get(id) }), { problemFor });
 * export const handler = withObservability(getProduct, { service: 'catalog', functionName: 'http-get-product' });
 * ```
 */
export function httpRoute(handle: (event: HttpEvent, origin: EventOrigin) => Promise<HttpResult>, options: HttpRouteOptions = {}): HttpRouteHandler {
  return async (event, _context, given) => {
    const observability = given ?? currentObservability();
    const origin = observability?.eventMetadata() ?? originOutsideObservability(event);
    const common = { 'cache-control': 'no-store', 'x-correlation-id': origin.correlationId };
    try {
      const result = await handle(event, origin);
      return {
        statusCode: result.status,
        headers: { ...common, ...(result.body === undefined ? {} : { 'content-type': 'application/json' }), ...result.headers },
        ...(result.body === undefined ? {} : { body: JSON.stringify(result.body) }),
      };
    } catch (error) {
      let problem = builtInProblem(error) ?? options.problemFor?.(error);
      if (problem === undefined) {
        logUnhandled(observability, event, error);
        problem = new HttpProblem(500, 'internal-error', 'Something went wrong', 'The error was logged.');
      }
      return {
        statusCode: problem.status,
        headers: { ...common, 'content-type': PROBLEM_CONTENT_TYPE, ...problem.headers },
        body: JSON.stringify(problem.body(event.rawPath ?? '/')),
      };
    }
  };
}
