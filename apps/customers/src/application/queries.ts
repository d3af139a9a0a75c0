// Query use cases: authorise, then one GetItem or one Query. Nothing here writes.
import { authorize, type Actor, type QueryName } from '../domain/authorization';
import type { Customer } from '../domain/customer';
import { CustomerNotFoundError, ForbiddenError } from './errors';
import type { CustomerQueries, Page, PageRequest, QueryServices } from './ports';

function allow(actor: Actor, query: QueryName, customerId?: string): void {
  const verdict = authorize(actor, query, customerId);
  if (!verdict.allowed) throw new ForbiddenError(verdict.reason);
}

/** GetCustomer: the profile and its version (the ETag). Authorisation comes first, so a 404 never tells a stranger who exists. */
export async function getCustomer(services: { readonly customers: Pick<CustomerQueries, 'get'> }, actor: Actor, customerId: string): Promise<Customer> {
  allow(actor, 'GetCustomer', customerId);
  const customer = await services.customers.get(customerId);
  if (customer === undefined) throw new CustomerNotFoundError(customerId);
  return customer;
}

/** GetCustomersWithName: by family name, case- and accent-insensitive, one page at a time (staff). */
export async function getCustomersWithName(services: QueryServices, actor: Actor, name: string, page: PageRequest): Promise<Page<Customer>> {
  allow(actor, 'GetCustomersWithName');
  return services.customers.findByName(name, page);
}

/** GetPreferredCustomers: every preferred customer, one page at a time (staff). */
export async function getPreferredCustomers(services: QueryServices, actor: Actor, page: PageRequest): Promise<Page<Customer>> {
  allow(actor, 'GetPreferredCustomers');
  return services.customers.listPreferred(page);
}
