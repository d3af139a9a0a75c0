import { createTableInput, standardTable } from '@kestrel/table-keys';
import { allItems, createLocalDocumentClient, createLocalDynamoDbClient, createTestTable, dynamoDbLocalEndpoint } from '@kestrel/testing/dynamodb-local';
import { afterAll, beforeAll } from 'vitest';

/**
 * A fresh customers table (the standard single-table layout the stack deploys) on the shared
 * DynamoDB Local, created before the file's tests and deleted after. Read the fields inside tests.
 */
export function useCustomersTable(prefix = 'customers') {
  const client = createLocalDynamoDbClient(dynamoDbLocalEndpoint());
  const context = {
    client,
    documents: createLocalDocumentClient(client),
    tableName: '',
    endpoint: dynamoDbLocalEndpoint(),
    /** Every item in the table (tests only: production code never scans). */
    async allItems(): Promise<Record<string, unknown>[]> {
      return allItems(context.documents, context.tableName);
    },
  };
  let remove: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const table = await createTestTable(client, createTableInput(standardTable, prefix), { timeToLiveAttribute: standardTable.timeToLiveAttribute });
    context.tableName = table.tableName;
    remove = table.delete;
  });
  afterAll(async () => {
    await remove?.();
    client.destroy();
  });
  return context;
}

/** Items of the outbox only. */
export const outboxOf = (items: Record<string, unknown>[]) => items.filter((item) => String(item.PK).startsWith('OUTBOX#'));
/** Items other than the outbox (profiles). */
export const profilesOf = (items: Record<string, unknown>[]) => items.filter((item) => item.type === 'Customer');
