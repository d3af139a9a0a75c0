// The catalog's use cases: read, decide with the pure domain, write with the repository. Product
// commands retry a few times on a concurrent change (the decision is recomputed on fresh state);
// collection changes do too, and first finish any half-applied change they find.
import { StaleVersionError } from '@kestrel/table-keys';
import * as catalog from '../adapters/catalog-repository';
import type { CatalogTable, Page, PageRequest } from '../adapters/catalog-repository';
import { ConcurrentChangeError } from '../adapters/catalog-repository';
import type { EventOrigin } from '../adapters/outbox';
import type { Membership, ProductSummary } from '../adapters/table';
import { planCollectionChange, type ChangeReason, type CollectionChangePlan } from '../domain/collection';
import { createDraft, publish, retire, revise, type Product, type ProductDecision, type ProductDetails, type ProductRevision } from '../domain/product';
import { createStore, type Store } from '../domain/store';

export interface Services {
  readonly catalog: CatalogTable;
  readonly clock: () => Date;
  readonly newId: () => string;
}

export class ProductNotFoundError extends Error {
  constructor(readonly productId: string) {
    super(`There is no product ${productId}.`);
    this.name = 'ProductNotFoundError';
  }
}
export class StoreNotFoundError extends Error {
  constructor(readonly storeId: string) {
    super(`There is no store ${storeId}.`);
    this.name = 'StoreNotFoundError';
  }
}
/** Other changes kept arriving; nothing was written. */
export class ConcurrentModificationError extends Error {
  constructor(readonly subject: string) {
    super(`${subject} kept changing; nothing was written. Retry.`);
    this.name = 'ConcurrentModificationError';
  }
}

const ATTEMPTS = 4;

export async function createProduct(services: Services, details: ProductDetails): Promise<Product> {
  const product = createDraft(services.newId(), details, services.clock());
  await catalog.createProduct(services.catalog, product);
  return product;
}

export async function getProduct(services: Services, productId: string): Promise<Product> {
  const product = await catalog.getProduct(services.catalog, productId);
  if (product === undefined) throw new ProductNotFoundError(productId);
  return product;
}

async function changeProduct(services: Services, productId: string, origin: EventOrigin, operation: string, decide: (product: Product, now: Date) => ProductDecision) {
  for (let attempt = 1; ; attempt++) {
    const current = await getProduct(services, productId);
    const decision = decide(current, services.clock());
    if (!decision.changed) return decision.product;
    try {
      await catalog.saveProduct(services.catalog, current, decision, origin, operation);
      return decision.product;
    } catch (error) {
      if (!(error instanceof StaleVersionError) || attempt >= ATTEMPTS) throw error instanceof StaleVersionError ? new ConcurrentModificationError(`Product ${productId}`) : error;
    }
  }
}

export const publishProduct = (services: Services, productId: string, origin: EventOrigin) =>
  changeProduct(services, productId, origin, 'PublishProduct', (product, now) => publish(product, now));
export const reviseProduct = (services: Services, productId: string, revision: ProductRevision, origin: EventOrigin) =>
  changeProduct(services, productId, origin, 'ReviseProduct', (product, now) => revise(product, revision, now));
export const retireProduct = (services: Services, productId: string, origin: EventOrigin) =>
  changeProduct(services, productId, origin, 'RetireProduct', (product, now) => retire(product, now));

export const productsInCategory = (services: Services, category: string, page: PageRequest): Promise<Page<Product>> =>
  catalog.productsInCategory(services.catalog, category, page);
export const productsWithTag = (services: Services, tag: string, page: PageRequest): Promise<Page<ProductSummary>> => catalog.productsWithTag(services.catalog, tag, page);
export const storesCarrying = (services: Services, productId: string, page: PageRequest): Promise<Page<Membership>> =>
  catalog.storesCarrying(services.catalog, productId, page);

export async function createNewStore(services: Services, name: string): Promise<Store> {
  const store = createStore(services.newId(), name, services.clock());
  await catalog.createStore(services.catalog, store);
  return store;
}

export async function getStore(services: Services, storeId: string): Promise<Store> {
  const store = await catalog.getStore(services.catalog, storeId);
  if (store === undefined) throw new StoreNotFoundError(storeId);
  return store;
}

export async function storeCollection(services: Services, storeId: string, page: PageRequest): Promise<Page<Membership>> {
  // The existence check keeps "no such store" (404) apart from "empty collection" (200, no items).
  await getStore(services, storeId);
  return catalog.storeCollection(services.catalog, storeId, page);
}

/** What a collection change did. */
export interface CollectionChangeResult {
  readonly plan: CollectionChangePlan;
  /** Transactions used: 0 (nothing to change), 1, or 2 (a guarded two-phase change). */
  readonly transactions: number;
}

/**
 * ChangeStoreCollection: validates every product to add (unknown → 404, not published → 409,
 * nothing applied), then applies exactly the difference with one StoreCollectionChanged event.
 * A half-applied change found on the store is finished first.
 *
 * @throws StoreNotFoundError, ProductsNotAddableError, ConcurrentModificationError
 */
export async function changeStoreCollection(
  services: Services,
  request: { storeId: string; add: readonly string[]; remove: readonly string[]; reason: ChangeReason; origin: EventOrigin },
): Promise<CollectionChangeResult> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const reading = await catalog.readForChange(services.catalog, request.storeId, request.add, request.remove);
    if (reading.store === undefined) throw new StoreNotFoundError(request.storeId);
    if (reading.pending !== undefined) {
      await catalog.completePending(services.catalog, request.storeId, reading.pending);
      continue;
    }
    const plan = planCollectionChange(reading.store, request, reading.products, reading.carried, request.reason);
    if (!plan.changed) return { plan, transactions: 0 };
    try {
      const transactions = await catalog.applyCollectionChange(services.catalog, plan, request.origin, services.clock().toISOString(), reading.store.collectionVersion);
      return { plan, transactions };
    } catch (error) {
      if (!(error instanceof ConcurrentChangeError)) throw error;
    }
  }
  throw new ConcurrentModificationError(`Store ${request.storeId}`);
}

/**
 * Takes a retired product out of every store collection carrying it: one change per store (each
 * its own StoreCollectionChanged, reason `product-retired`). Idempotent: a store that no longer
 * carries the product is left alone, so redelivery and replays are harmless.
 *
 * @returns the ids of the stores whose collection changed
 */
export async function removeRetiredProduct(services: Services, productId: string, origin: EventOrigin): Promise<string[]> {
  const changed: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await catalog.storesCarrying(services.catalog, productId, { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const membership of page.items) {
      const result = await changeStoreCollection(services, { storeId: membership.storeId, add: [], remove: [productId], reason: 'product-retired', origin });
      if (result.plan.changed) changed.push(membership.storeId);
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return changed;
}
