/**
 * THE MANIFEST of the customers context: open this first.
 *
 * Customer profiles, CQRS style (design article 000): commands and queries are separate
 * functions with separate roles, so reads and writes scale and are secured independently, while
 * the model stays one model on one table. One function per route: each command's bundle holds
 * only its own code, its concurrency, errors and latency are visible on their own, and the list
 * below reads as the service's route table. Query functions may only read; command functions
 * write this service's table and nothing else. Events leave through the table's outbox (written
 * in the same transaction as the change), never by a direct PutEvents.
 */
import {
  CustomerCreatedV1,
  CustomerDelinquencyChangedV1,
  CustomerDetailsEditedV1,
  CustomerLocaleChangedV1,
  CustomerPreferredStatusChangedV1,
  UserRegisteredV1,
} from '@kestrel/contracts';
import { defineService, type TableAccess } from '@kestrel/service-manifest';

const writeCustomers: TableAccess[] = [{ table: 'customers', mode: 'write' }];
const readCustomers: TableAccess[] = [{ table: 'customers', mode: 'read' }];

/**
 * Fields of `detail.data` each subscription's handler reads (registerCustomer → fromRegistration (src/domain/registration.ts)). The contract
 * compatibility gate says per consumer whether a change touches one of them, and lets an optional
 * field nobody reads be removed. Keep it in step with the handler; a field missing here is one
 * the gate may let a producer remove.
 */
export const fieldsRead = { 'user-registered': ['userId', 'email', 'givenName', 'familyName', 'phoneNumber', 'locale'] } satisfies Record<string, readonly string[]>;

export default defineService({
  name: 'customers',
  description: 'Customer profiles: task-based commands and paginated queries on one DynamoDB table, events through a transactional outbox.',
  owner: { team: 'customer-experience' },
  functions: {
    // Commands: each writes the profile and its event in one TransactWriteItems.
    'http-create-customer': {
      description: 'CreateCustomer: creates a profile for the caller (or, for staff, for any user id) unless one exists.',
      handler: 'src/handlers/http-create-customer.ts',
      triggers: [{ kind: 'http', method: 'POST', path: '/customers', auth: 'jwt' }],
      access: { tables: writeCustomers },
    },
    'http-change-customer': {
      description:
        'A change request of independent parts (EditCustomerDetails, ChangeCustomerLocale, MakeCustomerPreferred): applies the valid parts and reports the rejected ones.',
      handler: 'src/handlers/http-change-customer.ts',
      triggers: [{ kind: 'http', method: 'PATCH', path: '/customers/{customerId}', auth: 'jwt' }],
      access: { tables: writeCustomers },
    },
    'http-change-customer-locale': {
      description: 'ChangeCustomerLocale: sets the locale for messages and documents.',
      handler: 'src/handlers/http-change-customer-locale.ts',
      triggers: [{ kind: 'http', method: 'PUT', path: '/customers/{customerId}/locale', auth: 'jwt' }],
      access: { tables: writeCustomers },
    },
    'http-make-customer-preferred': {
      description: 'MakeCustomerPreferred (staff): refused while the customer is delinquent.',
      handler: 'src/handlers/http-make-customer-preferred.ts',
      triggers: [{ kind: 'http', method: 'PUT', path: '/customers/{customerId}/preferred', auth: 'jwt' }],
      access: { tables: writeCustomers },
    },
    'http-revoke-preferred-status': {
      description: 'RevokePreferredStatus (staff): the customer is no longer preferred.',
      handler: 'src/handlers/http-revoke-preferred-status.ts',
      triggers: [{ kind: 'http', method: 'DELETE', path: '/customers/{customerId}/preferred', auth: 'jwt' }],
      access: { tables: writeCustomers },
    },
    'http-mark-customer-delinquent': {
      description: 'MarkCustomerDelinquent (staff): records that the customer does not pay their bills, with the reason.',
      handler: 'src/handlers/http-mark-customer-delinquent.ts',
      triggers: [{ kind: 'http', method: 'PUT', path: '/customers/{customerId}/delinquency', auth: 'jwt' }],
      access: { tables: writeCustomers },
    },
    'http-clear-customer-delinquency': {
      description: 'ClearDelinquency (staff): the customer is in good standing again.',
      handler: 'src/handlers/http-clear-customer-delinquency.ts',
      triggers: [{ kind: 'http', method: 'DELETE', path: '/customers/{customerId}/delinquency', auth: 'jwt' }],
      access: { tables: writeCustomers },
    },
    // Queries: GetItem and Query only, on the table and its indexes.
    'http-get-customer': {
      description: 'GetCustomer: one profile by id, with its ETag (the version) for conditional commands.',
      handler: 'src/handlers/http-get-customer.ts',
      triggers: [{ kind: 'http', method: 'GET', path: '/customers/{customerId}', auth: 'jwt' }],
      access: { tables: readCustomers },
    },
    'http-find-customers': {
      description:
        'GetCustomersWithName (?name=, case- and accent-insensitive) and GetPreferredCustomers (?preferred=true), paginated with an opaque cursor (staff).',
      handler: 'src/handlers/http-find-customers.ts',
      triggers: [{ kind: 'http', method: 'GET', path: '/customers', auth: 'jwt' }],
      access: { tables: readCustomers },
    },
    // Subscription.
    'on-user-registered': {
      description: 'CreateCustomer for a newly registered user, once per user however often the event is delivered.',
      handler: 'src/handlers/on-user-registered.ts',
      triggers: [{ kind: 'event', subscription: 'user-registered' }],
      access: { tables: writeCustomers },
    },
  },
  tables: {
    customers: {
      description:
        'Single table: customer profiles (GSI1: family-name search; GSI2: sparse, preferred customers only), outbox items and subscription idempotency records (both expire by TTL).',
      globalIndexes: ['GSI1', 'GSI2'],
      stream: true,
      ttl: true,
    },
  },
  publishes: [
    { event: CustomerCreatedV1, via: 'outbox', table: 'customers' },
    { event: CustomerDetailsEditedV1, via: 'outbox', table: 'customers' },
    { event: CustomerLocaleChangedV1, via: 'outbox', table: 'customers' },
    { event: CustomerPreferredStatusChangedV1, via: 'outbox', table: 'customers' },
    { event: CustomerDelinquencyChangedV1, via: 'outbox', table: 'customers' },
  ],
  consumes: [
    {
      name: 'user-registered',
      description: 'A person confirmed their sign-up in identity: their customer profile is created from it.',
      events: [UserRegisteredV1],
      target: 'on-user-registered',
      // Creation is idempotent, so retrying is always safe; an hour covers a throttled or
      // briefly unavailable table, after which the event waits in the DLQ for a replay.
      retry: { maximumRetryAttempts: 8, maximumEventAgeSeconds: 3600 },
    },
  ],
});
