import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { allItems, createLocalDocumentClient, createLocalDynamoDbClient, createTestTable, dynamoDbLocalEndpoint, useTestTable } from '../../src/dynamodb-local/index';

describe('allItems', () => {
  const client = createLocalDynamoDbClient(dynamoDbLocalEndpoint());
  const documents = createLocalDocumentClient(client);
  afterAll(() => client.destroy());

  it('reads every item across scan pages (a page stops at 1 MB)', async () => {
    // prepare: 8 items of ~200 KB, more than one scan page
    const table = await createTestTable(client, {
      TableName: 'all-items',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
    });
    const padding = 'x'.repeat(200_000);
    const keys = Array.from({ length: 8 }, (_, n) => `item-${n}`);
    for (const PK of keys) await documents.send(new PutCommand({ TableName: table.tableName, Item: { PK, padding } }));

    // act
    const items = await allItems(documents, table.tableName);
    await table.delete();

    // assess
    expect(items.map((item) => item.PK).sort()).toEqual(keys);
  });
});

describe('useTestTable', () => {
  const table = useTestTable(
    {
      TableName: 'used',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
    },
    { timeToLiveAttribute: 'ttl' },
  );

  it('has created a uniquely named table before the tests, readable with allItems()', async () => {
    // act
    await table.documents.send(new PutCommand({ TableName: table.tableName, Item: { PK: 'a', ttl: 1 } }));
    const items = await table.allItems();

    // assess
    expect(table.tableName).toMatch(/^used-/);
    expect(table.endpoint).toBe(dynamoDbLocalEndpoint());
    expect(items).toEqual([{ PK: 'a', ttl: 1 }]);
  });
});
