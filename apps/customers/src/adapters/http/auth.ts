import { callerOf, CUSTOMER_ID_CLAIM, HttpProblem, type HttpEvent } from '@kestrel/http-api';
import type { Actor } from '../../domain/authorization';

/** The Cognito group whose members act on any customer. */
export const STAFF_GROUP = 'staff';

/**
 * Who is calling, from the JWT claims the authorizer verified: staff (member of the `staff`
 * group) act on anyone; anyone else is a customer identified by their `customerId` claim.
 *
 * @throws HttpProblem 401 without verified claims, 403 when a non-staff token carries no customer id.
 */
export function actorFrom(event: HttpEvent): Actor {
  const caller = callerOf(event);
  if (caller.groups.includes(STAFF_GROUP)) return { kind: 'staff', userId: caller.userId ?? 'unknown' };
  if (caller.customerId === undefined) {
    throw new HttpProblem(403, 'forbidden', 'Not allowed', `The token carries no ${CUSTOMER_ID_CLAIM} claim.`);
  }
  return { kind: 'customer', customerId: caller.customerId };
}
