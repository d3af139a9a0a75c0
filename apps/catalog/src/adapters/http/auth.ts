import { isStaff } from '../../domain/store';
import { HttpProblem } from './problem';
import type { HttpEvent } from './request';

/**
 * The groups in a `cognito:groups` claim. API Gateway's JWT authorizer hands claims over as
 * strings, rendering an array as `[staff admins]`; real arrays and JSON text are understood too.
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
      // API Gateway's "[a b]" form.
    }
    return text.slice(1, -1).split(/[\s,]+/).filter((group) => group !== '');
  }
  return text.split(/[\s,]+/).filter((group) => group !== '');
}

/** Any signed-in user (the authorizer verified a token). @throws HttpProblem 401 */
export function requireSignedIn(event: HttpEvent): { userId: string; groups: string[] } {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  if (claims === undefined || claims === null || typeof claims.sub !== 'string') {
    throw new HttpProblem(401, 'unauthenticated', 'Authentication required', 'The request carries no verified token.');
  }
  return { userId: claims.sub, groups: claimGroups(claims['cognito:groups']) };
}

/** A member of the staff group. @throws HttpProblem 401 / 403 */
export function requireStaff(event: HttpEvent): { userId: string } {
  const user = requireSignedIn(event);
  if (!isStaff(user.groups)) throw new HttpProblem(403, 'forbidden', 'Not allowed', 'Only staff may change the catalog.');
  return user;
}
