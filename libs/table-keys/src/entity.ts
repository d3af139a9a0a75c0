import { joinKey, KeyFormatError, parseKey, type KeySegments } from './key-segments';
import { indexNames, keyAttributes, PK, SK, type IndexName } from './table';

/** A key as segments: partition key and sort key. */
export interface KeyParts {
  readonly PK: KeySegments;
  readonly SK: KeySegments;
}

/** The table's primary key of one item, as stored. */
export interface TableKey {
  readonly PK: string;
  readonly SK: string;
}

/** GSI key attributes of one item (absent for indexes the item is not in). */
export type IndexKeys = Partial<Record<(typeof keyAttributes)[IndexName]['partitionKey' | 'sortKey'], string>>;

export interface EntityDefinition<Name extends string, KeyInput, ItemInput> {
  /** Stored in the `type` attribute; PascalCase by convention (`Customer`). */
  readonly name: Name;
  /** The primary key from the identifying fields. */
  readonly key: (input: KeyInput) => KeyParts;
  /**
   * GSI keys from the whole item; return `undefined` to keep an item out of an index
   * (a sparse index: e.g. only delinquent customers in GSI2).
   */
  readonly indexes?: { readonly [Index in IndexName]?: (input: ItemInput) => KeyParts | undefined };
}

/** An entity's typed key builders. */
export interface Entity<Name extends string = string, KeyInput = never, ItemInput = never> {
  readonly name: Name;
  /** GSIs this entity may be written to. */
  readonly indexNames: readonly IndexName[];
  /** `{ PK, SK }` for GetItem/UpdateItem/DeleteItem. */
  key(input: KeyInput): TableKey;
  /** The GSI key attributes (`GSI1PK`, `GSI1SK`…) of an item. */
  indexKeys(input: ItemInput): IndexKeys;
  /** All key attributes of an item: table key plus GSI keys. */
  keys(input: KeyInput & ItemInput): TableKey & IndexKeys;
  /** Splits a stored key back into segments. */
  parseKey(key: TableKey): KeyParts;
}

// DynamoDB limits on key attribute values (UTF-8 bytes).
const partitionKeyMaxBytes = 2048;
const sortKeyMaxBytes = 1024;
const encoder = new TextEncoder();

function encodeKey(entity: string, attribute: string, segments: KeySegments, maxBytes: number): string {
  let value: string;
  try {
    value = joinKey(segments);
  } catch (error) {
    throw new KeyFormatError(`${entity}.${attribute}: ${(error as Error).message}`);
  }
  const bytes = encoder.encode(value).length;
  if (bytes > maxBytes) {
    throw new KeyFormatError(`${entity}.${attribute} is ${bytes} bytes; DynamoDB allows at most ${maxBytes}`);
  }
  return value;
}

/**
 * Declares an entity of the single table with typed key builders. Segments are joined with
 * `#` and escaped, so ids can contain any character without colliding with other keys.
 *
 * @example
 * ```ts
 * const Customer = defineEntity({
 *   name: 'Customer',
 *   key: ({ customerId }: { customerId: string }) => ({ PK: ['CUSTOMER', customerId], SK: ['PROFILE'] }),
 *   indexes: {
 *     GSI1: ({ email }: { email: string }) => ({ PK: ['EMAIL', email.toLowerCase()], SK: ['CUSTOMER'] }),
 *   },
 * });
 * Customer.key({ customerId: '42' }); // { PK: 'CUSTOMER#42', SK: 'PROFILE' }
 * Customer.indexKeys({ email: 'A@x.io' }); // { GSI1PK: 'EMAIL#a@x.io', GSI1SK: 'CUSTOMER' }
 * ```
 */
export function defineEntity<const Name extends string, KeyInput, ItemInput = KeyInput>(
  definition: EntityDefinition<Name, KeyInput, ItemInput>,
): Entity<Name, KeyInput, ItemInput> {
  const { name } = definition;
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
    throw new KeyFormatError(`Entity name ${JSON.stringify(name)} must be alphanumeric and start with a letter`);
  }
  const indexBuilders = definition.indexes ?? {};
  const usedIndexes = indexNames.filter((index) => indexBuilders[index] !== undefined);

  const key = (input: KeyInput): TableKey => {
    const parts = definition.key(input);
    return {
      PK: encodeKey(name, PK, parts.PK, partitionKeyMaxBytes),
      SK: encodeKey(name, SK, parts.SK, sortKeyMaxBytes),
    };
  };

  const indexKeys = (input: ItemInput): IndexKeys => {
    const result: Record<string, string> = {};
    for (const index of usedIndexes) {
      const parts = indexBuilders[index]?.(input);
      if (parts === undefined) continue;
      const attributes = keyAttributes[index];
      result[attributes.partitionKey] = encodeKey(name, attributes.partitionKey, parts.PK, partitionKeyMaxBytes);
      result[attributes.sortKey] = encodeKey(name, attributes.sortKey, parts.SK, sortKeyMaxBytes);
    }
    return result;
  };

  return Object.freeze({
    name,
    indexNames: usedIndexes,
    key,
    indexKeys,
    keys: (input: KeyInput & ItemInput) => ({ ...key(input), ...indexKeys(input) }),
    parseKey: (stored: TableKey) => ({ PK: parseKey(stored.PK), SK: parseKey(stored.SK) }),
  });
}
