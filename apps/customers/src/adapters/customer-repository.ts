import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, type CursorScope } from '@kestrel/http-api';
import {
  createItem,
  itemVersion,
  keyAttributes,
  parseKey,
  replaceItem,
  transactionFailure,
  ItemValidationError,
  type ConditionalWrite,
  type Item,
} from '@kestrel/table-keys';
import type { CustomerQueries, Customers, EventOrigin, Page, PageRequest } from '../application/ports';
import { withoutVersion, type Customer } from '../domain/customer';
import type { DomainEvent } from '../domain/events';
import { searchableName } from '../domain/name-search';
import { outboxItems } from './outbox';
import { CustomerEntity, customerCodec, NAME_INDEX, nameIndexPartition, PREFERRED_INDEX, PREFERRED_PARTITION } from './table';

export interface CustomerRepositoryOptions {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Ids of new outbox events; random UUIDs by default. */
  readonly newEventId?: () => string;
  /**
   * Receives the consumed capacity of every request (benchmarks); when set, requests ask
   * DynamoDB for per-index detail (`ReturnConsumedCapacity: INDEXES`).
   */
  readonly onConsumedCapacity?: (operation: string, consumed: readonly ConsumedCapacity[]) => void;
}

/** What a change writes: the customer after it and the events reporting it. */
export interface Change {
  readonly customer: Customer;
  readonly events: readonly DomainEvent[];
}

/**
 * The read side of the customers table, one customer at a time: GetItem. Classes of their own
 * (this one, {@link CustomerReader} adding the searches, {@link CustomerRepository} adding the
 * writes) so that each query handler bundles only the path it uses: a reader carries none of
 * the write path (outbox, event contracts, conditional writes), ~8 KB.
 *
 * @example
 * ```ts
 * const customers = new CustomerLookup({ documents, tableName: process.env.TABLE_NAME_CUSTOMERS! });
 * const current = await customers.get(customerId);
 * ```
 */
export class CustomerLookup implements Pick<CustomerQueries, 'get'> {
  protected readonly documents: DynamoDBDocumentClient;
  protected readonly tableName: string;
  protected readonly newEventId: () => string;
  private readonly onConsumedCapacity?: CustomerRepositoryOptions['onConsumedCapacity'];

  constructor(options: CustomerRepositoryOptions) {
    this.documents = options.documents;
    this.tableName = options.tableName;
    this.newEventId = options.newEventId ?? (() => globalThis.crypto.randomUUID());
    this.onConsumedCapacity = options.onConsumedCapacity;
  }

  /** The customer with its version, or `undefined`. Strongly consistent: commands decide on it. */
  async get(customerId: string): Promise<Customer | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: CustomerEntity.key({ customerId }), ConsistentRead: true, ...this.capacity() }),
    );
    this.report('GetCustomer', result.ConsumedCapacity);
    return result.Item === undefined ? undefined : toCustomer(result.Item);
  }

  protected capacity(): { ReturnConsumedCapacity?: 'INDEXES' } {
    return this.onConsumedCapacity === undefined ? {} : { ReturnConsumedCapacity: 'INDEXES' };
  }

  protected report(operation: string, consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): void {
    if (this.onConsumedCapacity === undefined || consumed === undefined) return;
    this.onConsumedCapacity(operation, Array.isArray(consumed) ? consumed : [consumed]);
  }
}

/**
 * The searches of the customers table: one Query on an index, a page at a time. Apart from
 * {@link CustomerLookup} so that a function reading one customer bundles no search (cursors,
 * name keys).
 */
export class CustomerReader extends CustomerLookup implements CustomerQueries {
  /** GetCustomersWithName: customers whose family name normalises to the same key as `name`. */
  async findByName(name: string, page: PageRequest): Promise<Page<Customer>> {
    const family = searchableName(name);
    if (family === undefined) return { items: [] };
    return this.query('GetCustomersWithName', NAME_INDEX, nameIndexPartition(family), page);
  }

  /** GetPreferredCustomers: every preferred customer, longest-standing first. */
  async listPreferred(page: PageRequest): Promise<Page<Customer>> {
    return this.query('GetPreferredCustomers', PREFERRED_INDEX, PREFERRED_PARTITION, page);
  }

  private async query(operation: string, index: typeof NAME_INDEX | typeof PREFERRED_INDEX, partition: string, page: PageRequest): Promise<Page<Customer>> {
    const { partitionKey, sortKey } = keyAttributes[index];
    const attributes = ['PK', 'SK', partitionKey, sortKey];
    const scope: CursorScope = {
      attributes,
      fixed: { [partitionKey]: partition, SK: 'PROFILE' },
      check: (key) => profileCursorProblem(key, sortKey),
    };
    const exclusiveStartKey = page.cursor === undefined ? undefined : decodeCursor(page.cursor, scope);
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ExpressionAttributeValues: { ':pk': partition },
        // One more than asked: tells whether a next page exists, so the last page carries no cursor.
        Limit: page.limit + 1,
        ...(exclusiveStartKey === undefined ? {} : { ExclusiveStartKey: exclusiveStartKey }),
        ...this.capacity(),
      }),
    );
    this.report(operation, result.ConsumedCapacity);
    const items = result.Items ?? [];
    const shown = items.slice(0, page.limit);
    const last = shown.at(-1);
    const more = items.length > page.limit;
    return {
      items: shown.map(toCustomer),
      ...(more && last !== undefined ? { nextCursor: encodeCursor(last, attributes) } : {}),
    };
  }
}

/**
 * The customers table behind the commands: one customer by id ({@link CustomerLookup}; no search,
 * so a command's bundle carries no cursor codec or Query), and profiles
 * written together with their outbox events in one TransactWriteItems (all or nothing: no event
 * without its change, no change without its events). Writes are conditional: a create fails with
 * `AlreadyExistsError` when the id is taken, a save with `StaleVersionError` when the stored
 * version is not the expected one.
 *
 * @example
 * ```ts
 * const customers = new CustomerRepository({ documents, tableName: process.env.TABLE_NAME_CUSTOMERS! });
 * const current = await customers.get(customerId);
 * const decision = decide(current, commands, { now });
 * if (decision.changed) await customers.save(decision, current.version, { correlationId, causationId });
 * ```
 */
export class CustomerRepository extends CustomerLookup implements Customers {
  /** Writes a new customer (version 1) and its events; `AlreadyExistsError` if the id is taken. */
  async create(change: Change, origin: EventOrigin): Promise<void> {
    if (change.customer.version !== 1) throw new RangeError(`a new customer starts at version 1, got ${change.customer.version}`);
    const profile = createItem({ tableName: this.tableName, item: customerCodec.toItem(withoutVersion(change.customer)) });
    await this.transact('CreateCustomer', profile, change, origin);
  }

  /** Replaces the customer at `expectedVersion` with the changed one and writes its events; `StaleVersionError` / `ItemNotFoundError` otherwise. */
  async save(change: Change, expectedVersion: number, origin: EventOrigin, operation = 'ChangeCustomer'): Promise<void> {
    if (change.customer.version !== expectedVersion + 1) {
      throw new RangeError(`a change from version ${expectedVersion} yields version ${expectedVersion + 1}, got ${change.customer.version}`);
    }
    // A whole-item replace, so the index keys (name search, preferred) follow the new state.
    const profile = replaceItem({ tableName: this.tableName, item: customerCodec.toItem(withoutVersion(change.customer)), expectedVersion });
    await this.transact(operation, profile, change, origin);
  }

  private async transact(operation: string, profile: ConditionalWrite, change: Change, origin: EventOrigin): Promise<void> {
    if (profile.kind !== 'Put') throw new TypeError('profiles are written whole');
    const outbox = outboxItems(change.events, origin, change.customer.updatedAt, this.newEventId, change.customer.customerId);
    const input = {
      TransactItems: [{ Put: profile.input }, ...outbox.map((item) => ({ Put: { TableName: this.tableName, Item: item } }))],
      ...this.capacity(),
    };
    try {
      const result = await this.documents.send(new TransactWriteCommand(input));
      this.report(operation, result.ConsumedCapacity);
    } catch (error) {
      // The profile is the first action, so its cancellation reason comes first too.
      throw transactionFailure(error, [profile]);
    }
  }
}

function toCustomer(item: Item): Customer {
  const version = itemVersion(item);
  if (version === undefined) {
    throw new ItemValidationError('Customer', [{ attribute: 'version', message: 'is missing' }], { PK: String(item.PK), SK: String(item.SK) });
  }
  return { ...customerCodec.fromItem(item), version };
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A profile cursor's table key is a customer's, and its index sort key ends with that customer's id. */
function profileCursorProblem(key: Readonly<Record<string, string>>, sortKey: string): string | undefined {
  try {
    const [kind, customerId, ...rest] = parseKey(key.PK as string);
    const indexSort = parseKey(key[sortKey] as string);
    if (kind !== 'CUSTOMER' || customerId === undefined || !uuid.test(customerId) || rest.length > 0) return 'it does not point at a customer';
    if (indexSort.length !== 2 || indexSort[1] !== customerId) return 'it does not point at a customer';
    return undefined;
  } catch {
    return 'it does not point at a customer';
  }
}
