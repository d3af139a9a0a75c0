import { createLocalDocumentClient, createLocalDynamoDbClient, createTestTable, dynamoDbLocalEndpoint } from '@kestrel/testing/dynamodb-local';
import { afterAll, beforeAll } from 'vitest';
import { createTableInput, standardTable, type TableDefinition } from '../../src/index';

/**
 * Registers hooks that create a uniquely named table from `definition` on the shared
 * DynamoDB Local (TTL enabled) and delete it after the file. Read the fields inside tests.
 */
export function useLocalTable(definition: TableDefinition = standardTable, prefix = 'table-keys') {
  const client = createLocalDynamoDbClient(dynamoDbLocalEndpoint());
  const context = { client, documents: createLocalDocumentClient(client), tableName: '' };
  let remove: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    // createTestTable treats the table name as a prefix and makes it unique.
    const table = await createTestTable(client, createTableInput(definition, prefix), {
      timeToLiveAttribute: definition.timeToLiveAttribute,
    });
    context.tableName = table.tableName;
    remove = table.delete;
  });
  afterAll(async () => {
    await remove?.();
    client.destroy();
  });
  return context;
}
