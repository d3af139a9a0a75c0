import { httpRoute, HttpProblem, pageQuery, type EventOrigin, type HttpEvent, type HttpResult, type HttpRouteHandler, type ProblemMapper } from '@kestrel/http-api';
import { pure } from '@kestrel/contracts';
import { AlreadyExistsError } from '@kestrel/table-keys';
import { ConcurrentModificationError, ProductNotFoundError, StoreNotFoundError } from '../../application/use-cases';
import { ProductsNotAddableError } from '../../domain/collection';
import { ProductRuleViolation } from '../../domain/product';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../table';

/** A 100-product collection change is about 4 KB; anything far larger is refused before parsing. */
export const MAX_BODY_BYTES = 32 * 1024;

/** `limit` (1..100, default 20) and `cursor` of a paginated query. */
export const catalogPageQuery = /* @__PURE__ */ pure(() => pageQuery({ defaultLimit: PAGE_SIZE_DEFAULT, maxLimit: PAGE_SIZE_MAX }));

/** A catalog error as the problem it means to a caller; `undefined` for any other error. */
export const productNotFound: ProblemMapper = (error) =>
  error instanceof ProductNotFoundError ? new HttpProblem(404, 'product-not-found', 'No such product', error.message, { productId: error.productId }) : undefined;

export const storeNotFound: ProblemMapper = (error) =>
  error instanceof StoreNotFoundError ? new HttpProblem(404, 'store-not-found', 'No such store', error.message, { storeId: error.storeId }) : undefined;

export const productsNotAddable: ProblemMapper = (error) => {
  if (!(error instanceof ProductsNotAddableError)) return undefined;
  // Unknown ids win (404): the client must fix its ids before the products' state matters.
  const unknown = error.unknownProductIds.length > 0;
  return new HttpProblem(
    unknown ? 404 : 409,
    unknown ? 'products-not-found' : 'products-not-addable',
    unknown ? 'Some products do not exist' : 'Some products cannot be carried',
    error.message,
    { unknownProductIds: error.unknownProductIds, unavailableProducts: error.unavailable },
  );
};

export const productRuleViolated: ProblemMapper = (error) =>
  error instanceof ProductRuleViolation ? new HttpProblem(409, error.code, 'The product\'s state does not allow this', error.message) : undefined;

export const concurrentModification: ProblemMapper = (error) =>
  error instanceof ConcurrentModificationError ? new HttpProblem(409, 'concurrent-modification', 'Other changes kept arriving', error.message) : undefined;

export const alreadyExists: ProblemMapper = (error) =>
  error instanceof AlreadyExistsError ? new HttpProblem(409, 'already-exists', 'It already exists', error.message) : undefined;

/** Every catalog error as the problem it means to a caller. */
export function problemFor(error: unknown): HttpProblem | undefined {
  return firstProblem([productNotFound, storeNotFound, productsNotAddable, productRuleViolated, concurrentModification, alreadyExists], error);
}

function firstProblem(mappers: readonly ProblemMapper[], error: unknown): HttpProblem | undefined {
  for (const mapper of mappers) {
    const problem = mapper(error);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * A catalog route: `@kestrel/http-api`'s `httpRoute` with the catalog errors its use case can
 * throw mapped to problems (anything else is a 500). Each route names its own, so a function's
 * bundle carries only the error classes it can meet.
 *
 * @example
 * ```ts
 * const route = catalogRoute(async (event) => ({ status: 200, body: await getProduct(services, id) }), [productNotFound]);
 * ```
 */
export function catalogRoute(handle: (event: HttpEvent, origin: EventOrigin) => Promise<HttpResult>, problems: readonly ProblemMapper[]): HttpRouteHandler {
  return httpRoute(handle, { problemFor: (error) => firstProblem(problems, error) });
}
