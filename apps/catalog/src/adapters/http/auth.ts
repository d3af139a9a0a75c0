import { callerOf, HttpProblem, type HttpEvent } from '@kestrel/http-api';
import { isStaff } from '../../domain/store';

/** Any signed-in user (the authorizer verified a token naming a user). @throws HttpProblem 401 */
export function requireSignedIn(event: HttpEvent): { userId: string; groups: readonly string[] } {
  const { userId, groups } = callerOf(event);
  if (userId === undefined) throw new HttpProblem(401, 'unauthenticated', 'Authentication required', 'The request carries no verified token.');
  return { userId, groups };
}

/** A member of the staff group. @throws HttpProblem 401 / 403 */
export function requireStaff(event: HttpEvent): { userId: string } {
  const user = requireSignedIn(event);
  if (!isStaff(user.groups)) throw new HttpProblem(403, 'forbidden', 'Not allowed', 'Only staff may change the catalog.');
  return user;
}
