import { ProductPublishedV1, ProductRetiredV1, ProductRevisedV1, type EventData, pure, isoDateTime, rule } from '@kestrel/contracts';
import * as z from 'zod/mini';
import { descriptionSchema, idSchema, priceSchema, productNameSchema, samePrice, slugSchema, tagsSchema, type Price } from './values';

/** Lifecycle: a draft is invisible to shoppers; published products are listed and may be carried; retired is final. */
export const PRODUCT_STATUSES = ['draft', 'published', 'retired'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

/** A product as stored (without its optimistic-locking version, which the table keeps). */
export const storedProductSchema = /* @__PURE__ */ pure(() =>
  z.object({
    productId: idSchema,
    status: z.enum(PRODUCT_STATUSES),
    name: productNameSchema,
    description: descriptionSchema,
    category: slugSchema,
    tags: z.array(slugSchema),
    price: priceSchema,
    createdAt: isoDateTime(),
    updatedAt: isoDateTime(),
    publishedAt: z.optional(isoDateTime()),
    retiredAt: z.optional(isoDateTime()),
  }),
);
export type StoredProduct = z.output<typeof storedProductSchema>;
export type Product = StoredProduct & { readonly version: number };

/** The fields staff may set on creation and revise later. */
export const productDetailsSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    name: productNameSchema,
    description: z._default(descriptionSchema, ''),
    category: slugSchema,
    tags: z._default(tagsSchema, []),
    price: priceSchema,
  }),
);
export type ProductDetails = z.output<typeof productDetailsSchema>;

/** A revision: any non-empty subset of the details. */
export const productRevisionSchema = /* @__PURE__ */ pure(() =>
  z
    .strictObject({
      name: z.optional(productNameSchema),
      description: z.optional(descriptionSchema),
      category: z.optional(slugSchema),
      tags: z.optional(tagsSchema),
      price: z.optional(priceSchema),
    })
    .check(rule((revision) => Object.values(revision).some((value) => value !== undefined), 'must change at least one field')),
);
export type ProductRevision = z.output<typeof productRevisionSchema>;

/** An event a product decision produces, typed by its contract. */
export type ProductEvent =
  | { readonly contract: typeof ProductPublishedV1; readonly data: EventData<typeof ProductPublishedV1> }
  | { readonly contract: typeof ProductRevisedV1; readonly data: EventData<typeof ProductRevisedV1> }
  | { readonly contract: typeof ProductRetiredV1; readonly data: EventData<typeof ProductRetiredV1> };

/** A business rule refused the command; `code` is stable (the HTTP problem type). */
export class ProductRuleViolation extends Error {
  constructor(
    readonly code: 'product-retired' | 'product-not-published',
    message: string,
  ) {
    super(message);
    this.name = 'ProductRuleViolation';
  }
}

/** What a command decided: the product after it (unchanged: `changed` false) and the events to publish. */
export interface ProductDecision {
  readonly product: Product;
  readonly changed: boolean;
  readonly events: readonly ProductEvent[];
}

/**
 * A new draft (version 1). Drafts publish nothing: consumers first hear of a product when it is published.
 *
 * @example
 * ```ts
 * const draft = createDraft(crypto.randomUUID(), { name: 'Tea', description: '', category: 'tea', tags: [], price: { amountMinor: 695, currency: 'EUR' } }, now);
 * ```
 */
export function createDraft(productId: string, details: ProductDetails, now: Date): Product {
  const at = now.toISOString();
  return { productId, status: 'draft', ...details, tags: [...details.tags].sort(), createdAt: at, updatedAt: at, version: 1 };
}

/** Publishes a draft; publishing a published product changes nothing; a retired one is refused. */
export function publish(product: Product, now: Date): ProductDecision {
  if (product.status === 'retired') throw new ProductRuleViolation('product-retired', `Product ${product.productId} is retired and cannot be published again.`);
  if (product.status === 'published') return { product, changed: false, events: [] };
  const at = now.toISOString();
  const next: Product = { ...product, status: 'published', publishedAt: at, updatedAt: at, version: product.version + 1 };
  return {
    product: next,
    changed: true,
    events: [
      {
        contract: ProductPublishedV1,
        data: {
          productId: next.productId,
          productVersion: next.version,
          name: next.name,
          description: next.description,
          category: next.category,
          tags: next.tags,
          price: next.price,
          publishedAt: at,
        },
      },
    ],
  };
}

type RevisedChanges = EventData<typeof ProductRevisedV1>['changes'];

/** The fields whose value differs, with old and new values. */
export function revisionChanges(product: StoredProduct, revision: ProductRevision): RevisedChanges {
  const changes: { -readonly [K in keyof RevisedChanges]: RevisedChanges[K] } = {};
  if (revision.name !== undefined && revision.name !== product.name) changes.name = { from: product.name, to: revision.name };
  if (revision.description !== undefined && revision.description !== product.description) {
    changes.description = { from: product.description, to: revision.description };
  }
  if (revision.category !== undefined && revision.category !== product.category) changes.category = { from: product.category, to: revision.category };
  if (revision.tags !== undefined) {
    const tags = [...revision.tags].sort();
    if (tags.join('\u0000') !== product.tags.join('\u0000')) changes.tags = { from: product.tags, to: tags };
  }
  if (revision.price !== undefined && !samePrice(revision.price, product.price)) changes.price = { from: product.price, to: revision.price };
  return changes;
}

/**
 * Revises a draft or published product. Only fields whose value differs count; a revision that
 * changes nothing leaves the product (and its version) as it is. A published product announces
 * the changed fields with their old and new values; a draft announces nothing.
 */
export function revise(product: Product, revision: ProductRevision, now: Date): ProductDecision {
  if (product.status === 'retired') throw new ProductRuleViolation('product-retired', `Product ${product.productId} is retired and cannot be revised.`);
  const changes = revisionChanges(product, revision);
  if (Object.keys(changes).length === 0) return { product, changed: false, events: [] };
  const next: Product = {
    ...product,
    ...(changes.name ? { name: changes.name.to } : {}),
    ...(changes.description ? { description: changes.description.to } : {}),
    ...(changes.category ? { category: changes.category.to } : {}),
    ...(changes.tags ? { tags: changes.tags.to } : {}),
    ...(changes.price ? { price: changes.price.to as Price } : {}),
    updatedAt: now.toISOString(),
    version: product.version + 1,
  };
  const events: ProductEvent[] =
    product.status === 'published' ? [{ contract: ProductRevisedV1, data: { productId: next.productId, productVersion: next.version, changes } }] : [];
  return { product: next, changed: true, events };
}

/** Retires a product (draft or published) for good; retiring a retired product changes nothing. */
export function retire(product: Product, now: Date): ProductDecision {
  if (product.status === 'retired') return { product, changed: false, events: [] };
  const at = now.toISOString();
  const next: Product = { ...product, status: 'retired', retiredAt: at, updatedAt: at, version: product.version + 1 };
  return {
    product: next,
    changed: true,
    events: [
      {
        contract: ProductRetiredV1,
        data: { productId: next.productId, productVersion: next.version, retiredAt: at, wasPublished: product.status === 'published' },
      },
    ],
  };
}
