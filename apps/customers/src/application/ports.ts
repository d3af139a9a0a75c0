import type { EventOrigin, Page, PageRequest } from '@kestrel/http-api';
import type { Customer } from '../domain/customer';
import type { DomainEvent } from '../domain/events';

/** Where a change came from (copied into its events' metadata), and pages of query results. */
export type { EventOrigin, Page, PageRequest };

/**
 * The customers store as the command use cases need it (implemented by `CustomerRepository`):
 * one customer by id, and writes; the searches are {@link CustomerQueries}'.
 * `create` fails with table-keys' `AlreadyExistsError`, `save` with `StaleVersionError`
 * or `ItemNotFoundError` when its condition does not hold.
 */
export interface Customers extends Pick<CustomerQueries, 'get'> {
  create(change: { customer: Customer; events: readonly DomainEvent[] }, origin: EventOrigin): Promise<void>;
  save(change: { customer: Customer; events: readonly DomainEvent[] }, expectedVersion: number, origin: EventOrigin, operation?: string): Promise<void>;
}

/** The reads of {@link Customers}: all the query use cases need (implemented by `CustomerReader`). */
export interface CustomerQueries {
  get(customerId: string): Promise<Customer | undefined>;
  findByName(name: string, page: PageRequest): Promise<Page<Customer>>;
  listPreferred(page: PageRequest): Promise<Page<Customer>>;
}

/** What the query use cases run with: reads only. */
export interface QueryServices {
  readonly customers: CustomerQueries;
}

/** What every use case runs with. */
export interface Services {
  readonly customers: Customers;
  /** The current time (injected so tests and replays control it). */
  readonly clock: () => Date;
}
