/**
 * The claims other services' authorizers read: `customerId` (the user's sub,
 * which the customers context uses as the customer id) and `roles` (from the
 * user's Cognito groups). Both go into the ID and the access token.
 */
export const ROLE_OF_GROUP: Readonly<Record<string, string>> = Object.freeze({ customers: 'customer', staff: 'staff' });
export type Role = 'customer' | 'staff';

export interface KestrelClaims {
  customerId: string;
  roles: string[];
}

/**
 * Roles for a user's groups: known groups only, sorted, each once; groups
 * created by hand in the console give no role.
 *
 * @example
 * rolesOf(['staff', 'customers', 'beta-testers']); // ['customer', 'staff']
 */
export function rolesOf(groups: readonly string[]): string[] {
  const roles = new Set<string>();
  for (const group of groups) {
    const role = ROLE_OF_GROUP[group];
    if (role !== undefined) roles.add(role);
  }
  return [...roles].sort();
}

/** @example kestrelClaims(sub, ['customers']); // { customerId: sub, roles: ['customer'] } */
export function kestrelClaims(sub: string, groups: readonly string[]): KestrelClaims {
  return { customerId: sub, roles: rolesOf(groups) };
}
