// Conditional writes as plain command inputs for the document client (`@aws-sdk/lib-dynamodb`):
// PutCommand/UpdateCommand/DeleteCommand take `write.input`; TransactWriteCommand takes
// `transactWriteInput(writes)`. Each write knows how to explain its own failed condition.
import type { DeleteCommandInput, PutCommandInput, TransactWriteCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Item } from './capacity';
import type { TableKey } from './entity';
import { itemVersion } from './item-codec';
import { PK, SK, TYPE, VERSION } from './table';

/** A write's condition did not hold. `httpStatus` is the status an HTTP API should answer with. */
export abstract class ConditionFailedError extends Error {
  abstract readonly httpStatus: number;
  constructor(
    message: string,
    readonly key: TableKey,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A create found an item with the same key (HTTP 409 Conflict). */
export class AlreadyExistsError extends ConditionFailedError {
  readonly httpStatus = 409;
  constructor(key: TableKey, options?: { cause?: unknown }) {
    super(`Item already exists: PK=${key.PK}, SK=${key.SK}`, key, options);
    this.name = 'AlreadyExistsError';
  }
}

/** A versioned write expected another version than the stored one (HTTP 412 Precondition Failed). */
export class StaleVersionError extends ConditionFailedError {
  readonly httpStatus = 412;
  constructor(
    key: TableKey,
    readonly expectedVersion: number,
    readonly actualVersion: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(`Stale version for PK=${key.PK}, SK=${key.SK}: expected ${expectedVersion}, stored ${actualVersion ?? 'none'}`, key, options);
    this.name = 'StaleVersionError';
  }
}

/** A versioned write or delete found no item (HTTP 404 Not Found). */
export class ItemNotFoundError extends ConditionFailedError {
  readonly httpStatus = 404;
  constructor(key: TableKey, options?: { cause?: unknown }) {
    super(`Item not found: PK=${key.PK}, SK=${key.SK}`, key, options);
    this.name = 'ItemNotFoundError';
  }
}

/** Invalid arguments to a write helper; names the offending field. */
export class WriteInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'WriteInputError';
  }
}

type WithRequired<T, K extends keyof T> = T & Required<Pick<T, K>>;
export type PutInput = WithRequired<PutCommandInput, 'TableName' | 'Item' | 'ConditionExpression'>;
export type UpdateInput = WithRequired<UpdateCommandInput, 'TableName' | 'Key' | 'UpdateExpression' | 'ConditionExpression'>;
export type DeleteInput = WithRequired<DeleteCommandInput, 'TableName' | 'Key' | 'ConditionExpression'>;

interface WriteBase {
  readonly key: TableKey;
  /**
   * Maps a failed condition (a `ConditionalCheckFailedException`, or the reason for this write
   * in a `TransactionCanceledException`) to a typed error; any other error is returned unchanged.
   */
  failure(error: unknown): unknown;
}
export interface PutWrite extends WriteBase {
  readonly kind: 'Put';
  readonly input: PutInput;
}
export interface UpdateWrite extends WriteBase {
  readonly kind: 'Update';
  readonly input: UpdateInput;
}
export interface DeleteWrite extends WriteBase {
  readonly kind: 'Delete';
  readonly input: DeleteInput;
}
export type ConditionalWrite = PutWrite | UpdateWrite | DeleteWrite;

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { name?: unknown }).name?.toString() : undefined;
}

/** True for a failed write condition of a single (non-transactional) write. */
export function isConditionalCheckFailed(error: unknown): error is Error & { Item?: Record<string, unknown> } {
  return errorName(error) === 'ConditionalCheckFailedException';
}

function keyOf(item: Item, field: string): TableKey {
  const pk = item[PK];
  const sk = item[SK];
  if (typeof pk !== 'string' || pk === '' || typeof sk !== 'string' || sk === '') {
    throw new WriteInputError(field, `needs non-empty string ${PK} and ${SK} (build it with an item codec)`);
  }
  return { PK: pk, SK: sk };
}

function checkVersion(version: number, field = 'expectedVersion'): void {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new WriteInputError(field, `must be a positive integer, got ${version}`);
  }
}

function versionedFailure(key: TableKey, expectedVersion: number) {
  return (error: unknown): unknown => {
    if (!isConditionalCheckFailed(error)) return error;
    // ReturnValuesOnConditionCheckFailure: ALL_OLD tells a missing item from a stale one.
    if (error.Item === undefined) return new ItemNotFoundError(key, { cause: error });
    return new StaleVersionError(key, expectedVersion, itemVersion(error.Item), { cause: error });
  };
}

/**
 * Puts a new item only if no item has its key (`attribute_not_exists(PK)`), starting it at `version` 1.
 *
 * @example
 * ```ts
 * const write = createItem({ tableName, item: customers.toItem(customer) });
 * try {
 *   await documents.send(new PutCommand(write.input));
 * } catch (error) {
 *   throw write.failure(error); // AlreadyExistsError when the key is taken
 * }
 * ```
 */
export function createItem(params: { tableName: string; item: Item }): PutWrite {
  const key = keyOf(params.item, 'item');
  return {
    kind: 'Put',
    key,
    input: {
      TableName: params.tableName,
      Item: { ...params.item, [VERSION]: 1 },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': PK },
    },
    failure: (error) => (isConditionalCheckFailed(error) ? new AlreadyExistsError(key, { cause: error }) : error),
  };
}

/**
 * Replaces a whole item only if its stored `version` is `expectedVersion`, storing `expectedVersion + 1`.
 * Use it when derived attributes (GSI keys) must follow the new domain state.
 *
 * @example
 * ```ts
 * const write = replaceItem({ tableName, item: customers.toItem(changed), expectedVersion: 3 });
 * await documents.send(new PutCommand(write.input)).catch((error) => { throw write.failure(error); });
 * ```
 */
export function replaceItem(params: { tableName: string; item: Item; expectedVersion: number }): PutWrite {
  const key = keyOf(params.item, 'item');
  checkVersion(params.expectedVersion);
  return {
    kind: 'Put',
    key,
    input: {
      TableName: params.tableName,
      Item: { ...params.item, [VERSION]: params.expectedVersion + 1 },
      ConditionExpression: '#version = :expectedVersion',
      ExpressionAttributeNames: { '#version': VERSION },
      ExpressionAttributeValues: { ':expectedVersion': params.expectedVersion },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
    failure: versionedFailure(key, params.expectedVersion),
  };
}

const protectedOnUpdate = new Set<string>([PK, SK, TYPE, VERSION]);

/**
 * Sets and removes attributes only if the stored `version` is `expectedVersion`, incrementing it.
 * Attribute names go through placeholders, so reserved words (`name`, `status`…) are safe.
 *
 * @example
 * ```ts
 * const write = updateItem({ tableName, key: Customer.key({ customerId }), set: { status: 'preferred' }, expectedVersion: 3 });
 * await documents.send(new UpdateCommand({ ...write.input, ReturnValues: 'ALL_NEW' }));
 * ```
 */
export function updateItem(params: {
  tableName: string;
  key: TableKey;
  set?: Readonly<Record<string, unknown>>;
  remove?: readonly string[];
  expectedVersion: number;
}): UpdateWrite {
  const key = keyOf(params.key as unknown as Item, 'key');
  checkVersion(params.expectedVersion);
  const setEntries = Object.entries(params.set ?? {});
  const remove = params.remove ?? [];
  if (setEntries.length === 0 && remove.length === 0) {
    throw new WriteInputError('set', 'nothing to update: give set and/or remove');
  }
  const names: Record<string, string> = { '#version': VERSION };
  const values: Record<string, unknown> = { ':expectedVersion': params.expectedVersion, ':nextVersion': params.expectedVersion + 1 };
  const assignments: string[] = [];
  setEntries.forEach(([name, value], position) => {
    if (protectedOnUpdate.has(name)) throw new WriteInputError(`set.${name}`, 'is managed by the library and cannot be set');
    if (value === undefined) throw new WriteInputError(`set.${name}`, 'is undefined; use remove to delete an attribute');
    names[`#s${position}`] = name;
    values[`:s${position}`] = value;
    assignments.push(`#s${position} = :s${position}`);
  });
  assignments.push('#version = :nextVersion');
  const removals = remove.map((name, position) => {
    if (protectedOnUpdate.has(name)) throw new WriteInputError(`remove.${name}`, 'is managed by the library and cannot be removed');
    names[`#r${position}`] = name;
    return `#r${position}`;
  });
  return {
    kind: 'Update',
    key,
    input: {
      TableName: params.tableName,
      Key: { ...key },
      UpdateExpression: `SET ${assignments.join(', ')}${removals.length > 0 ? ` REMOVE ${removals.join(', ')}` : ''}`,
      ConditionExpression: '#version = :expectedVersion',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
    failure: versionedFailure(key, params.expectedVersion),
  };
}

/**
 * Deletes an item only if its stored `version` is `expectedVersion`.
 *
 * @example
 * ```ts
 * const write = deleteItem({ tableName, key: Customer.key({ customerId }), expectedVersion: 4 });
 * await documents.send(new DeleteCommand(write.input)).catch((error) => { throw write.failure(error); });
 * ```
 */
export function deleteItem(params: { tableName: string; key: TableKey; expectedVersion: number }): DeleteWrite {
  const key = keyOf(params.key as unknown as Item, 'key');
  checkVersion(params.expectedVersion);
  return {
    kind: 'Delete',
    key,
    input: {
      TableName: params.tableName,
      Key: { ...key },
      ConditionExpression: '#version = :expectedVersion',
      ExpressionAttributeNames: { '#version': VERSION },
      ExpressionAttributeValues: { ':expectedVersion': params.expectedVersion },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
    failure: versionedFailure(key, params.expectedVersion),
  };
}

/** Most actions one TransactWriteItems call accepts. */
export const MAX_TRANSACTION_ACTIONS = 100;

/**
 * One all-or-nothing transaction from several conditional writes (at most 100).
 *
 * @example
 * ```ts
 * const writes = [createItem({ tableName, item: order }), updateItem({ tableName, key, set, expectedVersion: 2 })];
 * await documents.send(new TransactWriteCommand(transactWriteInput(writes))).catch((error) => {
 *   throw transactionFailure(error, writes);
 * });
 * ```
 */
export function transactWriteInput(writes: readonly ConditionalWrite[]): WithRequired<TransactWriteCommandInput, 'TransactItems'> {
  if (writes.length === 0 || writes.length > MAX_TRANSACTION_ACTIONS) {
    throw new WriteInputError('writes', `a transaction takes 1 to ${MAX_TRANSACTION_ACTIONS} actions, got ${writes.length}`);
  }
  return {
    TransactItems: writes.map((write) => {
      switch (write.kind) {
        case 'Put':
          return { Put: write.input };
        case 'Update':
          return { Update: write.input };
        case 'Delete':
          return { Delete: write.input };
      }
    }),
  };
}

interface CancellationReason {
  Code?: string;
  Message?: string;
  Item?: Record<string, unknown>;
}

/**
 * Maps a `TransactionCanceledException` to the typed error of the first write whose condition
 * failed (its `CancellationReasons` entry is in the same position as the write). Any other error,
 * including cancellations for conflicts or throttling, is returned unchanged.
 */
export function transactionFailure(error: unknown, writes: readonly ConditionalWrite[]): unknown {
  if (errorName(error) !== 'TransactionCanceledException') return error;
  const reasons = ((error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? []) as CancellationReason[];
  const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
  const write = writes[failed];
  if (failed === -1 || write === undefined) return error;
  // Present the reason to the write as the single-write exception it would have raised.
  const single = Object.assign(new Error(reasons[failed]?.Message ?? 'The conditional request failed'), {
    name: 'ConditionalCheckFailedException',
    Item: reasons[failed]?.Item,
    cause: error,
  });
  const mapped = write.failure(single);
  return mapped === single ? error : mapped;
}
