import { httpRoute, HttpProblem, type EventOrigin, type HttpEvent, type HttpResult, type HttpRouteHandler } from '@kestrel/http-api';
import { ConcurrentModificationError, CustomerExistsError, CustomerNotFoundError, ForbiddenError, PreconditionFailedError } from '../../application/errors';
import type { Customer } from '../../domain/customer';
import { etagOf } from './etag';

/** The representation of a customer: the profile with its version, and the version as `ETag`. */
export function customerResult(customer: Customer, status = 200, headers: Record<string, string> = {}): HttpResult {
  return { status, body: customer, headers: { etag: etagOf(customer.version), ...headers } };
}

/** The customers use cases' errors as the problems they mean to a caller. */
export function problemFor(error: unknown): HttpProblem | undefined {
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
  return undefined;
}

/**
 * A customers route: `@kestrel/http-api`'s `httpRoute` with the customers errors mapped.
 *
 * @example
 * ```ts
 * const route = customersRoute(async (event) => customerResult(await getCustomer(services, actorFrom(event), id)));
 * export const handler = withHttpObservability(route, { service: 'customers', functionName: 'http-get-customer' });
 * ```
 */
export function customersRoute(handle: (event: HttpEvent, origin: EventOrigin) => Promise<HttpResult>): HttpRouteHandler {
  return httpRoute(handle, { problemFor });
}
