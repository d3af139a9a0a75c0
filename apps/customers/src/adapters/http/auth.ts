import type { Actor } from '../../domain/authorization';
import { HttpProblem } from './problem';
import type { HttpEvent } from './request';

/** The Cognito group whose members act on any customer. */
export const STAFF_GROUP = 'staff';
/** The claim identity puts in a customer's tokens: their own customer id (the user's `sub`). */
export const CUSTOMER_ID_CLAIM = 'customerId';

/**
 * The groups in a `cognito:groups` claim. API Gateway's JWT authorizer hands claims to the
 * function as strings, rendering an array as `[staff admins]`; tests and other authorizers pass
 * real arrays or JSON. All of them are understood.
 */
export function claimGroups(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((group): group is string => typeof group === 'string');
  if (typeof claim !== 'string') return [];
  const text = claim.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.filter((group): group is string => typeof group === 'string');
    } catch {
      // Not JSON: API Gateway's "[a b]" form.
    }
    return text.slice(1, -1).split(/[\s,]+/).filter((group) => group !== '');
  }
  return text.split(/[\s,]+/).filter((group) => group !== '');
}

/**
 * Who is calling, from the JWT claims the authorizer verified: staff (member of the `staff`
 * group) act on anyone; anyone else is a customer identified by their `customerId` claim.
 *
 * @throws HttpProblem 401 without verified claims, 403 when a non-staff token carries no customer id.
 */
export function actorFrom(event: HttpEvent): Actor {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  if (claims === undefined || claims === null) {
    throw new HttpProblem(401, 'unauthenticated', 'Authentication required', 'The request carries no verified token.');
  }
  const subject = typeof claims.sub === 'string' ? claims.sub : undefined;
  if (claimGroups(claims['cognito:groups']).includes(STAFF_GROUP)) return { kind: 'staff', userId: subject ?? 'unknown' };
  const customerId = claims[CUSTOMER_ID_CLAIM];
  if (typeof customerId !== 'string' || customerId === '') {
    throw new HttpProblem(403, 'forbidden', 'Not allowed', `The token carries no ${CUSTOMER_ID_CLAIM} claim.`);
  }
  return { kind: 'customer', customerId };
}
