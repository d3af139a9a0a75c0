import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { StoreCollectionChangedV1 } from '@kestrel/contracts';
import { decodeCursor, encodeCursor, type CursorScope, type Page, type PageRequest } from '@kestrel/http-api';
import {
  createItem,
  ItemValidationError,
  itemVersion,
  keyAttributes,
  replaceItem,
  transactionFailure,
  type Item,
  type TableKey,
} from '@kestrel/table-keys';
import { eventParts, membershipWrites, planWrites, type ChangeReason, type CollectionChangePlan, type MembershipWrite } from '../domain/collection';
import type { Product, ProductDecision, ProductStatus } from '../domain/product';
import type { Store } from '../domain/store';
import { outboxItemFor, type EventOrigin } from './outbox';
import {
  CARRIED_INDEX,
  carriedPartition,
  categoryPartition,
  LISTING_INDEX,
  MembershipEntity,
  membershipCodec,
  ProductEntity,
  productCodec,
  ProductTagEntity,
  productTagCodec,
  StoreEntity,
  storeCodec,
  storePartition,
  tagPartition,
  type Membership,
  type ProductSummary,
} from './table';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export type { Page, PageRequest };

/** A change another writer got in first (stale version, pending marker, concurrent transaction): read again and retry. */
export class ConcurrentChangeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConcurrentChangeError';
  }
}

/**
 * A collection change that is half applied: phase 1 committed, phase 2 not (yet). Stored on the
 * store item; it holds everything phase 2 needs, so anyone can finish it.
 */
export interface PendingChange {
  readonly changeId: string;
  readonly eventIds: readonly string[];
  readonly occurredAt: string;
  readonly origin: EventOrigin;
  readonly reason: ChangeReason;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly sizeAfter: number;
  readonly collectionVersion: number;
  /** How many membership writes phase 1 made (the rest belong to phase 2). */
  readonly firstCount: number;
}

/** What a collection change reads first, strongly consistent: the store, the products to add and the memberships of every named product. */
export interface ChangeReading {
  readonly store?: Store;
  readonly pending?: PendingChange;
  readonly products: ReadonlyMap<string, ProductStatus>;
  readonly carried: ReadonlySet<string>;
}

export interface CatalogTableOptions {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Ids of new events and changes; random UUIDs by default. */
  readonly newId?: () => string;
  /** Called with every request's consumed capacity (benchmarks); when set, requests ask for per-index detail. */
  readonly onConsumedCapacity?: (operation: string, consumed: readonly ConsumedCapacity[]) => void;
}

/** The catalog table as every function below reads and writes it. */
export interface CatalogTable {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly newId: () => string;
  readonly onConsumedCapacity?: CatalogTableOptions['onConsumedCapacity'];
}

const BATCH_GET_MAX_KEYS = 100;

/**
 * The catalog table behind the use cases. Products and stores are written with their outbox
 * events in one TransactWriteItems; collection changes follow {@link planWrites} (one
 * transaction up to 98 memberships, two guarded by a pending marker beyond). Reads are GetItem,
 * BatchGetItem of known keys, and Query; never Scan.
 *
 * The operations are plain functions over this table, not methods of a class, so a handler's
 * bundle keeps only those it calls (a class keeps every method: ~8 KB in each catalog handler).
 *
 * @example
 * ```ts
 * import * as catalog from './catalog-repository';
 * const table = catalog.catalogTable({ documents, tableName: process.env.TABLE_NAME_CATALOG! });
 * const product = await catalog.getProduct(table, productId);
 * ```
 */
export function catalogTable(options: CatalogTableOptions): CatalogTable {
  return {
    documents: options.documents,
    tableName: options.tableName,
    newId: options.newId ?? (() => globalThis.crypto.randomUUID()),
    ...(options.onConsumedCapacity ? { onConsumedCapacity: options.onConsumedCapacity } : {}),
  };
}

// ---- products ------------------------------------------------------------------------------

/** The product with its version, or `undefined`. Strongly consistent: commands decide on it. */
export async function getProduct(table: CatalogTable, productId: string): Promise<Product | undefined> {
  const result = await table.documents.send(new GetCommand({ TableName: table.tableName, Key: ProductEntity.key({ productId }), ConsistentRead: true, ...capacity(table) }));
  report(table, 'GetProduct', result.ConsumedCapacity);
  return result.Item === undefined ? undefined : toProduct(result.Item);
}

/** Writes a new draft (version 1); `AlreadyExistsError` if the id is taken. */
export function createProduct(table: CatalogTable, product: Product): Promise<void> {
  return putNew(table, 'CreateProduct', productCodec.toItem(product));
}

/**
 * Replaces the product at its previous version, keeps its tag entries in step (present with the
 * current summary while published, gone otherwise) and writes the decision's events, all in
 * one transaction. `StaleVersionError` when someone else changed the product first.
 */
export async function saveProduct(table: CatalogTable, previous: Product, decision: ProductDecision, origin: EventOrigin, operation: string): Promise<void> {
  const next = decision.product;
  const product = replaceItem({ tableName: table.tableName, item: productCodec.toItem(next), expectedVersion: previous.version });
  const tagItems: TransactItem[] = [];
  const keep = new Set(next.status === 'published' ? next.tags : []);
  if (next.status === 'published' && next.publishedAt !== undefined) {
    const summary: ProductSummary = { productId: next.productId, name: next.name, category: next.category, tags: next.tags, price: next.price, publishedAt: next.publishedAt };
    for (const tag of next.tags) tagItems.push({ Put: { TableName: table.tableName, Item: productTagCodec.toItem({ ...summary, tag }) } });
  }
  if (previous.status === 'published') {
    for (const tag of previous.tags) {
      if (!keep.has(tag)) tagItems.push({ Delete: { TableName: table.tableName, Key: ProductTagEntity.key({ productId: next.productId, tag }) } });
    }
  }
  const outbox = decision.events.map((event) =>
    ({ Put: { TableName: table.tableName, Item: outboxItemFor(event, origin, { eventId: table.newId(), occurredAt: next.updatedAt, subject: next.productId }) } }),
  );
  try {
    const result = await table.documents.send(new TransactWriteCommand({ TransactItems: [{ Put: product.input }, ...tagItems, ...outbox], ...capacity(table) }));
    report(table, operation, result.ConsumedCapacity);
  } catch (error) {
    // The product is the first action, so its cancellation reason comes first.
    throw transactionFailure(error, [product]);
  }
}

/** Published products of a category, newest publication first. */
export async function productsInCategory(table: CatalogTable, category: string, page: PageRequest): Promise<Page<Product>> {
  const result = await query(table, 'GetProductsInCategory', LISTING_INDEX, categoryPartition(category), page, { newestFirst: true });
  return { ...result, items: result.items.map(toProduct) };
}

/** Summaries of published products with a tag, newest publication first. */
export async function productsWithTag(table: CatalogTable, tag: string, page: PageRequest): Promise<Page<ProductSummary>> {
  const result = await query(table, 'GetProductsWithTag', LISTING_INDEX, tagPartition(tag), page, { newestFirst: true });
  return {
    ...result,
    items: result.items.map((item) => {
      const { tag: _tag, ...summary } = productTagCodec.fromItem(item);
      return summary;
    }),
  };
}

// ---- stores and collections ------------------------------------------------------------------

export async function getStore(table: CatalogTable, storeId: string): Promise<Store | undefined> {
  const result = await table.documents.send(new GetCommand({ TableName: table.tableName, Key: StoreEntity.key({ storeId }), ConsistentRead: true, ...capacity(table) }));
  report(table, 'GetStore', result.ConsumedCapacity);
  return result.Item === undefined ? undefined : storeCodec.fromItem(result.Item);
}

/** Writes a new store (version 1); `AlreadyExistsError` if the id is taken. */
export function createStore(table: CatalogTable, store: Store): Promise<void> {
  return putNew(table, 'CreateStore', storeCodec.toItem(store));
}

/** The products a store carries, by product id. */
export async function storeCollection(table: CatalogTable, storeId: string, page: PageRequest): Promise<Page<Membership>> {
  const result = await query(table, 'GetStoreCollection', 'table', storePartition(storeId), page, { sortKeyPrefix: 'PRODUCT#' });
  return { ...result, items: result.items.map((item) => membershipCodec.fromItem(item)) };
}

/** The stores carrying a product, by store id (eventually consistent: a global index). */
export async function storesCarrying(table: CatalogTable, productId: string, page: PageRequest): Promise<Page<Membership>> {
  const result = await query(table, 'GetStoresCarryingProduct', CARRIED_INDEX, carriedPartition(productId), page);
  return { ...result, items: result.items.map((item) => membershipCodec.fromItem(item)) };
}

/**
 * The validation read before a collection change, in BatchGetItem calls of at most 100 keys
 * (strongly consistent): the store item, the products to add, and the membership of every
 * named product in this store.
 */
export async function readForChange(table: CatalogTable, storeId: string, add: readonly string[], remove: readonly string[]): Promise<ChangeReading> {
  const keys = [
    StoreEntity.key({ storeId }),
    ...add.map((productId) => ProductEntity.key({ productId })),
    ...[...add, ...remove].map((productId) => MembershipEntity.key({ storeId, productId })),
  ];
  const items = await batchGet(table, 'CheckProductsAndMemberships', keys);
  let store: Store | undefined;
  let pending: PendingChange | undefined;
  const products = new Map<string, ProductStatus>();
  const carried = new Set<string>();
  for (const item of items) {
    if (item.type === 'Store') {
      store = storeCodec.fromItem(item);
      pending = item.pending as PendingChange | undefined;
    } else if (item.type === 'Product') {
      const product = toProduct(item);
      products.set(product.productId, product.status);
    } else if (item.type === 'Membership') {
      carried.add(membershipCodec.fromItem(item).productId);
    }
  }
  return { ...(store ? { store } : {}), ...(pending ? { pending } : {}), products, carried };
}

/**
 * Applies a planned change with its StoreCollectionChanged event (in as many parts as its size
 * needs): one transaction, or two guarded by a pending marker (see `planWrites`). Returns the
 * number of transactions used.
 *
 * @throws {@link ConcurrentChangeError} when the store moved on since it was read (nothing written).
 */
export async function applyCollectionChange(table: CatalogTable, plan: CollectionChangePlan, origin: EventOrigin, occurredAt: string, expectedVersion: number): Promise<number> {
  const parts = eventParts(plan);
  const change: PendingChange = {
    changeId: table.newId(),
    eventIds: parts.map(() => table.newId()),
    occurredAt,
    origin: { correlationId: origin.correlationId, causationId: origin.causationId, ...(origin.traceparent ? { traceparent: origin.traceparent } : {}) },
    reason: plan.reason,
    added: plan.added,
    removed: plan.removed,
    sizeAfter: plan.sizeAfter,
    collectionVersion: plan.collectionVersion,
    firstCount: 0,
  };
  const writes = membershipWrites(plan);
  const writePlan = planWrites(writes, parts.length);
  const storeKey = StoreEntity.key({ storeId: plan.storeId });
  const unlocked = { expression: '#cv = :expected AND attribute_not_exists(#pending)', values: { ':expected': expectedVersion } };

  if (writePlan.mode === 'single') {
    await transact(table, 'ChangeStoreCollection', [
      ...membershipActions(table, plan.storeId, writePlan.writes, occurredAt),
      finalStoreUpdate(table, storeKey, change, unlocked),
      ...collectionOutbox(table, plan.storeId, change),
    ]);
    return 1;
  }
  const pending: PendingChange = { ...change, firstCount: writePlan.first.length };
  await transact(table, 'ChangeStoreCollection:phase1', [
    {
      Update: {
        TableName: table.tableName,
        Key: storeKey,
        UpdateExpression: 'SET #pending = :pending',
        ConditionExpression: unlocked.expression,
        ExpressionAttributeNames: { '#cv': 'collectionVersion', '#pending': 'pending' },
        ExpressionAttributeValues: { ...unlocked.values, ':pending': pending },
      },
    },
    ...membershipActions(table, plan.storeId, writePlan.first, occurredAt),
  ]);
  await completePending(table, plan.storeId, pending);
  return 2;
}

/**
 * Phase 2 of a two-phase change, from the pending marker alone: the remaining membership
 * writes, the final store update (removing the marker) and the event. Finishes a change whose
 * writer died between the phases; if someone else finished it first, nothing happens twice
 * (the marker condition fails and the transaction writes nothing).
 */
export async function completePending(table: CatalogTable, storeId: string, pending: PendingChange): Promise<void> {
  const writes = membershipWrites(pending).slice(pending.firstCount);
  const storeKey = StoreEntity.key({ storeId });
  try {
    await transact(table, 'ChangeStoreCollection:phase2', [
      ...membershipActions(table, storeId, writes, pending.occurredAt),
      finalStoreUpdate(table, storeKey, pending, { expression: '#pending.#changeId = :changeId', values: { ':changeId': pending.changeId } }, ['#changeId', 'changeId']),
      ...collectionOutbox(table, storeId, pending),
    ]);
  } catch (error) {
    if (!(error instanceof ConcurrentChangeError)) throw error;
    // Someone else completed it (the marker is gone): that is the outcome we wanted.
  }
}

function finalStoreUpdate(
  table: CatalogTable,
  key: TableKey,
  change: PendingChange,
  condition: { expression: string; values: Record<string, unknown> },
  extraName?: [string, string],
): TransactItem {
  return {
    Update: {
      TableName: table.tableName,
      Key: key,
      UpdateExpression: 'SET #cv = :next, #version = :next, #size = :size, #updatedAt = :at REMOVE #pending',
      ConditionExpression: condition.expression,
      ExpressionAttributeNames: {
        '#cv': 'collectionVersion',
        '#version': 'version',
        '#size': 'collectionSize',
        '#updatedAt': 'updatedAt',
        '#pending': 'pending',
        ...(extraName ? { [extraName[0]]: extraName[1] } : {}),
      },
      ExpressionAttributeValues: { ...condition.values, ':next': change.collectionVersion, ':size': change.sizeAfter, ':at': change.occurredAt },
    },
  };
}

function membershipActions(table: CatalogTable, storeId: string, writes: readonly MembershipWrite[], addedAt: string): TransactItem[] {
  // The conditions are a second guard: the store's version already serialises changes.
  return writes.map((write) =>
    write.kind === 'add'
      ? {
          Put: {
            TableName: table.tableName,
            Item: membershipCodec.toItem({ storeId, productId: write.productId, addedAt }),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': 'PK' },
          },
        }
      : {
          Delete: {
            TableName: table.tableName,
            Key: MembershipEntity.key({ storeId, productId: write.productId }),
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': 'PK' },
          },
        },
  );
}

function collectionOutbox(table: CatalogTable, storeId: string, change: PendingChange): TransactItem[] {
  const parts = eventParts(change);
  return parts.map((part, index) => ({
    Put: {
      TableName: table.tableName,
      Item: outboxItemFor(
        {
          contract: StoreCollectionChangedV1,
          data: {
            storeId,
            changeId: change.changeId,
            collectionVersion: change.collectionVersion,
            part: { number: index + 1, count: parts.length },
            added: part.added,
            removed: part.removed,
            sizeAfter: change.sizeAfter,
            reason: change.reason,
          },
        },
        change.origin,
        { eventId: change.eventIds[index] ?? table.newId(), occurredAt: change.occurredAt, subject: storeId },
      ),
    },
  }));
}

/** Puts an item whose key must still be free, at version 1. */
async function putNew(table: CatalogTable, operation: string, item: Item): Promise<void> {
  const write = createItem({ tableName: table.tableName, item });
  try {
    const result = await table.documents.send(new PutCommand({ ...write.input, ...capacity(table) }));
    report(table, operation, result.ConsumedCapacity);
  } catch (error) {
    throw write.failure(error);
  }
}

async function transact(table: CatalogTable, operation: string, items: TransactItem[]): Promise<void> {
  try {
    const result = await table.documents.send(new TransactWriteCommand({ TransactItems: items, ...capacity(table) }));
    report(table, operation, result.ConsumedCapacity);
  } catch (error) {
    const name = (error as { name?: string }).name;
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    if (name === 'TransactionCanceledException' && reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
      throw new ConcurrentChangeError('the store changed while this change was being applied; nothing was written', { cause: error });
    }
    throw error;
  }
}

async function batchGet(table: CatalogTable, operation: string, keys: readonly TableKey[]): Promise<Item[]> {
  const items: Item[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_MAX_KEYS) {
    let request: Item[] = keys.slice(start, start + BATCH_GET_MAX_KEYS).map((key) => ({ ...key }));
    // BatchGetItem may return some keys unprocessed under load: ask again for those only.
    for (let attempt = 0; request.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt) * Math.random()));
      const result = await table.documents.send(
        new BatchGetCommand({ RequestItems: { [table.tableName]: { Keys: request as Record<string, unknown>[], ConsistentRead: true } }, ...capacity(table) }),
      );
      report(table, operation, result.ConsumedCapacity);
      items.push(...(result.Responses?.[table.tableName] ?? []));
      request = (result.UnprocessedKeys?.[table.tableName]?.Keys ?? []) as Item[];
      if (attempt > 8 && request.length > 0) throw new Error(`${operation}: ${request.length} keys still unprocessed after ${attempt + 1} attempts`);
    }
  }
  return items;
}

async function query(
  table: CatalogTable,
  operation: string,
  index: 'table' | typeof LISTING_INDEX | typeof CARRIED_INDEX,
  partition: string,
  page: PageRequest,
  options: { newestFirst?: boolean; sortKeyPrefix?: string } = {},
): Promise<{ items: Item[]; nextCursor?: string }> {
  const { partitionKey, sortKey } = keyAttributes[index];
  const attributes = index === 'table' ? ['PK', 'SK'] : ['PK', 'SK', partitionKey, sortKey];
  const prefix = options.sortKeyPrefix;
  const scope: CursorScope = {
    attributes,
    fixed: { [partitionKey]: partition },
    check: (key) => (prefix !== undefined && !key[sortKey]?.startsWith(prefix) ? 'it belongs to another query' : undefined),
  };
  const start = page.cursor === undefined ? undefined : decodeCursor(page.cursor, scope);
  const result = await table.documents.send(
    new QueryCommand({
      TableName: table.tableName,
      ...(index === 'table' ? {} : { IndexName: index }),
      KeyConditionExpression: prefix === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': partitionKey, ...(prefix === undefined ? {} : { '#sk': sortKey }) },
      ExpressionAttributeValues: { ':pk': partition, ...(prefix === undefined ? {} : { ':prefix': prefix }) },
      ScanIndexForward: !options.newestFirst,
      // One more than asked tells whether a next page exists, so the last page carries no cursor.
      Limit: page.limit + 1,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      ...capacity(table),
    }),
  );
  report(table, operation, result.ConsumedCapacity);
  const items = result.Items ?? [];
  const shown = items.slice(0, page.limit);
  const last = shown.at(-1);
  return {
    items: shown,
    ...(items.length > page.limit && last !== undefined ? { nextCursor: encodeCursor(last, attributes) } : {}),
  };
}

function capacity(table: CatalogTable): { ReturnConsumedCapacity?: 'INDEXES' } {
  return table.onConsumedCapacity === undefined ? {} : { ReturnConsumedCapacity: 'INDEXES' };
}

function report(table: CatalogTable, operation: string, consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): void {
  if (table.onConsumedCapacity === undefined) return;
  table.onConsumedCapacity(operation, consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed]);
}

function toProduct(item: Item): Product {
  const version = itemVersion(item);
  if (version === undefined) throw new ItemValidationError('Product', [{ attribute: 'version', message: 'is missing' }], { PK: String(item.PK), SK: String(item.SK) });
  return { ...productCodec.fromItem(item), version };
}
