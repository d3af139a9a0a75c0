import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  createItem,
  deleteItem,
  ItemNotFoundError,
  itemVersion,
  ItemValidationError,
  keyPrefix,
  replaceItem,
  StaleVersionError,
  transactionFailure,
  transactWriteInput,
  ttlAfter,
  updateItem,
  type ConditionalWrite,
} from '../../src/index';
import { ann, ApiKey, Customer, customers, User } from '../fixtures/customer';
import { useLocalTable } from './local-table';

const table = useLocalTable();

// Sends a conditional write and throws its typed error on failure, as an adapter would.
async function send(write: ConditionalWrite): Promise<void> {
  try {
    if (write.kind === 'Put') await table.documents.send(new PutCommand(write.input));
    else if (write.kind === 'Update') await table.documents.send(new UpdateCommand(write.input));
    else await table.documents.send(new DeleteCommand(write.input));
  } catch (error) {
    throw write.failure(error);
  }
}

async function read(key: { PK: string; SK: string }) {
  const { Item } = await table.documents.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }));
  return Item;
}

describe('key escaping against the real engine', () => {
  it('keeps a forged username from overwriting or reading as another user’s API key', async () => {
    // prepare
    const tenantId = 'acme';
    const genuineKey = ApiKey.key({ tenantId, username: 'bob', keyId: 'k1' });
    await send(createItem({ tableName: table.tableName, item: { ...genuineKey, type: ApiKey.name, secretHash: 'genuine' } }));
    const forgedUsername = 'bob#APIKEY#k1';
    const forgedKey = User.key({ tenantId, username: forgedUsername });

    // act: the attacker signs up with the crafted username
    await send(createItem({ tableName: table.tableName, item: { ...forgedKey, type: User.name, secretHash: 'attacker' } }));
    const apiKeyItem = await read(genuineKey);
    const { Items: bobsItems } = await table.documents.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :bob)',
        ExpressionAttributeValues: { ':pk': genuineKey.PK, ':bob': keyPrefix(['USER', 'bob']) },
      }),
    );

    // assess: naive joining would have produced the very same key; escaping kept them apart
    expect(['USER', forgedUsername].join('#')).toBe(genuineKey.SK);
    expect(forgedKey.SK).not.toBe(genuineKey.SK);
    expect(apiKeyItem).toMatchObject({ type: 'ApiKey', secretHash: 'genuine' });
    expect(bobsItems?.map((item) => item.secretHash)).toEqual(['genuine']);
  });
});

describe('item codec on read', () => {
  it('rejects a hand-written bad item and names the attribute', async () => {
    // prepare: someone wrote the item without the codec
    const key = Customer.key({ customerId: 'handmade' });
    await table.documents.send(
      new PutCommand({ TableName: table.tableName, Item: { ...key, type: 'Customer', customerId: 'handmade', email: 'nope', status: 'active' } }),
    );

    // act
    const stored = await read(key);
    const decode = () => customers.fromItem(stored ?? {});

    // assess
    expect(decode).toThrow(ItemValidationError);
    expect(decode).toThrow(/Invalid Customer item \(PK=CUSTOMER#handmade, SK=PROFILE\): email: /);
  });

  it('round-trips a customer and finds it through GSI1 by email', async () => {
    // prepare
    const customer = { ...ann, customerId: 'roundtrip', email: 'Round.Trip@Example.com' };
    await send(createItem({ tableName: table.tableName, item: customers.toItem(customer) }));

    // act
    const { Items } = await table.documents.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :email',
        ExpressionAttributeValues: { ':email': Customer.indexKeys(customer).GSI1PK },
      }),
    );

    // assess
    expect(Items?.map((item) => customers.fromItem(item))).toEqual([customer]);
  });
});

describe('conditional create', () => {
  it('fails the second create with AlreadyExistsError and keeps the first item', async () => {
    // prepare
    const first = { ...ann, customerId: 'twice', email: 'first@example.com' };
    const second = { ...first, email: 'second@example.com' };
    await send(createItem({ tableName: table.tableName, item: customers.toItem(first) }));

    // act
    const secondCreate = send(createItem({ tableName: table.tableName, item: customers.toItem(second) }));

    // assess
    await expect(secondCreate).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(secondCreate).rejects.toMatchObject({ httpStatus: 409, key: Customer.key(first) });
    const stored = await read(Customer.key(first));
    expect(customers.fromItem(stored ?? {})).toEqual(first);
    expect(itemVersion(stored)).toBe(1);
  });
});

describe('optimistic locking', () => {
  it('applies an update at the expected version and rejects a stale one without changing anything', async () => {
    // prepare
    const customer = { ...ann, customerId: 'locked' };
    const key = Customer.key(customer);
    await send(createItem({ tableName: table.tableName, item: customers.toItem(customer) }));
    await send(updateItem({ tableName: table.tableName, key, set: { status: 'preferred' }, expectedVersion: 1 }));

    // act: a writer that still holds version 1
    const stale = send(updateItem({ tableName: table.tableName, key, set: { status: 'delinquent' }, expectedVersion: 1 }));

    // assess
    await expect(stale).rejects.toBeInstanceOf(StaleVersionError);
    await expect(stale).rejects.toMatchObject({ httpStatus: 412, expectedVersion: 1, actualVersion: 2 });
    const stored = await read(key);
    expect(stored).toMatchObject({ status: 'preferred', version: 2 });
  });

  it('replaces a whole item (moving its GSI keys) only at the expected version', async () => {
    // prepare
    const customer = { ...ann, customerId: 'replaced' };
    await send(createItem({ tableName: table.tableName, item: customers.toItem(customer) }));
    const delinquent = { ...customer, status: 'delinquent' as const };

    // act
    await send(replaceItem({ tableName: table.tableName, item: customers.toItem(delinquent), expectedVersion: 1 }));
    const staleReplace = send(replaceItem({ tableName: table.tableName, item: customers.toItem(customer), expectedVersion: 1 }));

    // assess
    await expect(staleReplace).rejects.toBeInstanceOf(StaleVersionError);
    expect(await read(Customer.key(customer))).toMatchObject({ status: 'delinquent', version: 2, GSI2PK: 'DELINQUENT' });
  });

  it('reports a versioned write to a missing item as ItemNotFoundError', async () => {
    // act
    const update = send(
      updateItem({ tableName: table.tableName, key: Customer.key({ customerId: 'ghost' }), set: { status: 'active' }, expectedVersion: 1 }),
    );

    // assess
    await expect(update).rejects.toBeInstanceOf(ItemNotFoundError);
    expect(await read(Customer.key({ customerId: 'ghost' }))).toBeUndefined();
  });

  it('deletes only at the expected version', async () => {
    // prepare
    const customer = { ...ann, customerId: 'deleted' };
    const key = Customer.key(customer);
    await send(createItem({ tableName: table.tableName, item: customers.toItem(customer) }));

    // act
    const stale = send(deleteItem({ tableName: table.tableName, key, expectedVersion: 7 }));
    await expect(stale).rejects.toBeInstanceOf(StaleVersionError);
    await send(deleteItem({ tableName: table.tableName, key, expectedVersion: 1 }));

    // assess
    expect(await read(key)).toBeUndefined();
  });

  it('cancels a whole transaction on a stale version and maps the reason', async () => {
    // prepare
    const customer = { ...ann, customerId: 'transacted' };
    const key = Customer.key(customer);
    await send(createItem({ tableName: table.tableName, item: customers.toItem(customer) }));
    const orderKey = { PK: key.PK, SK: 'ORDER#1' };
    const writes = [
      createItem({ tableName: table.tableName, item: { ...orderKey, type: 'Order', total: 10 } }),
      updateItem({ tableName: table.tableName, key, set: { status: 'preferred' }, expectedVersion: 5 }),
    ];

    // act
    const transaction = table.documents.send(new TransactWriteCommand(transactWriteInput(writes))).catch((error: unknown) => {
      throw transactionFailure(error, writes);
    });

    // assess
    await expect(transaction).rejects.toBeInstanceOf(StaleVersionError);
    await expect(transaction).rejects.toMatchObject({ expectedVersion: 5, actualVersion: 1 });
    expect(await read(orderKey)).toBeUndefined();
  });
});

describe('TTL', () => {
  it('stores the expiry as epoch seconds in the attribute the table expires on', async () => {
    // prepare
    const now = new Date('2030-01-01T00:00:00Z');
    const customer = { ...ann, customerId: 'expiring' };

    // act
    await send(createItem({ tableName: table.tableName, item: customers.toItem(customer, { ttl: ttlAfter(86_400, now) }) }));
    const stored = await read(Customer.key(customer));
    const ttl = await table.client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));

    // assess
    expect(stored?.ttl).toBe(1_893_542_400);
    expect(ttl.TimeToLiveDescription).toEqual({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
  });
});
