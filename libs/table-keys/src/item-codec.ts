import '@kestrel/contracts/zod-english';
import * as z from 'zod/mini';
import type { Item } from './capacity';
import type { Entity, IndexKeys, TableKey } from './entity';
import { reservedAttributes, TTL, TYPE, VERSION } from './table';

/** One problem with one attribute of an item. */
export interface AttributeIssue {
  /** Dotted attribute path, e.g. `email` or `address.postcode`; `(item)` for the whole item. */
  readonly attribute: string;
  readonly message: string;
}

/** An item read from (or about to be written to) the table does not match the entity's schema. */
export class ItemValidationError extends Error {
  constructor(
    readonly entity: string,
    readonly issues: readonly AttributeIssue[],
    readonly key?: Partial<TableKey>,
  ) {
    const where = key?.PK !== undefined ? ` (PK=${key.PK}, SK=${key.SK})` : '';
    super(`Invalid ${entity} item${where}: ${issues.map((issue) => `${issue.attribute}: ${issue.message}`).join('; ')}`);
    this.name = 'ItemValidationError';
  }
}

/** Options for {@link ItemCodec.toItem}. */
export interface ToItemOptions {
  /** Epoch seconds after which DynamoDB's TTL may delete the item (see `ttlAfter`). */
  readonly ttl?: number;
}

/** Converts between an entity's domain objects and stored items. */
export interface ItemCodec<Domain extends Record<string, unknown>> {
  readonly entity: string;
  /** Validates the domain object and adds `PK`, `SK`, GSI keys, `type` (and `ttl` if given). */
  toItem(value: Domain, options?: ToItemOptions): Item & TableKey & IndexKeys;
  /** Validates a stored item (checking `type`) and returns the domain object without the library's attributes. */
  fromItem(item: Item): Domain;
}

function issuesFrom(error: z.core.$ZodError): AttributeIssue[] {
  return error.issues.map((issue) => ({
    attribute: issue.path.length > 0 ? issue.path.map(String).join('.') : '(item)',
    message: issue.message,
  }));
}

/**
 * Binds an entity to the zod schema of its domain object. The table is schemaless, so the
 * schema lives here and is enforced on every read (and write): a bad item fails with the
 * attribute named instead of leaking into domain code. The schema describes the stored
 * shape, so keep it free of transforms (ISO strings for dates).
 *
 * @example
 * ```ts
 * const customers = defineItemCodec(Customer, z.object({ customerId: z.string(), email: z.email() }));
 * const item = customers.toItem({ customerId: '42', email: 'a@x.io' });
 * // { PK: 'CUSTOMER#42', SK: 'PROFILE', GSI1PK: 'EMAIL#a@x.io', GSI1SK: 'CUSTOMER', type: 'Customer', customerId: '42', email: 'a@x.io' }
 * customers.fromItem(item); // { customerId: '42', email: 'a@x.io' }
 * ```
 */
export function defineItemCodec<Domain extends Record<string, unknown>>(
  entity: Entity<string, NoInfer<Domain>, NoInfer<Domain>>,
  schema: z.core.$ZodType<Domain>,
): ItemCodec<Domain> {
  const parse = (value: unknown, key?: Partial<TableKey>): Domain => {
    const result = z.safeParse(schema, value);
    if (!result.success) {
      throw new ItemValidationError(entity.name, issuesFrom(result.error), key);
    }
    return result.data;
  };

  return Object.freeze({
    entity: entity.name,
    toItem(value: Domain, options: ToItemOptions = {}) {
      const domain = parse(value);
      const clashes = Object.keys(domain).filter((name) => reservedAttributes.includes(name));
      if (clashes.length > 0) {
        throw new ItemValidationError(
          entity.name,
          clashes.map((attribute) => ({ attribute, message: 'is reserved for keys and metadata; rename the domain field' })),
        );
      }
      if (options.ttl !== undefined && !(Number.isSafeInteger(options.ttl) && options.ttl > 0)) {
        throw new ItemValidationError(entity.name, [{ attribute: TTL, message: 'must be a positive integer of epoch seconds' }]);
      }
      return {
        ...domain,
        ...entity.keys(domain),
        [TYPE]: entity.name,
        ...(options.ttl !== undefined ? { [TTL]: options.ttl } : {}),
      };
    },
    fromItem(item: Item) {
      const key = { PK: item.PK as string | undefined, SK: item.SK as string | undefined };
      if (item[TYPE] !== entity.name) {
        throw new ItemValidationError(
          entity.name,
          [{ attribute: TYPE, message: `expected ${JSON.stringify(entity.name)}, got ${JSON.stringify(item[TYPE])}` }],
          key,
        );
      }
      const domainAttributes = Object.fromEntries(Object.entries(item).filter(([name]) => !reservedAttributes.includes(name)));
      return parse(domainAttributes, key);
    },
  });
}

/**
 * The optimistic-locking version of a stored item (plain or attribute-value form, as found in
 * `ConditionalCheckFailedException.Item`), or `undefined` if it has none.
 *
 * @example
 * ```ts
 * itemVersion({ PK: 'A', SK: 'B', version: 3 }); // 3
 * ```
 */
export function itemVersion(item: Item | undefined): number | undefined {
  const value = item?.[VERSION];
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { N?: unknown }).N === 'string') {
    return Number((value as { N: string }).N);
  }
  return undefined;
}
