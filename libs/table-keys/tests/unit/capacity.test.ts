import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  attributeValueSizeBytes,
  commandWriteFloor,
  itemSizeBytes,
  numberSizeBytes,
  projectIntoIndex,
  readCapacityUnits,
  standardTable,
  writeCapacityUnits,
  type TableDefinition,
} from '../../src/index';

describe('numberSizeBytes', () => {
  // Expected sizes measured on DynamoDB Local (bytes an N attribute adds at the 400 KB item limit).
  it.each([
    ['0', 1],
    ['1', 2],
    ['10', 2],
    ['12', 2],
    ['99', 2],
    ['100', 2],
    ['101', 3],
    ['123', 3],
    ['1001', 3],
    ['1234', 3],
    ['0.1', 2],
    ['0.01', 2],
    ['0.000001', 2],
    ['1.5', 3],
    ['1.01', 3],
    ['-1', 3],
    ['-12', 3],
    ['-123', 4],
    ['-0.5', 3],
    ['1e100', 2],
    ['12345678901234567890123456789012345678', 20],
  ])('%s takes %i bytes', (value, expected) => {
    expect(numberSizeBytes(value)).toBe(expected);
  });

  it('measures JavaScript numbers as the document client sends them', () => {
    // act
    const sizes = [numberSizeBytes(1.5e-7), numberSizeBytes(2n ** 64n), numberSizeBytes(-0)];

    // assess: '1.5e-7' = 0.00000015 → one base-100 digit; 18446744073709551616 → 10; -0 is zero
    expect(sizes).toEqual([2, 11, 1]);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, 'abc', '', '.'])('rejects %s', (value) => {
    expect(() => numberSizeBytes(value as number)).toThrow(RangeError);
  });
});

describe('itemSizeBytes', () => {
  it('sums attribute-name lengths and value sizes', () => {
    // prepare
    const item = { PK: 'CUSTOMER#1', SK: 'PROFILE', age: 42, active: true, nickname: null, photo: new Uint8Array(10) };

    // act
    const size = itemSizeBytes(item);

    // assess: 2+10 + 2+7 + 3+2 + 6+1 + 8+1 + 5+10
    expect(size).toBe(57);
  });

  it('sizes NumberValue (arbitrary precision) as a number, not as a map', () => {
    // prepare
    const big = NumberValue.from('12345678901234567890123456789012345678');

    // act
    const sizes = [attributeValueSizeBytes(big), attributeValueSizeBytes({ value: '12' })];

    // assess: 19 base-100 digits + exponent; a plain map with a "value" string stays a map
    expect(sizes).toEqual([20, 3 + 5 + 1 + 2]);
  });

  it('counts strings in UTF-8 bytes', () => {
    expect(itemSizeBytes({ n: 'é😀' })).toBe(1 + 2 + 4);
  });

  it('adds 3 bytes per list or map and 1 per element', () => {
    // act
    const sizes = {
      emptyList: attributeValueSizeBytes([]),
      emptyMap: attributeValueSizeBytes({}),
      list: attributeValueSizeBytes(['ab']),
      map: attributeValueSizeBytes({ k: 'ab' }),
      numbers: attributeValueSizeBytes([1, 123]),
    };

    // assess (same figures as DynamoDB Local)
    expect(sizes).toEqual({ emptyList: 3, emptyMap: 3, list: 6, map: 7, numbers: 10 });
  });

  it('sums set members without per-member overhead', () => {
    expect(attributeValueSizeBytes(new Set(['ab', 'c']))).toBe(3);
    expect(attributeValueSizeBytes(new Set([1, 12]))).toBe(4);
  });

  it('skips undefined attributes like removeUndefinedValues does', () => {
    expect(itemSizeBytes({ a: 'x', b: undefined, m: { c: undefined } })).toBe(2 + 1 + 3);
  });

  it('names the attribute it cannot size', () => {
    expect(() => itemSizeBytes({ profile: { callback: () => 1 } })).toThrow('profile.callback: DynamoDB cannot store a value of type function');
  });
});

describe('readCapacityUnits', () => {
  it.each([
    [0, 'eventual', 0.5],
    [4096, 'strong', 1],
    [4097, 'strong', 2],
    [100 * 1024, 'eventual', 12.5],
    [5000, 'transactional', 4],
  ] as const)('%i bytes read %s costs %d RCU', (bytes, consistency, expected) => {
    expect(readCapacityUnits(bytes, { consistency })).toBe(expected);
  });

  it('defaults to eventually consistent reads like the SDK', () => {
    expect(readCapacityUnits(4096)).toBe(0.5);
  });
});

describe('writeCapacityUnits', () => {
  it.each([
    [0, false, 1],
    [1024, false, 1],
    [1025, false, 2],
    [4 * 1024, false, 4],
    [1025, true, 4],
  ])('%i bytes (transactional %s) costs %i WCU', (bytes, transactional, expected) => {
    expect(writeCapacityUnits(bytes, { transactional })).toBe(expected);
  });

  it('rejects impossible sizes', () => {
    expect(() => writeCapacityUnits(-1)).toThrow('non-negative');
  });
});

const includeTable: TableDefinition = {
  ...standardTable,
  globalSecondaryIndexes: [
    { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: { type: 'ALL' } },
    { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK', projection: { type: 'INCLUDE', nonKeyAttributes: ['status'] } },
  ],
};

describe('projectIntoIndex', () => {
  it('keeps keys and included attributes, and leaves items without index keys out', () => {
    // prepare
    const item = { PK: 'a', SK: 'b', GSI2PK: 'c', GSI2SK: 'd', status: 'x', bulky: 'y'.repeat(100) };
    const [all, include] = includeTable.globalSecondaryIndexes;

    // act
    const projected = projectIntoIndex(item, include!, includeTable);
    const absent = projectIntoIndex(item, all!, includeTable);

    // assess
    expect(projected).toEqual({ PK: 'a', SK: 'b', GSI2PK: 'c', GSI2SK: 'd', status: 'x' });
    expect(absent).toBeUndefined();
  });
});

describe('commandWriteFloor', () => {
  const bulky = 'x'.repeat(1500);

  it('adds one write per index the new item is projected into, sized by the projection', () => {
    // prepare
    const item = { PK: 'a', SK: 'b', GSI1PK: 'c', GSI1SK: 'd', GSI2PK: 'e', GSI2SK: 'f', status: 'x', bulky };

    // act
    const floor = commandWriteFloor([{ item }], { table: includeTable });

    // assess: ~1.5 KB in the table and GSI1 (ALL) = 2 + 2; GSI2 projects only keys and status = 1
    expect(floor).toEqual({ table: 2, indexes: { GSI1: 2, GSI2: 1 }, total: 5 });
  });

  it('sizes an overwrite by the larger of the old and new item', () => {
    // prepare
    const previous = { PK: 'a', SK: 'b', bulky: 'x'.repeat(3000) };
    const item = { PK: 'a', SK: 'b' };

    // act
    const floor = commandWriteFloor([{ item, previous }]);

    // assess
    expect(floor).toEqual({ table: 3, indexes: {}, total: 3 });
  });

  it('counts a delete and a put when an update moves the item within an index', () => {
    // prepare
    const previous = { PK: 'a', SK: 'b', GSI1PK: 'old', GSI1SK: 's', bulky };
    const item = { ...previous, GSI1PK: 'new' };

    // act
    const floor = commandWriteFloor([{ item, previous }]);

    // assess
    expect(floor).toEqual({ table: 2, indexes: { GSI1: 4 }, total: 6 });
  });

  it('skips an index when nothing it stores changed', () => {
    // prepare
    const previous = { PK: 'a', SK: 'b', GSI2PK: 'c', GSI2SK: 'd', status: 'x', bulky: 'old' };
    const item = { ...previous, bulky: 'new' };

    // act
    const floor = commandWriteFloor([{ item, previous }], { table: includeTable });

    // assess
    expect(floor).toEqual({ table: 1, indexes: {}, total: 1 });
  });

  it('doubles everything in a transaction and still charges a delete of a missing item', () => {
    // prepare
    const item = { PK: 'a', SK: 'b', GSI1PK: 'c', GSI1SK: 'd' };

    // act
    const floor = commandWriteFloor([{ item }, {}], { transactional: true });

    // assess
    expect(floor).toEqual({ table: 4, indexes: { GSI1: 2 }, total: 6 });
  });
});
