import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { createLocalDocumentClient, createLocalDynamoDbClient } from './clients';
import { dynamoDbLocalEndpoint } from './endpoint';
import { allItems } from './items';
import { createTestTable, type TestTableDefinition, type TestTableOptions } from './tables';

/** The table of one test file; `tableName` is set once `beforeAll` has run, so read it inside tests. */
export interface UsedTestTable {
  readonly client: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly endpoint: string;
  tableName: string;
  /** Every item in the table (tests only: production code never scans). */
  allItems(): Promise<Record<string, unknown>[]>;
}

/**
 * Registers vitest hooks that create a uniquely named table from `definition` on the shared DynamoDB
 * Local before the file's tests, and delete it (and release the client) after them.
 *
 * @example
 * ```ts
 * const table = useTestTable(createTableInput(standardTable, 'customers'), { timeToLiveAttribute: 'ttl' });
 * it('stores', async () => {
 *   await table.documents.send(new PutCommand({ TableName: table.tableName, Item: { PK: 'A', SK: 'B' } }));
 *   expect(await table.allItems()).toHaveLength(1);
 * });
 * ```
 */
export function useTestTable(definition: TestTableDefinition, options: TestTableOptions = {}): UsedTestTable {
  const endpoint = dynamoDbLocalEndpoint();
  const client = createLocalDynamoDbClient(endpoint);
  const context: UsedTestTable = {
    client,
    documents: createLocalDocumentClient(client),
    endpoint,
    tableName: '',
    allItems: () => allItems(context.documents, context.tableName),
  };
  let remove: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const table = await createTestTable(client, definition, options);
    context.tableName = table.tableName;
    remove = table.delete;
  });
  afterAll(async () => {
    await remove?.();
    client.destroy();
  });
  return context;
}
