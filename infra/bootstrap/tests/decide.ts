import { compilePolicy, evaluate } from '@kestrel/iam';
import type { Decision as IamDecision } from '@kestrel/iam';

/**
 * The escalation cases and policy assertions, decided by `@kestrel/iam`: the
 * evaluator the local cloud uses for every call made with credentials it
 * issued, so one engine judges local calls and these synthesized policies.
 */

/** A policy as the bootstrap stack synthesizes it (`aws_iam_role_policy`, `aws_iam_policy`). */
export interface Policy {
  Version?: string;
  Statement: readonly unknown[];
}

/** One API call as IAM sees it: action, resource ARN, and the request context's condition keys. */
export interface Request {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

const OUTCOMES: Record<IamDecision['outcome'], Decision> = { Allow: 'allow', ExplicitDeny: 'explicit-deny', ImplicitDeny: 'implicit-deny' };

/**
 * The decision for one request made by a session of a role in `account`, with
 * the role's identity policy and, when it has one, its permissions boundary.
 *
 * @example
 * ```ts
 * decide({ account, policy: deployPolicy(ctx) }, { action: 'iam:CreateRole', resource: arn, context: { 'iam:PermissionsBoundary': boundary } });
 * ```
 */
export function decide({ account, policy, boundary }: { account: string; policy: Policy; boundary?: Policy }, request: Request): Decision {
  const decision = evaluate(
    {
      principal: { kind: 'role-session', accountId: account, roleArn: `arn:aws:iam::${account}:role/kestrel-pipeline/caller`, sessionName: 'escalation-case' },
      action: request.action,
      resource: request.resource,
      keys: request.context,
    },
    {
      identity: [compilePolicy(policy, 'identity policy', 'identity')],
      boundary: boundary === undefined ? undefined : compilePolicy(boundary, 'permissions boundary', 'identity'),
    },
  );
  return OUTCOMES[decision.outcome];
}
