// Proves the capacity arithmetic against the real engine: DynamoDB Local's item-size limit
// (byte-exact sizes) and its ReturnConsumedCapacity (units per table and index).
import {
  NumberValue,
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  commandWriteFloor,
  itemSizeBytes,
  MAX_ITEM_BYTES,
  projectIntoIndex,
  readCapacityUnits,
  standardTable,
  type Item,
  type TableDefinition,
} from '../../src/index';
import { useLocalTable } from './local-table';

// The standard table plus a GSI projecting only some attributes, to check projected sizes.
const capacityTable: TableDefinition = {
  ...standardTable,
  globalSecondaryIndexes: [
    ...standardTable.globalSecondaryIndexes,
    { name: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK', projection: { type: 'INCLUDE', nonKeyAttributes: ['status', 'pad'] } },
  ],
};
const gsi3 = capacityTable.globalSecondaryIndexes[2]!;
const table = useLocalTable(capacityTable, 'capacity');

/** `item` with a `pad` string sized so that `measure(item)` is exactly `bytes`. */
function padTo(item: Item, bytes: number, measure: (item: Item) => number = itemSizeBytes): Item {
  const unpadded = measure({ ...item, pad: '' });
  if (unpadded > bytes) throw new Error(`item is already ${unpadded} bytes`);
  return { ...item, pad: 'x'.repeat(bytes - unpadded) };
}

async function putConsumed(item: Item) {
  const { ConsumedCapacity } = await table.documents.send(
    new PutCommand({ TableName: table.tableName, Item: item, ReturnConsumedCapacity: 'INDEXES' }),
  );
  return ConsumedCapacity;
}

function asFloor(consumed: { CapacityUnits?: number; Table?: { CapacityUnits?: number }; GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }> } | undefined) {
  return {
    table: consumed?.Table?.CapacityUnits,
    indexes: Object.fromEntries(Object.entries(consumed?.GlobalSecondaryIndexes ?? {}).map(([name, units]) => [name, units.CapacityUnits])),
    total: consumed?.CapacityUnits,
  };
}

// Attribute values of every type, with numbers inside DynamoDB's range (1e-130 .. 1e126).
// JavaScript numbers stay within safe integers (the document client refuses others);
// NumberValue carries DynamoDB's full 38 significant digits.
const numberValue = fc.oneof(
  fc.integer(),
  fc.double({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, noNaN: true }).filter((value) => value === 0 || Math.abs(value) > 1e-100),
  fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }).map((value) => NumberValue.from(value.toString())),
);
const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'é', '€', '😀', '#'), fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' })), maxLength: 20 });
const scalar = fc.oneof(text, numberValue, fc.boolean(), fc.constant(null), fc.uint8Array({ minLength: 1, maxLength: 20 }));
const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map'), tie('set')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  map: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tie('value'), { maxKeys: 4 }),
  set: fc.oneof(
    fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }).map((members) => new Set(members)),
    fc.uniqueArray(fc.integer({ min: -10_000, max: 10_000 }), { minLength: 1, maxLength: 4 }).map((members) => new Set(members)),
  ),
})).value;
const attributes = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).map((name) => `a_${name}`), value, { maxKeys: 6 });

describe('item size in bytes', () => {
  it('matches DynamoDB Local byte for byte: an item of exactly 400 KB is stored, one byte more is refused', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(attributes, async (extra) => {
        // prepare
        run += 1;
        const base = { PK: `SIZE#${run}`, SK: 'ITEM', ...extra };
        const atLimit = padTo(base, MAX_ITEM_BYTES);
        const overLimit = padTo(base, MAX_ITEM_BYTES + 1);

        // act
        const stored = await table.documents.send(new PutCommand({ TableName: table.tableName, Item: atLimit }));
        const refused = table.documents.send(new PutCommand({ TableName: table.tableName, Item: overLimit }));

        // assess
        expect(stored.$metadata.httpStatusCode).toBe(200);
        await expect(refused).rejects.toThrow(/Item size has exceeded the maximum allowed size/);
      }),
      { numRuns: 25 },
    );
  });
});

describe('write capacity of PutItem', () => {
  const gsiKeys = { GSI1PK: 'G1', GSI1SK: 'S', GSI3PK: 'G3', GSI3SK: 'S', status: 'active' };

  it.each([
    ['tiny, table only', { PK: 'P#1', SK: 'A' }, 20],
    ['exactly 1 KB', { PK: 'P#2', SK: 'A' }, 1024],
    ['1 KB + 1 byte', { PK: 'P#3', SK: 'A' }, 1025],
    ['3.5 KB with nested values', { PK: 'P#4', SK: 'A', profile: { tags: ['a', 'b'], score: 12.5, ok: true } }, 3584],
    ['10 KB', { PK: 'P#5', SK: 'A' }, 10 * 1024],
    ['exactly 1 KB in GSI1 (ALL) and GSI3 (INCLUDE)', { PK: 'P#6', SK: 'A', ...gsiKeys }, 1024],
    ['1 KB + 1 in GSI1 and GSI3', { PK: 'P#7', SK: 'A', ...gsiKeys }, 1025],
    ['5 KB in every index', { PK: 'P#8', SK: 'A', ...gsiKeys, GSI2PK: 'G2', GSI2SK: 'S' }, 5 * 1024],
  ])('%s: consumed equals the arithmetic floor', async (_label, base, bytes) => {
    // prepare
    const item = padTo(base, bytes);

    // act
    const consumed = await putConsumed(item);

    // assess
    expect(itemSizeBytes(item)).toBe(bytes);
    expect(asFloor(consumed)).toEqual(commandWriteFloor([{ item }], { table: capacityTable }));
  });

  it('sizes an INCLUDE projection by keys plus included attributes only', async () => {
    // prepare: the projection (keys, status, pad) is exactly 1024 and 1025 bytes; the item is larger
    const base = { SK: 'A', GSI3PK: 'G3', GSI3SK: 'S', status: 'active', bulky: 'y'.repeat(2000) };
    const measureProjection = (item: Item) => itemSizeBytes(projectIntoIndex(item, gsi3, capacityTable) ?? {});
    const fits = padTo({ ...base, PK: 'P#9' }, 1024, measureProjection);
    const spills = padTo({ ...base, PK: 'P#10' }, 1025, measureProjection);

    // act
    const consumed = [await putConsumed(fits), await putConsumed(spills)];

    // assess: no per-entry overhead is charged on index writes
    expect(consumed.map((units) => units?.GlobalSecondaryIndexes?.GSI3?.CapacityUnits)).toEqual([1, 2]);
    expect(consumed.map(asFloor)).toEqual([commandWriteFloor([{ item: fits }], { table: capacityTable }), commandWriteFloor([{ item: spills }], { table: capacityTable })]);
  });

  it('sizes an overwrite by the larger of the old and new item', async () => {
    // prepare
    const previous = padTo({ PK: 'P#11', SK: 'A' }, 3000);
    const item = { PK: 'P#11', SK: 'A' };
    await putConsumed(previous);

    // act
    const consumed = await putConsumed(item);

    // assess
    expect(asFloor(consumed)).toEqual(commandWriteFloor([{ item, previous }], { table: capacityTable }));
  });
});

describe('write capacity of other writes', () => {
  it('UpdateItem moving an item within GSI1 costs a delete and a put there', async () => {
    // prepare
    const previous = padTo({ PK: 'U#1', SK: 'A', GSI1PK: 'old', GSI1SK: 'S' }, 1500);
    await putConsumed(previous);

    // act
    const { ConsumedCapacity } = await table.documents.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { PK: 'U#1', SK: 'A' },
        UpdateExpression: 'SET GSI1PK = :new',
        ExpressionAttributeValues: { ':new': 'new' },
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );

    // assess
    expect(asFloor(ConsumedCapacity)).toEqual(commandWriteFloor([{ previous, item: { ...previous, GSI1PK: 'new' } }], { table: capacityTable }));
  });

  it('UpdateItem of an attribute GSI3 does not project skips GSI3', async () => {
    // prepare
    const previous = padTo({ PK: 'U#2', SK: 'A', GSI3PK: 'G3', GSI3SK: 'S', status: 'x' }, 900);
    await putConsumed(previous);

    // act
    const { ConsumedCapacity } = await table.documents.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { PK: 'U#2', SK: 'A' },
        UpdateExpression: 'SET unprojected = :value',
        ExpressionAttributeValues: { ':value': 'v' },
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );

    // assess
    expect(asFloor(ConsumedCapacity)).toEqual({ table: 1, indexes: {}, total: 1 });
    expect(asFloor(ConsumedCapacity)).toEqual(commandWriteFloor([{ previous, item: { ...previous, unprojected: 'v' } }], { table: capacityTable }));
  });

  it('DeleteItem is sized by the deleted item, and a delete of nothing still costs 1', async () => {
    // prepare
    const previous = padTo({ PK: 'D#1', SK: 'A', GSI1PK: 'G', GSI1SK: 'S' }, 2100);
    await putConsumed(previous);

    // act
    const deleted = await table.documents.send(
      new DeleteCommand({ TableName: table.tableName, Key: { PK: 'D#1', SK: 'A' }, ReturnConsumedCapacity: 'INDEXES' }),
    );
    const missing = await table.documents.send(
      new DeleteCommand({ TableName: table.tableName, Key: { PK: 'D#missing', SK: 'A' }, ReturnConsumedCapacity: 'INDEXES' }),
    );

    // assess
    expect(asFloor(deleted.ConsumedCapacity)).toEqual(commandWriteFloor([{ previous }], { table: capacityTable }));
    expect(asFloor(missing.ConsumedCapacity)).toEqual(commandWriteFloor([{}], { table: capacityTable }));
  });

  it('TransactWriteItems costs double, per item and per index', async () => {
    // prepare
    const first = padTo({ PK: 'T#1', SK: 'A', GSI1PK: 'G', GSI1SK: 'S' }, 1500);
    const second = padTo({ PK: 'T#2', SK: 'A' }, 300);

    // act
    const { ConsumedCapacity } = await table.documents.send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName: table.tableName, Item: first } }, { Put: { TableName: table.tableName, Item: second } }],
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );

    // assess
    expect(ConsumedCapacity?.map(asFloor)).toEqual([commandWriteFloor([{ item: first }, { item: second }], { table: capacityTable, transactional: true })]);
  });
});

describe('read capacity', () => {
  it('GetItem: 4 KB per unit, half when eventually consistent, a miss still costs', async () => {
    // prepare
    const item = padTo({ PK: 'R#1', SK: 'A' }, 5000);
    await putConsumed(item);
    const get = (key: Item, consistent: boolean) =>
      table.documents.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: consistent, ReturnConsumedCapacity: 'TOTAL' }));

    // act
    const consumed = [
      (await get({ PK: 'R#1', SK: 'A' }, true)).ConsumedCapacity?.CapacityUnits,
      (await get({ PK: 'R#1', SK: 'A' }, false)).ConsumedCapacity?.CapacityUnits,
      (await get({ PK: 'R#missing', SK: 'A' }, false)).ConsumedCapacity?.CapacityUnits,
    ];

    // assess
    expect(consumed).toEqual([
      readCapacityUnits(5000, { consistency: 'strong' }),
      readCapacityUnits(5000, { consistency: 'eventual' }),
      readCapacityUnits(0, { consistency: 'eventual' }),
    ]);
  });

  it('Query rounds the sum of the items read once, not per item', async () => {
    // prepare: ten 500-byte items in one partition
    const items = Array.from({ length: 10 }, (_, index) => padTo({ PK: 'R#many', SK: `ITEM#${index}` }, 500));
    for (const item of items) await putConsumed(item);

    // act
    const { ConsumedCapacity, Count } = await table.documents.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': 'R#many' },
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );

    // assess: 5000 bytes → 2 units (per-item rounding would give 10)
    expect(Count).toBe(10);
    expect(ConsumedCapacity?.CapacityUnits).toBe(readCapacityUnits(5000, { consistency: 'strong' }));
  });

  it('BatchGetItem rounds per item and TransactGetItems costs double', async () => {
    // prepare
    const items = [padTo({ PK: 'R#b1', SK: 'A' }, 3000), padTo({ PK: 'R#b2', SK: 'A' }, 3000)];
    for (const item of items) await putConsumed(item);
    const keys = items.map(({ PK, SK }) => ({ PK, SK }));

    // act
    const batch = await table.documents.send(
      new BatchGetCommand({ RequestItems: { [table.tableName]: { Keys: keys, ConsistentRead: true } }, ReturnConsumedCapacity: 'TOTAL' }),
    );
    const transact = await table.documents.send(
      new TransactGetCommand({ TransactItems: keys.map((Key) => ({ Get: { TableName: table.tableName, Key } })), ReturnConsumedCapacity: 'TOTAL' }),
    );

    // assess
    const perItemStrong = readCapacityUnits(3000, { consistency: 'strong' });
    expect(batch.ConsumedCapacity?.[0]?.CapacityUnits).toBe(2 * perItemStrong);
    expect(transact.ConsumedCapacity?.[0]?.CapacityUnits).toBe(2 * readCapacityUnits(3000, { consistency: 'transactional' }));
  });
});
