import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  createItem,
  deleteItem,
  ItemNotFoundError,
  replaceItem,
  StaleVersionError,
  transactionFailure,
  transactWriteInput,
  updateItem,
  WriteInputError,
} from '../../src/index';
import { ann, Customer, customers } from '../fixtures/customer';

const tableName = 'kestrel-customers';
const key = Customer.key(ann);

// Real SDK exception classes, shaped as DynamoDB returns them.
function conditionFailed(storedItem?: Record<string, unknown>) {
  return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: storedItem as never });
}

describe('createItem', () => {
  it('puts only if the key is free and starts at version 1', () => {
    // act
    const write = createItem({ tableName, item: customers.toItem(ann) });

    // assess
    expect(write.input).toMatchObject({
      TableName: tableName,
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'PK' },
      Item: { PK: 'CUSTOMER#42', SK: 'PROFILE', version: 1 },
    });
  });

  it('turns a failed condition into AlreadyExistsError (409) and passes other errors through', () => {
    // prepare
    const write = createItem({ tableName, item: customers.toItem(ann) });
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });

    // act
    const conflict = write.failure(conditionFailed());
    const other = write.failure(throttled);

    // assess
    expect(conflict).toBeInstanceOf(AlreadyExistsError);
    expect(conflict).toMatchObject({ httpStatus: 409, key });
    expect(other).toBe(throttled);
  });

  it('refuses an item without keys', () => {
    expect(() => createItem({ tableName, item: ann })).toThrow(WriteInputError);
  });
});

describe('versioned writes', () => {
  it('replaces only the expected version and stores the next one', () => {
    // act
    const write = replaceItem({ tableName, item: customers.toItem(ann), expectedVersion: 3 });

    // assess
    expect(write.input).toMatchObject({
      ConditionExpression: '#version = :expectedVersion',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expectedVersion': 3 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      Item: { version: 4 },
    });
  });

  it('updates through placeholders and increments the version', () => {
    // act
    const write = updateItem({ tableName, key, set: { status: 'preferred', name: 'Ann' }, remove: ['address'], expectedVersion: 1 });

    // assess
    expect(write.input).toEqual({
      TableName: tableName,
      Key: key,
      UpdateExpression: 'SET #s0 = :s0, #s1 = :s1, #version = :nextVersion REMOVE #r0',
      ConditionExpression: '#version = :expectedVersion',
      ExpressionAttributeNames: { '#version': 'version', '#s0': 'status', '#s1': 'name', '#r0': 'address' },
      ExpressionAttributeValues: { ':expectedVersion': 1, ':nextVersion': 2, ':s0': 'preferred', ':s1': 'Ann' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('tells a stale version (412) from a missing item (404)', () => {
    // prepare
    const write = updateItem({ tableName, key, set: { status: 'preferred' }, expectedVersion: 1 });

    // act
    const stale = write.failure(conditionFailed({ PK: { S: key.PK }, SK: { S: key.SK }, version: { N: '2' } }));
    const missing = write.failure(conditionFailed());

    // assess
    expect(stale).toBeInstanceOf(StaleVersionError);
    expect(stale).toMatchObject({ httpStatus: 412, expectedVersion: 1, actualVersion: 2 });
    expect(missing).toBeInstanceOf(ItemNotFoundError);
    expect(missing).toMatchObject({ httpStatus: 404 });
  });

  it.each([
    [{ set: { PK: 'x' } }, 'set.PK: is managed by the library'],
    [{ set: { version: 9 } }, 'set.version: is managed by the library'],
    [{ remove: ['type'] }, 'remove.type: is managed by the library'],
    [{ set: { status: undefined } }, 'set.status: is undefined; use remove'],
    [{}, 'set: nothing to update'],
    [{ set: { status: 'x' }, expectedVersion: 0 }, 'expectedVersion: must be a positive integer'],
  ])('rejects %j', (params, message) => {
    expect(() => updateItem({ tableName, key, expectedVersion: 1, ...params })).toThrow(message);
  });

  it('deletes only the expected version', () => {
    // act
    const write = deleteItem({ tableName, key, expectedVersion: 5 });

    // assess
    expect(write.input).toMatchObject({ Key: key, ConditionExpression: '#version = :expectedVersion', ExpressionAttributeValues: { ':expectedVersion': 5 } });
  });
});

describe('transactions', () => {
  const create = createItem({ tableName, item: { PK: 'ORDER#1', SK: 'ORDER', total: 10 } });
  const update = updateItem({ tableName, key, set: { status: 'preferred' }, expectedVersion: 2 });

  it('wraps each write in its transaction action', () => {
    // act
    const input = transactWriteInput([create, update]);

    // assess
    expect(input.TransactItems).toEqual([{ Put: create.input }, { Update: update.input }]);
  });

  it('maps the failed cancellation reason to the typed error of that write', () => {
    // prepare
    const cancelled = new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { version: { N: '5' } } }],
    });

    // act
    const mapped = transactionFailure(cancelled, [create, update]);

    // assess
    expect(mapped).toBeInstanceOf(StaleVersionError);
    expect(mapped).toMatchObject({ expectedVersion: 2, actualVersion: 5, key });
  });

  it('returns cancellations for other reasons unchanged', () => {
    // prepare
    const conflict = new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
    });

    // act
    const mapped = transactionFailure(conflict, [create, update]);

    // assess
    expect(mapped).toBe(conflict);
  });

  it('refuses an empty or oversized transaction', () => {
    expect(() => transactWriteInput([])).toThrow('a transaction takes 1 to 100 actions, got 0');
    expect(() => transactWriteInput(Array.from({ length: 101 }, () => create))).toThrow('got 101');
  });
});
