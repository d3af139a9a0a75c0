// Capacity arithmetic after DynamoDB's published rules ("DynamoDB item sizes and formats",
// "read/write capacity units"), for items in document-client form (plain JavaScript values).
// Byte sizes were checked against DynamoDB Local's 400 KB item limit; units against its
// ReturnConsumedCapacity (tests/integration/capacity.test.ts).
import { standardTable, type IndexDefinition, type TableDefinition } from './table';

/** A DynamoDB item in document-client form. */
export type Item = Readonly<Record<string, unknown>>;

/** Largest item DynamoDB stores: 400 KB. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** One read capacity unit covers a strongly consistent read of up to 4 KB. */
export const READ_UNIT_BYTES = 4 * 1024;
/** One write capacity unit covers a write of up to 1 KB. */
export const WRITE_UNIT_BYTES = 1024;

const encoder = new TextEncoder();
const utf8Bytes = (value: string): number => encoder.encode(value).length;

const decimalPattern = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Bytes DynamoDB uses for a number. It stores numbers as base-100 digits aligned on the
 * decimal point plus one exponent byte (and one terminator byte when negative), which is
 * what the documented "1 byte per two significant digits + 1" approximates.
 *
 * @example
 * ```ts
 * numberSizeBytes(12);    // 2
 * numberSizeBytes(123);   // 3  ('01' '23')
 * numberSizeBytes(100);   // 2  (trailing zeros are trimmed)
 * numberSizeBytes(-1.5);  // 4
 * ```
 */
export function numberSizeBytes(value: number | bigint | string): number {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`DynamoDB cannot store ${value}`);
  }
  // The document client sends String(n), so that is the representation to measure.
  const text = String(value);
  const match = decimalPattern.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) {
    throw new RangeError(`Not a decimal number: ${JSON.stringify(text)}`);
  }
  const [, sign, integerDigits = '', fractionDigits = '', exponentText = '0'] = match;
  const allDigits = integerDigits + fractionDigits;
  const firstNonZero = allDigits.search(/[1-9]/);
  if (firstNonZero === -1) {
    return 1; // zero
  }
  const significant = allDigits.slice(firstNonZero).replace(/0+$/, '');
  // Position of the decimal point relative to the first significant digit: value = 0.<significant> × 10^pointPosition.
  const pointPosition = integerDigits.length - firstNonZero + Number(exponentText);
  const leadingPad = ((pointPosition % 2) + 2) % 2; // digits pair up from the decimal point
  const base100Digits = Math.ceil((leadingPad + significant.length) / 2);
  return 1 + base100Digits + (sign === '-' ? 1 : 0);
}

function isNumberValue(value: object): value is { value: string } {
  // @aws-sdk/util-dynamodb's NumberValue (arbitrary precision numbers), recognised without
  // importing the SDK and without relying on class names (minifiers rename them): a class
  // instance whose only own property is the string `value`. Plain objects are maps.
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype === Object.prototype || prototype === null) return false;
  const ownKeys = Object.keys(value);
  return ownKeys.length === 1 && ownKeys[0] === 'value' && typeof (value as { value?: unknown }).value === 'string';
}

/**
 * Bytes of one attribute value (not counting its name), per DynamoDB's rules: strings as UTF-8,
 * binary raw, boolean and null 1, lists and maps 3 plus 1 per element, sets the sum of their members.
 * `undefined` map members are skipped (the document client's `removeUndefinedValues`).
 */
export function attributeValueSizeBytes(value: unknown, path = 'value'): number {
  switch (typeof value) {
    case 'string':
      return utf8Bytes(value);
    case 'number':
    case 'bigint':
      return numberSizeBytes(value);
    case 'boolean':
      return 1;
    case 'object': {
      if (value === null) return 1;
      if (value instanceof Uint8Array) return value.byteLength;
      if (value instanceof ArrayBuffer) return value.byteLength;
      if (isNumberValue(value)) return numberSizeBytes(value.value);
      if (value instanceof Set) {
        let total = 0;
        for (const member of value) total += attributeValueSizeBytes(member, `${path}[member]`);
        return total;
      }
      if (Array.isArray(value)) {
        return value.reduce<number>(
          (total, element, index) => total + 1 + attributeValueSizeBytes(element, `${path}[${index}]`),
          3,
        );
      }
      let total = 3;
      for (const [name, member] of Object.entries(value)) {
        if (member === undefined) continue;
        total += utf8Bytes(name) + 1 + attributeValueSizeBytes(member, `${path}.${name}`);
      }
      return total;
    }
    default:
      throw new TypeError(`${path}: DynamoDB cannot store a value of type ${typeof value}`);
  }
}

/**
 * Size of an item in bytes as DynamoDB counts it: the sum of attribute-name lengths and value sizes.
 *
 * @example
 * ```ts
 * itemSizeBytes({ PK: 'CUSTOMER#1', SK: 'PROFILE', age: 42 }); // 2+10 + 2+7 + 3+2 = 26
 * ```
 */
export function itemSizeBytes(item: Item): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    total += utf8Bytes(name) + attributeValueSizeBytes(value, name);
  }
  return total;
}

export type ReadConsistency = 'eventual' | 'strong' | 'transactional';

/**
 * Read capacity units for reading `bytes` in one request (GetItem: the item; Query/Scan: the
 * sum of all items read, rounded up once). 4 KB per unit, at least one unit; eventually
 * consistent reads cost half, transactional reads double.
 *
 * @example
 * ```ts
 * readCapacityUnits(100 * 1024, { consistency: 'eventual' }); // 12.5
 * readCapacityUnits(0);                                       // 0.5 (a miss still costs)
 * ```
 */
export function readCapacityUnits(bytes: number, options: { consistency?: ReadConsistency } = {}): number {
  const units = Math.max(1, Math.ceil(checkBytes(bytes) / READ_UNIT_BYTES));
  const factor = { eventual: 0.5, strong: 1, transactional: 2 }[options.consistency ?? 'eventual'];
  return units * factor;
}

/**
 * Write capacity units for writing `bytes` to one target (the table or one index):
 * 1 KB per unit, at least one; transactional writes cost double.
 *
 * @example
 * ```ts
 * writeCapacityUnits(1024);                          // 1
 * writeCapacityUnits(1025);                          // 2
 * writeCapacityUnits(1025, { transactional: true }); // 4
 * ```
 */
export function writeCapacityUnits(bytes: number, options: { transactional?: boolean } = {}): number {
  const units = Math.max(1, Math.ceil(checkBytes(bytes) / WRITE_UNIT_BYTES));
  return options.transactional ? units * 2 : units;
}

function checkBytes(bytes: number): number {
  if (!Number.isFinite(bytes) || bytes < 0) {
    throw new RangeError(`bytes must be a non-negative number, got ${bytes}`);
  }
  return bytes;
}

/**
 * The part of an item a GSI stores, or `undefined` when the item is not in the index
 * (it lacks one of the index key attributes: a sparse index).
 */
export function projectIntoIndex(item: Item, index: IndexDefinition, table: TableDefinition = standardTable): Item | undefined {
  if (item[index.partitionKey] === undefined || item[index.sortKey] === undefined) {
    return undefined;
  }
  if (index.projection.type === 'ALL') {
    return item;
  }
  const kept = new Set([table.partitionKey, table.sortKey, index.partitionKey, index.sortKey]);
  if (index.projection.type === 'INCLUDE') {
    for (const name of index.projection.nonKeyAttributes) kept.add(name);
  }
  return Object.fromEntries(Object.entries(item).filter(([name]) => kept.has(name)));
}

/**
 * One item write: the item after the write (absent for a delete) and before it (absent for a
 * create). Both absent describes a delete of a missing item, which still costs one unit.
 */
export interface ItemWrite {
  readonly item?: Item;
  readonly previous?: Item;
}

/** Write capacity a command must consume at least, per target. */
export interface WriteFloor {
  readonly table: number;
  readonly indexes: Readonly<Record<string, number>>;
  readonly total: number;
}

function sameProjection(left: Item, right: Item): boolean {
  return itemSizeBytes(left) === itemSizeBytes(right) && JSON.stringify(sortedEntries(left)) === JSON.stringify(sortedEntries(right));
}

function sortedEntries(item: Item): unknown {
  return Object.entries(item)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => [name, value instanceof Set ? [...value].sort() : value instanceof Uint8Array ? [...value] : value]);
}

function indexWriteUnits(before: Item | undefined, after: Item | undefined, index: IndexDefinition, transactional: boolean): number {
  const units = (item: Item) => writeCapacityUnits(itemSizeBytes(item), { transactional });
  if (before === undefined && after === undefined) return 0;
  if (before === undefined) return units(after as Item); // put into the index
  if (after === undefined) return units(before); // delete from the index
  const keyChanged = before[index.partitionKey] !== after[index.partitionKey] || before[index.sortKey] !== after[index.sortKey];
  if (keyChanged) return units(before) + units(after); // delete the old entry, put the new one
  if (sameProjection(before, after)) return 0; // nothing the index stores changed
  return writeCapacityUnits(Math.max(itemSizeBytes(before), itemSizeBytes(after)), { transactional });
}

/**
 * The least write capacity a command consumes: per item, the table write (sized by the larger
 * of the old and new item) plus one write per GSI the item is projected into, sized by the
 * projected part (two when an update moves the item within the index). Benchmarks compare
 * measured `ConsumedCapacity` against this floor.
 *
 * @example
 * ```ts
 * // a new 1.5 KB item with GSI1 keys on the standard table (GSI1 projects ALL):
 * commandWriteFloor([{ item }]); // { table: 2, indexes: { GSI1: 2 }, total: 4 }
 * ```
 */
export function commandWriteFloor(
  writes: readonly ItemWrite[],
  options: { table?: TableDefinition; transactional?: boolean } = {},
): WriteFloor {
  const table = options.table ?? standardTable;
  const transactional = options.transactional ?? false;
  let tableUnits = 0;
  const indexes: Record<string, number> = {};
  for (const write of writes) {
    const before = write.previous;
    const after = write.item;
    // Neither (a delete or failed condition on a missing item) still costs the minimum unit.
    const sizes = [before, after].filter((item): item is Item => item !== undefined).map(itemSizeBytes);
    tableUnits += writeCapacityUnits(Math.max(0, ...sizes), { transactional });
    for (const index of table.globalSecondaryIndexes) {
      const units = indexWriteUnits(
        before && projectIntoIndex(before, index, table),
        after && projectIntoIndex(after, index, table),
        index,
        transactional,
      );
      if (units > 0) indexes[index.name] = (indexes[index.name] ?? 0) + units;
    }
  }
  const total = tableUnits + Object.values(indexes).reduce((sum, units) => sum + units, 0);
  return { table: tableUnits, indexes, total };
}
