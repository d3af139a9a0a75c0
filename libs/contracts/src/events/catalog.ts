import * as z from 'zod/mini';
import { isoDateTime } from '../iso-datetime';
import { pure } from '../pure';
import { declareEvent } from '../define-event';
import { openEnum } from '../open-enum';

/**
 * Events published by the catalog context (products, stores and store collections). Each is
 * written to the service's outbox in the same DynamoDB transaction as the change it reports and
 * reaches the bus through the table's stream and an EventBridge pipe.
 *
 * Product events carry `productVersion` (1 on creation, +1 per change): a consumer keeping a
 * copy applies an event only when it is newer than what it holds. Collection events carry
 * `collectionVersion` the same way, per store, and say exactly what changed, so consumers (e.g.
 * per-store model re-training) never diff collections themselves.
 */

const productId = /* @__PURE__ */ pure(() => z.uuid().check(z.describe('The product id, assigned by the catalog on creation.')));
const storeId = /* @__PURE__ */ pure(() => z.uuid().check(z.describe('The store id, assigned by the catalog on creation.')));
const productVersion = /* @__PURE__ */ pure(() =>
  z
    .int()
    .check(z.positive(), z.describe('Version of the product after this change (1 on creation, +1 per change); apply only if newer than what you hold.')),
);
const slug = /* @__PURE__ */ pure(() => z.string().check(z.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case slug like home-office'), z.maxLength(40)));
const name = /* @__PURE__ */ pure(() => z.string().check(z.minLength(1), z.maxLength(200)));
const description = /* @__PURE__ */ pure(() => z.string().check(z.maxLength(2000)));
const tags = /* @__PURE__ */ pure(() => z.array(slug).check(z.maxLength(10), z.describe('Distinct tags, sorted.')));
const price = /* @__PURE__ */ pure(() =>
  z
    .object({
      amountMinor: z.int().check(z.nonnegative(), z.describe('Amount in the currency\'s minor unit (cents for EUR), an integer.')),
      currency: z.string().check(z.regex(/^[A-Z]{3}$/, 'ISO 4217 currency code'), z.describe('ISO 4217, upper case.')),
    })
    .check(z.describe('A price: integer minor units and an ISO 4217 currency; never a float.')),
);

/** One changed field: its value before and after. */
function change<T extends z.ZodMiniType>(value: T) {
  return z.object({ from: value, to: value });
}

export const ProductPublishedV1 = /* @__PURE__ */ pure(() =>
  declareEvent({
    source: 'kestrel.catalog',
    detailType: 'ProductPublished',
    version: 1,
    owner: 'catalog',
    description: 'A draft product was published: from now on stores may carry it and shoppers see it. Carries the whole product as published.',
    data: z.object({
      productId,
      productVersion,
      name,
      description,
      category: slug,
      tags,
      price,
      publishedAt: isoDateTime(),
    }),
    example: {
      productId: '7d3f9a62-1c4b-4e8a-9f0d-2b6c8e1a5d47',
      productVersion: 3,
      name: 'Chamomile tea',
      description: 'Loose-leaf, 100 g.',
      category: 'tea',
      tags: ['caffeine-free', 'sleep'],
      price: { amountMinor: 695, currency: 'EUR' },
      publishedAt: '2026-01-15T09:30:00.000Z',
    },
  }),
);

export const ProductRevisedV1 = /* @__PURE__ */ pure(() =>
  declareEvent({
    source: 'kestrel.catalog',
    detailType: 'ProductRevised',
    version: 1,
    owner: 'catalog',
    description:
      'A published product was revised. Lists only the fields that changed, each with its old and new value. Revisions of drafts publish nothing (ProductPublished carries the state at publication).',
    data: z.object({
      productId,
      productVersion,
      changes: z
        .object({
          name: z.optional(change(name)),
          description: z.optional(change(description)),
          category: z.optional(change(slug)),
          tags: z.optional(change(tags)),
          price: z.optional(change(price)),
        })
        .check(z.describe('At least one field; fields that did not change are absent.')),
    }),
    example: {
      productId: '7d3f9a62-1c4b-4e8a-9f0d-2b6c8e1a5d47',
      productVersion: 4,
      changes: {
        price: { from: { amountMinor: 695, currency: 'EUR' }, to: { amountMinor: 745, currency: 'EUR' } },
        tags: { from: ['caffeine-free', 'sleep'], to: ['caffeine-free', 'organic', 'sleep'] },
      },
    },
  }),
);

export const ProductRetiredV1 = /* @__PURE__ */ pure(() =>
  declareEvent({
    source: 'kestrel.catalog',
    detailType: 'ProductRetired',
    version: 1,
    owner: 'catalog',
    description:
      'A product was retired for good: it can no longer be revised or added to a store, and the catalog removes it from every store collection (each removal is its own StoreCollectionChanged).',
    data: z.object({
      productId,
      productVersion,
      retiredAt: isoDateTime(),
      wasPublished: z.boolean().check(z.describe('false when a draft was discarded without ever being published.')),
    }),
    example: {
      productId: '7d3f9a62-1c4b-4e8a-9f0d-2b6c8e1a5d47',
      productVersion: 5,
      retiredAt: '2026-03-01T12:00:00.000Z',
      wasPublished: true,
    },
  }),
);

export const StoreCollectionChangedV1 = /* @__PURE__ */ pure(() =>
  declareEvent({
    source: 'kestrel.catalog',
    detailType: 'StoreCollectionChanged',
    version: 1,
    owner: 'catalog',
    description:
      "A store's collection (the products it carries) changed: exactly which products were added and removed by one request, and the collection's size after it. One event per request; a change too large for one event is split into numbered parts sharing `changeId` (reassemble by `changeId`, parts 1..count; `sizeAfter` and `collectionVersion` are the same in every part).",
    data: z.object({
      storeId,
      changeId: z.uuid().check(z.describe('Identifies the request; shared by all parts of a split change.')),
      collectionVersion: z
        .int()
        .check(z.positive(), z.describe("The store collection's version after this change (+1 per change); apply only if newer than what you hold.")),
      part: z
        .object({ number: z.int().check(z.positive()), count: z.int().check(z.positive()) })
        .check(z.describe('This part\'s number (1-based) and how many parts the change has; { number: 1, count: 1 } when not split.')),
      added: z.array(productId).check(z.describe('Products the store carries from now on (in this part).')),
      removed: z.array(productId).check(z.describe('Products the store no longer carries (in this part).')),
      sizeAfter: z.int().check(z.nonnegative(), z.describe('How many products the collection holds after the whole change.')),
      reason: openEnum(['request', 'product-retired']).check(
        z.describe('Why: a staff request, or the catalog removing a retired product; new values may be added (readers get unknown ones as unrecognised).'),
      ),
    }),
    example: {
      storeId: '0c9e2f4a-5b7d-4e1f-8a3c-6d2b9f0e7a15',
      changeId: '4b1d8e2a-9c3f-4a6e-b5d7-1e8f2c0a9b34',
      collectionVersion: 12,
      part: { number: 1, count: 1 },
      added: ['7d3f9a62-1c4b-4e8a-9f0d-2b6c8e1a5d47'],
      removed: [],
      sizeAfter: 240,
      reason: 'request',
    },
  }),
);
