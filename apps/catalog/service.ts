/**
 * THE MANIFEST of the catalog context: open this first.
 *
 * Products (draft → published → retired), stores and store collections (which products a store
 * carries: one item per membership, so a collection of any size never nears DynamoDB's 400 KB
 * item limit). One function per route: staff mutate, any signed-in user reads (checked in the
 * handler from `cognito:groups`; the JWT authorizer admits only signed-in users). Queries only
 * read; commands write this service's table and nothing else. Events leave through the table's
 * outbox, written in the same transaction as the change; the catalog consumes its own
 * ProductRetired to take a retired product out of every store collection.
 */
import { ProductPublishedV1, ProductRetiredV1, ProductRevisedV1, StoreCollectionChangedV1 } from '@kestrel/contracts';
import { defineService, type TableAccess } from '@kestrel/service-manifest';

const writeCatalog: TableAccess[] = [{ table: 'catalog', mode: 'write' }];
const readCatalog: TableAccess[] = [{ table: 'catalog', mode: 'read' }];

/**
 * Fields of `detail.data` each subscription's handler reads (onProductRetired (src/adapters/on-product-retired.ts)). The contract
 * compatibility gate says per consumer whether a change touches one of them, and lets an optional
 * field nobody reads be removed. Keep it in step with the handler; a field missing here is one
 * the gate may let a producer remove.
 */
export const fieldsRead = { 'product-retired': ['productId'] } satisfies Record<string, readonly string[]>;

export default defineService({
  name: 'catalog',
  description: 'Products, stores and store collections on one DynamoDB table; publishes exactly what changed through a transactional outbox.',
  owner: { team: 'merchandising' },
  functions: {
    // Product commands (staff).
    'http-create-product': {
      description: 'CreateProduct: a draft with name, description, category, tags and price (staff).',
      handler: 'src/handlers/http-create-product.ts',
      triggers: [{ kind: 'http', method: 'POST', path: '/products', auth: 'jwt' }],
      access: { tables: writeCatalog },
    },
    'http-revise-product': {
      description: 'ReviseProduct: changes any of name, description, category, tags, price (staff); published products announce the changed fields.',
      handler: 'src/handlers/http-revise-product.ts',
      triggers: [{ kind: 'http', method: 'PATCH', path: '/products/{productId}', auth: 'jwt' }],
      access: { tables: writeCatalog },
    },
    'http-publish-product': {
      description: 'PublishProduct: a draft becomes visible in category and tag listings and may be carried by stores (staff).',
      handler: 'src/handlers/http-publish-product.ts',
      triggers: [{ kind: 'http', method: 'POST', path: '/products/{productId}/publish', auth: 'jwt' }],
      access: { tables: writeCatalog },
    },
    'http-retire-product': {
      description: 'RetireProduct: the product leaves the listings for good; stores stop carrying it through on-product-retired (staff).',
      handler: 'src/handlers/http-retire-product.ts',
      triggers: [{ kind: 'http', method: 'POST', path: '/products/{productId}/retire', auth: 'jwt' }],
      access: { tables: writeCatalog },
    },
    // Store commands (staff).
    'http-create-store': {
      description: 'CreateStore: a store with an empty collection (staff).',
      handler: 'src/handlers/http-create-store.ts',
      triggers: [{ kind: 'http', method: 'POST', path: '/stores', auth: 'jwt' }],
      access: { tables: writeCatalog },
    },
    'http-change-store-collection': {
      description: 'ChangeStoreCollection: adds and removes up to 100 products in one all-or-nothing request, published as one StoreCollectionChanged (staff).',
      handler: 'src/handlers/http-change-store-collection.ts',
      triggers: [{ kind: 'http', method: 'PATCH', path: '/stores/{storeId}/collection', auth: 'jwt' }],
      access: { tables: writeCatalog },
    },
    // Queries (any signed-in user): GetItem and Query only.
    'http-get-product': {
      description: 'GetProduct: one product by id.',
      handler: 'src/handlers/http-get-product.ts',
      triggers: [{ kind: 'http', method: 'GET', path: '/products/{productId}', auth: 'jwt' }],
      access: { tables: readCatalog },
    },
    'http-find-products': {
      description: 'GetProductsInCategory (?category=) and GetProductsWithTag (?tag=): published products, newest first, paginated with an opaque cursor.',
      handler: 'src/handlers/http-find-products.ts',
      triggers: [{ kind: 'http', method: 'GET', path: '/products', auth: 'jwt' }],
      access: { tables: readCatalog },
    },
    'http-list-product-stores': {
      description: 'GetStoresCarryingProduct: the stores whose collection holds a product, paginated.',
      handler: 'src/handlers/http-list-product-stores.ts',
      triggers: [{ kind: 'http', method: 'GET', path: '/products/{productId}/stores', auth: 'jwt' }],
      access: { tables: readCatalog },
    },
    'http-get-store': {
      description: 'GetStore: one store with its collection size and version.',
      handler: 'src/handlers/http-get-store.ts',
      triggers: [{ kind: 'http', method: 'GET', path: '/stores/{storeId}', auth: 'jwt' }],
      access: { tables: readCatalog },
    },
    'http-list-store-collection': {
      description: "GetStoreCollection: the products a store carries, paginated with an opaque cursor.",
      handler: 'src/handlers/http-list-store-collection.ts',
      triggers: [{ kind: 'http', method: 'GET', path: '/stores/{storeId}/collection', auth: 'jwt' }],
      access: { tables: readCatalog },
    },
    // Subscription to our own event.
    'on-product-retired': {
      description: 'Removes a retired product from every store collection carrying it; idempotent (a store that no longer carries it is left alone).',
      handler: 'src/handlers/on-product-retired.ts',
      triggers: [{ kind: 'event', subscription: 'product-retired' }],
      timeoutSeconds: 60,
      access: { tables: writeCatalog },
    },
  },
  tables: {
    catalog: {
      description:
        'Single table: products (GSI1: published by category), product tag entries (GSI1: published by tag), stores, collection memberships (GSI2: stores carrying a product), outbox items (TTL).',
      globalIndexes: ['GSI1', 'GSI2'],
      stream: true,
      ttl: true,
    },
  },
  publishes: [
    { event: ProductPublishedV1, via: 'outbox', table: 'catalog' },
    { event: ProductRevisedV1, via: 'outbox', table: 'catalog' },
    { event: ProductRetiredV1, via: 'outbox', table: 'catalog' },
    { event: StoreCollectionChangedV1, via: 'outbox', table: 'catalog' },
  ],
  consumes: [
    {
      name: 'product-retired',
      description: 'A product was retired (by this very service): every store collection carrying it drops it.',
      events: [ProductRetiredV1],
      target: 'on-product-retired',
      // Removal is idempotent, so retries are always safe; an hour covers throttling or a
      // collection kept busy by large concurrent changes, then the event waits in the DLQ for a replay.
      retry: { maximumRetryAttempts: 8, maximumEventAgeSeconds: 3600 },
    },
  ],
});
