// Every HTTP route of the catalog as a factory over the services, so a handler file is one line
// (wiring from the environment) and tests drive the very same routes against DynamoDB Local.
import { pageRequestOf, readParameters, readRequest, type HttpRouteHandler } from '@kestrel/http-api';
import { pure, rule } from '@kestrel/contracts';
import * as z from 'zod/mini';
import {
  changeStoreCollection,
  createNewStore,
  createProduct,
  getProduct,
  getStore,
  productsInCategory,
  productsWithTag,
  publishProduct,
  ProductNotFoundError,
  retireProduct,
  reviseProduct,
  storeCollection,
  storesCarrying,
  type Services,
} from '../../application/use-cases';
import { collectionChangeRequestSchema } from '../../domain/collection';
import { productDetailsSchema, productRevisionSchema } from '../../domain/product';
import { createStoreRequestSchema, isStaff } from '../../domain/store';
import { idSchema, slugSchema } from '../../domain/values';
import { requireSignedIn, requireStaff } from './auth';
import {
  alreadyExists,
  catalogPageQuery,
  catalogRoute,
  concurrentModification,
  MAX_BODY_BYTES,
  productNotFound,
  productRuleViolated,
  productsNotAddable,
  storeNotFound,
} from './route';

const productPath = { productId: idSchema };
const storePath = { storeId: idSchema };

export const createProductRoute = (services: Services): HttpRouteHandler =>
  catalogRoute(async (event) => {
    requireStaff(event);
    const { body } = readRequest(event, { body: productDetailsSchema, maxBodyBytes: MAX_BODY_BYTES });
    return { status: 201, body: await createProduct(services, body) };
  }, [alreadyExists]);

export const getProductRoute = (services: Services): HttpRouteHandler =>
  catalogRoute(async (event) => {
    const { groups } = requireSignedIn(event);
    const { path } = readParameters(event, { path: productPath });
    const product = await getProduct(services, path.productId);
    // A draft is staff's work in progress: anyone else gets the same 404 as for no product at all.
    if (product.status === 'draft' && !isStaff(groups)) throw new ProductNotFoundError(path.productId);
    return { status: 200, body: product };
  }, [productNotFound]);

export const reviseProductRoute = (services: Services): HttpRouteHandler =>
  catalogRoute(async (event, origin) => {
    requireStaff(event);
    const { path, body } = readRequest(event, { path: productPath, body: productRevisionSchema, maxBodyBytes: MAX_BODY_BYTES });
    return { status: 200, body: await reviseProduct(services, path.productId, body, origin) };
  }, [productNotFound, productRuleViolated, concurrentModification]);

export const publishProductRoute = (services: Services): HttpRouteHandler =>
  catalogRoute(async (event, origin) => {
    requireStaff(event);
    const { path } = readParameters(event, { path: productPath });
    return { status: 200, body: await publishProduct(services, path.productId, origin) };
  }, [productNotFound, productRuleViolated, concurrentModification]);

export const retireProductRoute = (services: Services): HttpRouteHandler =>
  catalogRoute(async (event, origin) => {
    requireStaff(event);
    const { path } = readParameters(event, { path: productPath });
    return { status: 200, body: await retireProduct(services, path.productId, origin) };
  }, [productNotFound, productRuleViolated, concurrentModification]);

const findProductsQuery = /* @__PURE__ */ pure(() =>
  z
    .strictObject({ category: z.optional(slugSchema), tag: z.optional(slugSchema), ...catalogPageQuery })
    .check(rule((query) => (query.category === undefined) !== (query.tag === undefined), 'give exactly one of category or tag', ['category'])),
);

export const findProductsRoute = (services: Services): HttpRouteHandler =>
  catalogRoute(async (event) => {
    requireSignedIn(event);
    const { query } = readParameters(event, { query: findProductsQuery });
    const result =
      query.category !== undefined ? await productsInCategory(services, query.category, pageRequestOf(query)) : await productsWithTag(services, query.tag as string, pageRequestOf(query));
    return { status: 200, body: result };
  }, []);

export const listProductStoresRoute = (services: Services): HttpRouteHandler =>
  catalogRoute(async (event) => {
    requireSignedIn(event);
    const { path, query } = readParameters(event, { path: productPath, query: z.strictObject(catalogPageQuery) });
    const result = await storesCarrying(services, path.productId, pageRequestOf(query));
    return { status: 200, body: { items: result.items.map(({ storeId, addedAt }) => ({ storeId, addedAt })), ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}) } };
  }, []);

export const createStoreRoute = (services: Services): HttpRouteHandler =>
  catalogRoute(async (event) => {
    requireStaff(event);
    const { body } = readRequest(event, { body: createStoreRequestSchema, maxBodyBytes: MAX_BODY_BYTES });
    return { status: 201, body: await createNewStore(services, body.name) };
  }, [alreadyExists]);

export const getStoreRoute = (services: Services): HttpRouteHandler =>
  catalogRoute(async (event) => {
    requireSignedIn(event);
    const { path } = readParameters(event, { path: storePath });
    return { status: 200, body: await getStore(services, path.storeId) };
  }, [storeNotFound]);

export const changeStoreCollectionRoute = (services: Services): HttpRouteHandler =>
  catalogRoute(async (event, origin) => {
    requireStaff(event);
    const { path, body } = readRequest(event, { path: storePath, body: collectionChangeRequestSchema, maxBodyBytes: MAX_BODY_BYTES });
    const { plan } = await changeStoreCollection(services, { storeId: path.storeId, add: body.add, remove: body.remove, reason: 'request', origin });
    return {
      status: 200,
      body: { storeId: plan.storeId, added: plan.added, removed: plan.removed, unchanged: plan.unchanged, collectionSize: plan.sizeAfter, collectionVersion: plan.collectionVersion },
    };
  }, [storeNotFound, productsNotAddable, concurrentModification]);

export const listStoreCollectionRoute = (services: Services): HttpRouteHandler =>
  catalogRoute(async (event) => {
    requireSignedIn(event);
    const { path, query } = readParameters(event, { path: storePath, query: z.strictObject(catalogPageQuery) });
    const result = await storeCollection(services, path.storeId, pageRequestOf(query));
    return { status: 200, body: { items: result.items.map(({ productId, addedAt }) => ({ productId, addedAt })), ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}) } };
  }, [storeNotFound]);
