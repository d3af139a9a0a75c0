// Who may do what. A signed-in customer acts on their own profile only (the `customerId` claim
// identity puts in their tokens); staff act on any profile; standing (preferred, delinquent) and
// searches across customers are staff business only.
import type { CommandName } from './commands';

export type Actor =
  | { readonly kind: 'staff'; readonly userId: string }
  | { readonly kind: 'customer'; readonly customerId: string }
  /** A subscription acting on behalf of another context's fact (e.g. identity's UserRegistered). */
  | { readonly kind: 'system'; readonly name: string };

export type QueryName = 'GetCustomer' | 'GetCustomersWithName' | 'GetPreferredCustomers';
export type Operation = CommandName | QueryName;

const staffOnly: ReadonlySet<Operation> = new Set<Operation>([
  'MakeCustomerPreferred',
  'RevokePreferredStatus',
  'MarkCustomerDelinquent',
  'ClearDelinquency',
  'GetCustomersWithName',
  'GetPreferredCustomers',
]);

export type AuthorizationResult = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/**
 * Whether `actor` may perform `operation` on the customer `customerId` (omitted for searches).
 *
 * @example
 * ```ts
 * authorize({ kind: 'customer', customerId: 'a' }, 'ChangeCustomerLocale', 'a'); // { allowed: true }
 * authorize({ kind: 'customer', customerId: 'a' }, 'ChangeCustomerLocale', 'b'); // { allowed: false, reason: … }
 * authorize({ kind: 'customer', customerId: 'a' }, 'MakeCustomerPreferred', 'a'); // { allowed: false, reason: … }
 * ```
 */
export function authorize(actor: Actor, operation: Operation, customerId?: string): AuthorizationResult {
  if (actor.kind === 'staff' || actor.kind === 'system') return { allowed: true };
  if (staffOnly.has(operation)) return { allowed: false, reason: `${operation} is for staff only` };
  if (customerId === undefined || customerId !== actor.customerId) {
    return { allowed: false, reason: 'a customer may act on their own profile only' };
  }
  return { allowed: true };
}
