// The catalog table: one DynamoDB table (the standard single-table layout of @kestrel/table-keys).
// Keys come from entity definitions, never from string concatenation; every read the service
// does is declared below as an access pattern and served by one GetItem or one Query.
//
// | item             | PK                  | SK                 | GSI1 (listings, sparse: published only)        | GSI2 (stores carrying a product)      |
// | Product          | PRODUCT#<id>        | PRODUCT            | CATEGORY#<category> / <publishedAt>#<id>       | -                                     |
// | ProductTag       | PRODUCT#<id>        | TAG#<tag>          | TAG#<tag> / <publishedAt>#<id>                 | -                                     |
// | Store            | STORE#<id>          | STORE              | -                                              | -                                     |
// | Membership       | STORE#<id>          | PRODUCT#<productId>| -                                              | CARRIED#<productId> / STORE#<storeId> |
// | OutboxEvent      | OUTBOX#<eventId>    | EVENT              | -                                              | -                                     |
//
// A store's collection is one Membership item per product (about 200 bytes each) in the store's
// partition, so a collection of any size stays far from the 400 KB item limit; the store item
// keeps only the size and version. Tag entries exist only while their product is published and
// carry the product summary, so "products with tag" is one Query.
import { defineAccessPattern, defineEntity, defineItemCodec, joinKey } from '@kestrel/table-keys';
import { pure, isoDateTime } from '@kestrel/contracts';
import * as z from 'zod/mini';
import { storedProductSchema, type StoredProduct } from '../domain/product';
import { storedStoreSchema, type Store } from '../domain/store';
import { idSchema, priceSchema, slugSchema } from '../domain/values';

export const LISTING_INDEX = 'GSI1';
export const CARRIED_INDEX = 'GSI2';

export const ProductEntity = /* @__PURE__ */ pure(() =>
  defineEntity<'Product', Pick<StoredProduct, 'productId'>, StoredProduct>({
    name: 'Product',
    key: ({ productId }) => ({ PK: ['PRODUCT', productId], SK: ['PRODUCT'] }),
    indexes: {
      // Sparse: only published products are listed by category, newest first (ISO timestamps sort).
      [LISTING_INDEX]: (product) =>
        product.status === 'published' && product.publishedAt !== undefined
          ? { PK: ['CATEGORY', product.category], SK: [product.publishedAt, product.productId] }
          : undefined,
    },
  }),
);
export const productCodec = /* @__PURE__ */ pure(() => defineItemCodec(ProductEntity, storedProductSchema));

/** A published product's summary under one of its tags. */
export const productTagSchema = /* @__PURE__ */ pure(() =>
  z.object({
    productId: idSchema,
    tag: slugSchema,
    name: z.string(),
    category: slugSchema,
    tags: z.array(slugSchema),
    price: priceSchema,
    publishedAt: isoDateTime(),
  }),
);
export type ProductTag = z.output<typeof productTagSchema>;
export type ProductSummary = Omit<ProductTag, 'tag'>;

export const ProductTagEntity = /* @__PURE__ */ pure(() =>
  defineEntity<'ProductTag', Pick<ProductTag, 'productId' | 'tag'>, ProductTag>({
    name: 'ProductTag',
    key: ({ productId, tag }) => ({ PK: ['PRODUCT', productId], SK: ['TAG', tag] }),
    indexes: { [LISTING_INDEX]: (entry) => ({ PK: ['TAG', entry.tag], SK: [entry.publishedAt, entry.productId] }) },
  }),
);

export const productTagCodec = /* @__PURE__ */ pure(() => defineItemCodec(ProductTagEntity, productTagSchema));

export const StoreEntity = /* @__PURE__ */ pure(() =>
  defineEntity<'Store', Pick<Store, 'storeId'>, Store>({
    name: 'Store',
    key: ({ storeId }) => ({ PK: ['STORE', storeId], SK: ['STORE'] }),
  }),
);

export const storeCodec = /* @__PURE__ */ pure(() => defineItemCodec(StoreEntity, storedStoreSchema));

export const membershipSchema = /* @__PURE__ */ pure(() => z.object({ storeId: idSchema, productId: idSchema, addedAt: isoDateTime() }));
export type Membership = z.output<typeof membershipSchema>;

export const MembershipEntity = /* @__PURE__ */ pure(() =>
  defineEntity<'Membership', Pick<Membership, 'storeId' | 'productId'>, Membership>({
    name: 'Membership',
    key: ({ storeId, productId }) => ({ PK: ['STORE', storeId], SK: ['PRODUCT', productId] }),
    indexes: { [CARRIED_INDEX]: ({ storeId, productId }) => ({ PK: ['CARRIED', productId], SK: ['STORE', storeId] }) },
  }),
);

export const membershipCodec = /* @__PURE__ */ pure(() => defineItemCodec(MembershipEntity, membershipSchema));

export const categoryPartition = (category: string) => joinKey(['CATEGORY', category]);
export const tagPartition = (tag: string) => joinKey(['TAG', tag]);
export const carriedPartition = (productId: string) => joinKey(['CARRIED', productId]);
export const storePartition = (storeId: string) => joinKey(['STORE', storeId]);

export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;
// Typical sizes, measured on DynamoDB Local items by the bench (bench-results/catalog.json).
const PRODUCT_BYTES = 600;
const TAG_ENTRY_BYTES = 450;
const STORE_BYTES = 250;
const MEMBERSHIP_BYTES = 230;

// `/* @__PURE__ */`: handlers never read these declarations (they document the service and its read
// costs), so each bundle drops them and table-keys' access-pattern schema (~5 KB);
// tests/unit/access-patterns.test.ts still evaluates every one and checks the README's table.
/** Every read the service does, with its expected cost; rendered into the README. */
export const accessPatterns = [
  /* @__PURE__ */ defineAccessPattern({
    name: 'GetProduct',
    entity: ProductEntity,
    index: 'table',
    keyCondition: 'PK = PRODUCT#<productId> AND SK = PRODUCT',
    operation: 'GetItem',
    expectedItemBytes: PRODUCT_BYTES,
    consistency: 'strong',
    notes: 'also the read before every product command (strong: commands decide on it)',
  }),
  /* @__PURE__ */ defineAccessPattern({
    name: 'GetProductsInCategory',
    entity: ProductEntity,
    index: LISTING_INDEX,
    keyCondition: 'GSI1PK = CATEGORY#<category>, descending GSI1SK',
    operation: 'Query',
    expectedItemBytes: PRODUCT_BYTES,
    expectedItems: PAGE_SIZE_DEFAULT,
    notes: 'sparse: published products only; newest publication first; one page',
  }),
  /* @__PURE__ */ defineAccessPattern({
    name: 'GetProductsWithTag',
    entity: ProductTagEntity,
    index: LISTING_INDEX,
    keyCondition: 'GSI1PK = TAG#<tag>, descending GSI1SK',
    operation: 'Query',
    expectedItemBytes: TAG_ENTRY_BYTES,
    expectedItems: PAGE_SIZE_DEFAULT,
    notes: 'one ProductTag entry per tag of a published product, carrying the summary; newest first; one page',
  }),
  /* @__PURE__ */ defineAccessPattern({
    name: 'GetStore',
    entity: StoreEntity,
    index: 'table',
    keyCondition: 'PK = STORE#<storeId> AND SK = STORE',
    operation: 'GetItem',
    expectedItemBytes: STORE_BYTES,
    consistency: 'strong',
  }),
  /* @__PURE__ */ defineAccessPattern({
    name: 'GetStoreCollection',
    entity: MembershipEntity,
    index: 'table',
    keyCondition: 'PK = STORE#<storeId> AND begins_with(SK, PRODUCT#)',
    operation: 'Query',
    expectedItemBytes: MEMBERSHIP_BYTES,
    expectedItems: PAGE_SIZE_DEFAULT,
    notes: 'one Membership item per product, ordered by product id; one page',
  }),
  /* @__PURE__ */ defineAccessPattern({
    name: 'GetStoresCarryingProduct',
    entity: MembershipEntity,
    index: CARRIED_INDEX,
    keyCondition: 'GSI2PK = CARRIED#<productId>',
    operation: 'Query',
    expectedItemBytes: MEMBERSHIP_BYTES,
    expectedItems: PAGE_SIZE_DEFAULT,
    notes: 'also how on-product-retired finds the collections to clean (all pages)',
  }),
  /* @__PURE__ */ defineAccessPattern({
    name: 'CheckProductsAndMemberships',
    entity: MembershipEntity,
    index: 'table',
    keyCondition: 'PK = PRODUCT#<id> AND SK = PRODUCT; PK = STORE#<storeId> AND SK = PRODUCT#<id>',
    operation: 'GetItem',
    expectedItemBytes: PRODUCT_BYTES,
    consistency: 'strong',
    notes: 'per named product, batched: BatchGetItem of ≤100 keys (products to add, then memberships) before a collection change',
  }),
];
