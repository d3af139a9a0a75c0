import { httpRoute, HttpProblem, pageQuery, type EventOrigin, type HttpEvent, type HttpResult, type HttpRouteHandler } from '@kestrel/http-api';
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

/** The catalog use cases' errors as the problems they mean to a caller. */
export function problemFor(error: unknown): HttpProblem | undefined {
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
  return undefined;
}

/**
 * A catalog route: `@kestrel/http-api`'s `httpRoute` with the catalog errors mapped.
 *
 * @example
 * ```ts
 * const route = catalogRoute(async (event) => ({ status: 200, body: await getProduct(services, id) }));
 * ```
 */
export function catalogRoute(handle: (event: HttpEvent, origin: EventOrigin) => Promise<HttpResult>): HttpRouteHandler {
  return httpRoute(handle, { problemFor });
}
