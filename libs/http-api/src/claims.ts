import { HttpProblem } from './problem';
import type { HttpEvent } from './request';

/** The claim identity puts in a customer's tokens: their own customer id. */
export const CUSTOMER_ID_CLAIM = 'customerId';
/** The Cognito claim listing the user's groups. */
export const GROUPS_CLAIM = 'cognito:groups';

/**
 * The groups in a `cognito:groups` claim. API Gateway's JWT authorizer hands every claim to the
 * function as a string, rendering an array as `[staff admins]`; real arrays, JSON text and
 * comma-separated lists (other authorizers, tests) are understood too.
 *
 * @example
 * ```ts
 * claimGroups('[staff admins]'); // ['staff', 'admins']
 * claimGroups(undefined);        // []
 * ```
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

/** What a verified token says about the caller. */
export interface Caller {
  /** The user (`sub`), when the token names one. */
  readonly userId?: string;
  /** The `customerId` claim, when present and non-empty. */
  readonly customerId?: string;
  /** The user's Cognito groups. */
  readonly groups: readonly string[];
  /** Any other claim, as API Gateway passed it (a string), or undefined. */
  claim(name: string): string | undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The caller, from the claims the JWT authorizer verified (`requestContext.authorizer.jwt.claims`).
 *
 * @throws HttpProblem 401 `unauthenticated` when the request carries no verified claims.
 *
 * @example
 * ```ts
 * const caller = callerOf(event);
 * if (!caller.groups.includes('staff')) throw new HttpProblem(403, 'forbidden', 'Not allowed');
 * ```
 */
export function callerOf(event: HttpEvent): Caller {
  const claims: Readonly<Record<string, unknown>> | null | undefined = event.requestContext?.authorizer?.jwt?.claims;
  if (claims === undefined || claims === null) {
    throw new HttpProblem(401, 'unauthenticated', 'Authentication required', 'The request carries no verified token.');
  }
  const userId = nonEmptyString(claims.sub);
  const customerId = nonEmptyString(claims[CUSTOMER_ID_CLAIM]);
  return {
    ...(userId === undefined ? {} : { userId }),
    ...(customerId === undefined ? {} : { customerId }),
    groups: claimGroups(claims[GROUPS_CLAIM]),
    claim: (name) => {
      const value = claims[name];
      return typeof value === 'string' ? value : undefined;
    },
  };
}
