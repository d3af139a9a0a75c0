import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AlreadyExistsError } from '@kestrel/table-keys';
import * as z from 'zod';
import { ConcurrentModificationError, ProductNotFoundError, StoreNotFoundError } from '../../application/use-cases';
import { ProductsNotAddableError } from '../../domain/collection';
import { ProductRuleViolation } from '../../domain/product';
import { InvalidCursorError } from '../cursor';
import type { EventOrigin } from '../outbox';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../table';
import { HttpProblem, PROBLEM_CONTENT_TYPE, validationProblem } from './problem';
import { headerValue, type HttpEvent } from './request';

export interface HttpResult {
  readonly status: number;
  readonly body?: unknown;
}
export type HttpHandler = (event: HttpEvent) => Promise<APIGatewayProxyStructuredResultV2>;

/** `limit` (1..100, default 20) and `cursor` of a paginated query. */
export const pageQuery = {
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .min(1, { message: 'must be at least 1' })
    .max(PAGE_SIZE_MAX, { message: `must be at most ${PAGE_SIZE_MAX}` })
    .default(PAGE_SIZE_DEFAULT),
  cursor: z.string().min(1).optional(),
};

const correlationIdPattern = /^[\x21-\x7e]{1,128}$/;
const traceparentPattern = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The origin of this request's events: the caller's correlation id if sane, else the API request id. */
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

function problemFor(error: unknown): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error;
  if (error instanceof ProductNotFoundError) return new HttpProblem(404, 'product-not-found', 'No such product', error.message, { productId: error.productId });
  if (error instanceof StoreNotFoundError) return new HttpProblem(404, 'store-not-found', 'No such store', error.message, { storeId: error.storeId });
  if (error instanceof ProductsNotAddableError) {
    // Unknown ids win (404): the client must fix its ids before the products' state matters.
    const unknown = error.unknownProductIds.length > 0;
    return new HttpProblem(
      unknown ? 404 : 409,
      unknown ? 'products-not-found' : 'products-not-addable',
      unknown ? 'Some products do not exist' : 'Some products cannot be carried',
      error.message,
      { unknownProductIds: error.unknownProductIds, unavailableProducts: error.unavailable },
    );
  }
  if (error instanceof ProductRuleViolation) return new HttpProblem(409, error.code, 'The product\'s state does not allow this', error.message);
  if (error instanceof ConcurrentModificationError) return new HttpProblem(409, 'concurrent-modification', 'Other changes kept arriving', error.message);
  if (error instanceof AlreadyExistsError) return new HttpProblem(409, 'already-exists', 'It already exists', error.message);
  if (error instanceof InvalidCursorError) return validationProblem([{ field: 'query.cursor', message: error.message }]);
  return undefined;
}

/**
 * Wraps a route's logic into a payload-2.0 handler: JSON bodies, correlation header, and every
 * failure as `application/problem+json` (the expected ones with their status, anything else a
 * logged 500 that reveals nothing).
 *
 * @example
 * ```ts
 * export const handler = httpRoute(async (event) => ({ status: 200, body: await getProduct(services, id) }));
 * ```
 */
export function httpRoute(handle: (event: HttpEvent, origin: EventOrigin) => Promise<HttpResult>): HttpHandler {
  return async (event) => {
    const origin = originOf(event);
    const common = { 'cache-control': 'no-store', 'x-correlation-id': origin.correlationId };
    try {
      const result = await handle(event, origin);
      return {
        statusCode: result.status,
        headers: { ...common, ...(result.body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(result.body === undefined ? {} : { body: JSON.stringify(result.body) }),
      };
    } catch (error) {
      let problem = problemFor(error);
      if (problem === undefined) {
        console.error(
          JSON.stringify({
            level: 'error',
            message: 'unhandled error',
            routeKey: event.routeKey,
            requestId: event.requestContext?.requestId,
            error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
          }),
        );
        problem = new HttpProblem(500, 'internal-error', 'Something went wrong', 'The error was logged.');
      }
      return { statusCode: problem.status, headers: { ...common, 'content-type': PROBLEM_CONTENT_TYPE }, body: JSON.stringify(problem.body(event.rawPath ?? '/')) };
    }
  };
}
