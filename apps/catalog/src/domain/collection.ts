import * as z from 'zod/mini';
import { pure } from '@kestrel/contracts';
import type { ProductStatus } from './product';
import { idSchema } from './values';

/** The most products one collection change may name (adds and removes together). */
export const MAX_PRODUCTS_PER_CHANGE = 100;
/** DynamoDB's TransactWriteItems limit. */
export const MAX_TRANSACTION_ACTIONS = 100;
/**
 * Ids per event part are packed into this many bytes of JSON. EventBridge bills per 64 KB of
 * entry, and the outbox item (which holds the whole detail) must stay under DynamoDB's 400 KB;
 * 48 KB of ids leaves room for the envelope in one billing unit. A 100-product change (about
 * 3.9 KB of ids) is always one part; the split exists so the contract never has to change if the
 * per-request limit is raised.
 */
export const PART_ID_BUDGET_BYTES = 48 * 1024;

/**
 * A change request: products to add and to remove, each at most once across both lists, 1..100
 * in total. Duplicates are refused with the field and id named, not silently merged.
 */
export const collectionChangeRequestSchema = /* @__PURE__ */ pure(() =>
  z
    .strictObject({
      add: z._default(z.array(idSchema, { message: 'must be an array of product ids' }), []),
      remove: z._default(z.array(idSchema, { message: 'must be an array of product ids' }), []),
    })
    .check(z.superRefine(({ add, remove }, context) => {
      const total = add.length + remove.length;
      if (total === 0) context.addIssue({ code: 'custom', path: [], message: 'must name at least one product to add or remove' });
      if (total > MAX_PRODUCTS_PER_CHANGE) {
        context.addIssue({ code: 'custom', path: [], message: `names ${total} products; at most ${MAX_PRODUCTS_PER_CHANGE} per request` });
      }
      const firstSeen = new Map<string, string>();
      const visit = (list: 'add' | 'remove', ids: readonly string[]) =>
        ids.forEach((id, index) => {
          const earlier = firstSeen.get(id);
          if (earlier !== undefined) {
            context.addIssue({ code: 'custom', path: [list, index], message: `product ${id} appears more than once in this request (first at ${earlier})` });
          } else firstSeen.set(id, `${list}[${index}]`);
        });
      visit('add', add);
      visit('remove', remove);
    })),
);
export type CollectionChangeRequest = z.output<typeof collectionChangeRequestSchema>;

/** Why a collection changes. */
export type ChangeReason = 'request' | 'product-retired';

/** A store's collection as far as a change needs it. */
export interface CollectionState {
  readonly storeId: string;
  readonly collectionVersion: number;
  readonly collectionSize: number;
}

/** Products a change may not add: unknown ids (404) and products that exist but cannot be carried (409). */
export class ProductsNotAddableError extends Error {
  constructor(
    readonly unknownProductIds: readonly string[],
    readonly unavailable: readonly { readonly productId: string; readonly status: Exclude<ProductStatus, 'published'> }[],
  ) {
    const parts = [
      unknownProductIds.length > 0 ? `unknown products: ${unknownProductIds.join(', ')}` : '',
      unavailable.length > 0 ? `not published: ${unavailable.map((p) => `${p.productId} (${p.status})`).join(', ')}` : '',
    ].filter((part) => part !== '');
    super(`Nothing was changed; ${parts.join('; ')}`);
    this.name = 'ProductsNotAddableError';
  }
}

/** What a change does once checked against the current collection. */
export interface CollectionChangePlan {
  readonly storeId: string;
  /** Added by this change (were not carried), in request order. */
  readonly added: readonly string[];
  /** Removed by this change (were carried), in request order. */
  readonly removed: readonly string[];
  /** Named in the request but already in the wanted state. */
  readonly unchanged: { readonly alreadyCarried: readonly string[]; readonly notCarried: readonly string[] };
  readonly sizeAfter: number;
  readonly collectionVersion: number;
  readonly changed: boolean;
  readonly reason: ChangeReason;
}

/**
 * Decides a collection change: refuses it whole when any product to add is unknown or not
 * published (nothing applied), and otherwise works out exactly what is added and removed.
 * Adding a product already carried and removing one not carried are no-ops, so repeating a
 * request (or a retirement) is harmless.
 *
 * @param products status of every product to add that exists (absent: unknown)
 * @param carried which of the named products the store carries now
 * @throws {@link ProductsNotAddableError}
 *
 * @example
 * ```ts
 * planCollectionChange(state, { add: [a], remove: [b] }, new Map([[a, 'published']]), new Set([b]), 'request');
 * // { added: [a], removed: [b], sizeAfter: state.collectionSize, collectionVersion: state.collectionVersion + 1, changed: true, … }
 * ```
 */
export function planCollectionChange(
  state: CollectionState,
  request: { readonly add: readonly string[]; readonly remove: readonly string[] },
  products: ReadonlyMap<string, ProductStatus>,
  carried: ReadonlySet<string>,
  reason: ChangeReason,
): CollectionChangePlan {
  const unknown: string[] = [];
  const unavailable: { productId: string; status: Exclude<ProductStatus, 'published'> }[] = [];
  for (const productId of request.add) {
    const status = products.get(productId);
    if (status === undefined) unknown.push(productId);
    else if (status !== 'published') unavailable.push({ productId, status });
  }
  if (unknown.length > 0 || unavailable.length > 0) throw new ProductsNotAddableError(unknown, unavailable);

  const added = request.add.filter((id) => !carried.has(id));
  const removed = request.remove.filter((id) => carried.has(id));
  const changed = added.length > 0 || removed.length > 0;
  return {
    storeId: state.storeId,
    added,
    removed,
    unchanged: { alreadyCarried: request.add.filter((id) => carried.has(id)), notCarried: request.remove.filter((id) => !carried.has(id)) },
    sizeAfter: state.collectionSize + added.length - removed.length,
    collectionVersion: changed ? state.collectionVersion + 1 : state.collectionVersion,
    changed,
    reason,
  };
}

/** One event part's ids. */
export interface ChangePart {
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

const idBytes = (id: string) => new TextEncoder().encode(JSON.stringify(id)).length + 1;

/**
 * Splits a change's ids into as few parts as fit `budgetBytes` of id JSON each, keeping request
 * order (added first, then removed). Concatenating the parts' lists gives back the change.
 *
 * @example
 * ```ts
 * eventParts({ added: ids, removed: [] }); // [{ added: ids, removed: [] }] for any 100 ids
 * ```
 */
export function eventParts(change: ChangePart, budgetBytes = PART_ID_BUDGET_BYTES): ChangePart[] {
  const parts: { added: string[]; removed: string[] }[] = [];
  let current = { added: [] as string[], removed: [] as string[] };
  let used = 0;
  const push = (list: 'added' | 'removed', id: string) => {
    const size = idBytes(id);
    if (used + size > budgetBytes && current.added.length + current.removed.length > 0) {
      parts.push(current);
      current = { added: [], removed: [] };
      used = 0;
    }
    current[list].push(id);
    used += size;
  };
  change.added.forEach((id) => push('added', id));
  change.removed.forEach((id) => push('removed', id));
  parts.push(current);
  return parts;
}

/** One membership write: a put for an added product, a delete for a removed one. */
export interface MembershipWrite {
  readonly kind: 'add' | 'remove';
  readonly productId: string;
}

/** The transactions that apply a change: one when it fits, else two guarded by a pending marker. */
export type WritePlan =
  | { readonly mode: 'single'; readonly writes: readonly MembershipWrite[]; readonly actions: number }
  | {
      readonly mode: 'two-phase';
      /** Phase 1: the store's pending marker (1 action) + these writes. */
      readonly first: readonly MembershipWrite[];
      /** Phase 2: these writes + the store's final update (1) + the outbox items (one per part). */
      readonly second: readonly MembershipWrite[];
      readonly actions: readonly [number, number];
    };

/** Membership writes of a plan, in a fixed order (adds, then removes) so both phases can be recomputed from the plan alone. */
export function membershipWrites(change: ChangePart): MembershipWrite[] {
  return [...change.added.map((productId) => ({ kind: 'add' as const, productId })), ...change.removed.map((productId) => ({ kind: 'remove' as const, productId }))];
}

/**
 * How a change's writes fit DynamoDB's 100 actions per transaction. Every change needs its
 * membership writes, one store update (collection version and size: the optimistic lock that
 * serialises changes to one store) and one outbox item per event part. Up to 98 memberships with
 * one part that is one transaction. Beyond, phase 1 writes a pending marker on the store (taking
 * the lock and recording the whole change) with the first 99 writes, and phase 2 writes the rest,
 * the final store update and the outbox items, conditioned on that marker. A crash between the
 * phases leaves the marker, and the next change to that store rolls it forward first, so a change
 * is either applied whole or not at all.
 *
 * @throws RangeError when the change cannot fit two transactions (more than 100 products would).
 */
export function planWrites(writes: readonly MembershipWrite[], parts: number, maxActions = MAX_TRANSACTION_ACTIONS): WritePlan {
  const single = writes.length + 1 + parts;
  if (single <= maxActions) return { mode: 'single', writes, actions: single };
  const firstCount = Math.min(writes.length, maxActions - 1);
  const second = writes.slice(firstCount);
  const secondActions = second.length + 1 + parts;
  if (secondActions > maxActions) throw new RangeError(`a change of ${writes.length} memberships and ${parts} parts does not fit two transactions of ${maxActions} actions`);
  return { mode: 'two-phase', first: writes.slice(0, firstCount), second, actions: [firstCount + 1, secondActions] };
}
