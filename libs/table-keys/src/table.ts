import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** Partition key of the table. Generic, because one table holds many entity types. */
export const PK = 'PK';
/** Sort key of the table. Every item has one, even when an entity needs only one item per partition. */
export const SK = 'SK';
export const GSI1PK = 'GSI1PK';
export const GSI1SK = 'GSI1SK';
export const GSI2PK = 'GSI2PK';
export const GSI2SK = 'GSI2SK';
/** Entity name of the item (`Customer`, `Order`…); lets a heterogeneous Query tell items apart. */
export const TYPE = 'type';
/** Optimistic-locking counter: 1 on create, +1 on every versioned write. */
export const VERSION = 'version';
/** Expiry time in epoch seconds; DynamoDB's TTL deletes the item some time after it. */
export const TTL = 'ttl';

/** Names of the standard table's global secondary indexes. */
export const indexNames = ['GSI1', 'GSI2'] as const;
export type IndexName = (typeof indexNames)[number];
/** Where a read goes: the table itself or one of its GSIs. */
export type IndexTarget = 'table' | IndexName;

/** The key attribute names of the table and of each GSI. */
export const keyAttributes = {
  table: { partitionKey: PK, sortKey: SK },
  GSI1: { partitionKey: GSI1PK, sortKey: GSI1SK },
  GSI2: { partitionKey: GSI2PK, sortKey: GSI2SK },
} as const satisfies Record<IndexTarget, { partitionKey: string; sortKey: string }>;

export type KeyAttributeName = (typeof keyAttributes)[IndexTarget][keyof (typeof keyAttributes)['table']];

/** Attributes the library manages; domain objects may not use these names. */
export const reservedAttributes: readonly string[] = [PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK, TYPE, VERSION, TTL];

/** What a GSI copies from the item besides the keys. */
export type Projection =
  | { readonly type: 'ALL' }
  | { readonly type: 'KEYS_ONLY' }
  | { readonly type: 'INCLUDE'; readonly nonKeyAttributes: readonly string[] };

export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly projection: Projection;
}

/**
 * A single-table layout as plain data: infrastructure (cdktn) and tests (DynamoDB Local)
 * build the same table from it. All key attributes are strings.
 */
export interface TableDefinition {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly globalSecondaryIndexes: readonly IndexDefinition[];
  readonly timeToLiveAttribute: string;
  readonly billingMode: 'PAY_PER_REQUEST' | 'PROVISIONED';
}

/**
 * The standard table every service uses: `PK`/`SK`, two overloaded GSIs projecting
 * all attributes, TTL on `ttl`, on-demand billing.
 *
 * @example
 * ```ts
 * // cdktn: new DynamodbTable(this, 'table', {
 * //   hashKey: standardTable.partitionKey, rangeKey: standardTable.sortKey,
 * //   globalSecondaryIndex: standardTable.globalSecondaryIndexes.map((index) => ({ name: index.name, ... })),
 * // });
 * ```
 */
export const standardTable: TableDefinition = {
  partitionKey: PK,
  sortKey: SK,
  globalSecondaryIndexes: [
    { name: 'GSI1', partitionKey: GSI1PK, sortKey: GSI1SK, projection: { type: 'ALL' } },
    { name: 'GSI2', partitionKey: GSI2PK, sortKey: GSI2SK, projection: { type: 'ALL' } },
  ],
  timeToLiveAttribute: TTL,
  billingMode: 'PAY_PER_REQUEST',
};

/**
 * The `CreateTable` request for a table definition (plain data, no SDK import needed).
 * TTL is not part of `CreateTable`; enable it separately with `UpdateTimeToLive`.
 *
 * @example
 * ```ts
 * await client.send(new CreateTableCommand(createTableInput(standardTable, 'customers')));
 * ```
 */
export function createTableInput(table: TableDefinition, tableName: string): CreateTableCommandInput {
  const keyNames = new Set<string>([table.partitionKey, table.sortKey]);
  for (const index of table.globalSecondaryIndexes) {
    keyNames.add(index.partitionKey);
    keyNames.add(index.sortKey);
  }
  // On-demand tables must not name throughput; provisioned ones need it per table and index.
  const throughput = table.billingMode === 'PROVISIONED' ? { ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } } : {};
  return {
    TableName: tableName,
    BillingMode: table.billingMode,
    AttributeDefinitions: [...keyNames].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: table.partitionKey, KeyType: 'HASH' },
      { AttributeName: table.sortKey, KeyType: 'RANGE' },
    ],
    ...(table.globalSecondaryIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection:
              index.projection.type === 'INCLUDE'
                ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.nonKeyAttributes] }
                : { ProjectionType: index.projection.type },
            ...throughput,
          })),
        }
      : {}),
    ...throughput,
  };
}
