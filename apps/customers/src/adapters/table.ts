// The customers table: one DynamoDB table (the standard single-table layout of
// @kestrel/table-keys) holding three kinds of item. Keys come from entity definitions, never from
// string concatenation; every read the service does is declared below as an access pattern and
// served by one GetItem or one Query.
//
// | item          | PK                          | SK        | GSI1 (name search)                               | GSI2 (sparse: preferred)                 |
// | Customer      | CUSTOMER#<customerId>       | PROFILE   | CUSTOMER_NAME#<family> / <given>#<customerId>     | PREFERRED_CUSTOMERS / <since>#<customerId> |
// | OutboxEvent   | OUTBOX#<eventId>            | EVENT     | -                                                | -                                        |
// (the outbox item is the shared one of @kestrel/table-keys: `outboxItem`, expiring by TTL after a week)
import { defineAccessPattern, defineEntity, defineItemCodec, joinKey } from '@kestrel/table-keys';
import { pure } from '@kestrel/contracts';
import { storedCustomerSchema, type StoredCustomer } from '../domain/customer';
import { nameSearchKey, nameSortKey } from '../domain/name-search';

export const NAME_INDEX = 'GSI1';
export const PREFERRED_INDEX = 'GSI2';

/** The customer profile: one item per customer, in the name index when it has a family name, in the preferred index while preferred. */
export const CustomerEntity = /* @__PURE__ */ pure(() =>
  defineEntity<'Customer', Pick<StoredCustomer, 'customerId'>, StoredCustomer>({
    name: 'Customer',
    key: ({ customerId }) => ({ PK: ['CUSTOMER', customerId], SK: ['PROFILE'] }),
    indexes: {
      [NAME_INDEX]: (customer: StoredCustomer) => {
        const family = nameSearchKey(customer);
        return family === undefined ? undefined : { PK: ['CUSTOMER_NAME', family], SK: [nameSortKey(customer), customer.customerId] };
      },
      // Sparse: only preferred customers carry GSI2 keys, so the index holds exactly them.
      [PREFERRED_INDEX]: (customer: StoredCustomer) =>
        customer.preferred && customer.preferredSince !== undefined
          ? { PK: ['PREFERRED_CUSTOMERS'], SK: [customer.preferredSince, customer.customerId] }
          : undefined,
    },
  }),
);
export const customerCodec = /* @__PURE__ */ pure(() => defineItemCodec(CustomerEntity, storedCustomerSchema));

/** Partition key of the name index for a normalised family name. */
export const nameIndexPartition = (family: string) => joinKey(['CUSTOMER_NAME', family]);
/** Partition key of the preferred index (one partition: preferred customers are few). */
export const PREFERRED_PARTITION = /* @__PURE__ */ pure(() => joinKey(['PREFERRED_CUSTOMERS']));

// A stored profile with names, phone and a postal address measures ~550 bytes (bench-results/capacity.json).
const PROFILE_BYTES = 550;
export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;

// `/* @__PURE__ */`: handlers never read these declarations (they document the service and its read
// costs), so each bundle drops them and table-keys' access-pattern schema (~5 KB);
// tests/unit/readme.test.ts still evaluates every one and checks the README's table.
/** Every read the service does, with its expected cost; rendered into the README. */
export const accessPatterns = [
  /* @__PURE__ */ defineAccessPattern({
    name: 'GetCustomer',
    entity: CustomerEntity,
    index: 'table',
    keyCondition: 'PK = CUSTOMER#<customerId> AND SK = PROFILE',
    operation: 'GetItem',
    expectedItemBytes: PROFILE_BYTES,
    consistency: 'strong',
    notes: 'also the read before every command; strongly consistent so an ETag is never older than the last write',
  }),
  /* @__PURE__ */ defineAccessPattern({
    name: 'GetCustomersWithName',
    entity: CustomerEntity,
    index: NAME_INDEX,
    keyCondition: 'GSI1PK = CUSTOMER_NAME#<normalised family name>',
    operation: 'Query',
    expectedItemBytes: PROFILE_BYTES,
    expectedItems: PAGE_SIZE_DEFAULT,
    notes: 'case- and accent-insensitive (NFKD, marks stripped, lower-case); ordered by normalised given name; one page',
  }),
  /* @__PURE__ */ defineAccessPattern({
    name: 'GetPreferredCustomers',
    entity: CustomerEntity,
    index: PREFERRED_INDEX,
    keyCondition: 'GSI2PK = PREFERRED_CUSTOMERS',
    operation: 'Query',
    expectedItemBytes: PROFILE_BYTES,
    expectedItems: PAGE_SIZE_DEFAULT,
    notes: 'sparse index: only preferred customers carry GSI2 keys; ordered by when they became preferred; one page',
  }),
];
