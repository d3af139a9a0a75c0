import { arnMatches } from './arn';
import { compileCondition } from './conditions';
import type { ConditionTest } from './conditions';
import { contextKeys, principalAccount, principalArn, resourceAccountOf } from './context';
import type { ContextValue, Principal, RequestContext } from './context';
import { parsePolicy, PolicyError, statementLabel } from './policy';
import type { PolicyDocument, PolicyKind, PrincipalBlock, Statement } from './policy';
import { hasVariables, resolveVariables } from './variables';
import { globMatches } from './wildcard';

/**
 * AWS's policy evaluation logic for one account or two:
 *
 * 1. An explicit `Deny` in any applicable policy (identity, resource, permissions
 *    boundary, session) decides: denied.
 * 2. A service principal (events.amazonaws.com delivering to a queue) is judged by
 *    the resource's policy alone.
 * 3. Same account: an `Allow` in the identity policies *or* in the resource policy
 *    allows, provided the permissions boundary and session policy (when present)
 *    allow too. A resource policy that names the *session* (or user) ARN itself is
 *    not limited by the boundary or session policy; one that names the role ARN is.
 *    A resource policy naming only the account delegates to identity policies.
 * 4. Cross account: the identity side (identity ∩ boundary ∩ session) *and* the
 *    resource policy must both allow.
 * 5. Anything else is an implicit deny.
 */

/** How a resource policy statement's principal matched the caller. */
type PrincipalMatch = 'none' | 'exact-session' | 'role' | 'account' | 'everyone' | 'service';

export interface CompiledStatement {
  policy: string;
  statement: Statement;
  label: string;
  effect: 'Allow' | 'Deny';
  matchesAction(action: string): boolean;
  matchesResource(resource: string, keys: ReadonlyMap<string, ContextValue>): boolean;
  /** Only for resource-based statements; identity statements have no principal. */
  matchPrincipal(principal: Principal): PrincipalMatch;
  conditionsHold(keys: ReadonlyMap<string, ContextValue>): boolean;
  conditions: readonly ConditionTest[];
}

export interface CompiledPolicy {
  name: string;
  kind: PolicyKind;
  document: PolicyDocument;
  statements: readonly CompiledStatement[];
}

function actionMatcher(patterns: readonly string[]): (action: string) => boolean {
  return (action) => patterns.some((pattern) => globMatches(pattern, action, true));
}

function resourceMatcher(patterns: readonly string[], variablesEnabled: boolean): CompiledStatement['matchesResource'] {
  return (resource, keys) =>
    patterns.some((pattern) => {
      if (variablesEnabled && hasVariables(pattern)) {
        const resolved = resolveVariables(pattern, keys);
        return resolved !== undefined && arnMatches(resolved, resource);
      }
      return arnMatches(pattern, resource);
    });
}

const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_ROOT = /^arn:aws[\w-]*:iam::(\d{12}):root$/;

/** How the caller matches one `Principal` block (`none` when it does not). */
function principalMatch(block: PrincipalBlock, principal: Principal): PrincipalMatch {
  if (block === '*') return 'everyone';
  let best: PrincipalMatch = 'none';
  const rank: Record<PrincipalMatch, number> = { none: 0, account: 1, role: 2, everyone: 2, service: 3, 'exact-session': 3 };
  const consider = (match: PrincipalMatch): void => {
    if (rank[match] > rank[best]) best = match;
  };
  for (const identifier of block.AWS ?? []) {
    if (identifier === '*') consider('everyone');
    if (principal.kind === 'service') continue;
    const account = ACCOUNT_ID.test(identifier) ? identifier : ACCOUNT_ROOT.exec(identifier)?.[1];
    if (account !== undefined) {
      if (account === principal.accountId) consider('account');
      continue;
    }
    if (principal.kind === 'role-session') {
      if (identifier === principal.roleArn) consider('role');
      else if (identifier === principalArn(principal)) consider('exact-session');
    } else if (identifier === principal.userArn) {
      consider('exact-session');
    }
  }
  for (const identifier of block.Service ?? []) {
    if (principal.kind === 'service' && identifier.toLowerCase() === principal.service.toLowerCase()) consider('service');
  }
  return best;
}

function compileStatement(policy: string, statement: Statement, variablesEnabled: boolean): CompiledStatement {
  const conditions = Object.entries(statement.Condition ?? {}).flatMap(([operator, entries]) =>
    Object.entries(entries).map(([key, values]) => compileCondition(operator, key, values)),
  );
  const action = statement.Action ? actionMatcher(statement.Action) : undefined;
  const notAction = statement.NotAction ? actionMatcher(statement.NotAction) : undefined;
  const resource = statement.Resource ? resourceMatcher(statement.Resource, variablesEnabled) : undefined;
  const notResource = statement.NotResource ? resourceMatcher(statement.NotResource, variablesEnabled) : undefined;
  return {
    policy,
    statement,
    label: statementLabel(statement),
    effect: statement.Effect,
    conditions,
    matchesAction: (name) => (action ? action(name) : !notAction?.(name)),
    // A resource policy may leave Resource out (trust policies do): it then covers its own resource.
    matchesResource: (name, keys) => (resource ? resource(name, keys) : notResource ? !notResource(name, keys) : true),
    matchPrincipal(principal) {
      if (statement.Principal) return principalMatch(statement.Principal, principal);
      if (statement.NotPrincipal) return principalMatch(statement.NotPrincipal, principal) === 'none' ? 'everyone' : 'none';
      return 'none';
    },
    conditionsHold: (keys) => conditions.every((condition) => condition.test(keys, variablesEnabled)),
  };
}

/**
 * Parses and compiles a policy once; evaluation then only runs the matchers.
 * Malformed policies throw `PolicyError` naming the policy, statement and field,
 * as do unknown condition operators.
 */
export function compilePolicy(source: string | unknown, name: string, kind: PolicyKind = 'any'): CompiledPolicy {
  const document = parsePolicy(source, name, kind);
  const variablesEnabled = document.Version === '2012-10-17';
  const problems: string[] = [];
  const statements = document.Statement.flatMap((statement) => {
    try {
      return [compileStatement(name, statement, variablesEnabled)];
    } catch (error) {
      problems.push(`${statementLabel(statement)}.Condition: ${(error as Error).message}`);
      return [];
    }
  });
  if (problems.length > 0) throw new PolicyError(name, problems);
  return { name, kind, document, statements };
}

/** The policies that apply to one request. */
export interface ApplicablePolicies {
  /** Identity-based policies of the principal (inline and attached). */
  identity?: readonly CompiledPolicy[];
  /** The resource's own policy (queue, bus, key, function permissions, trust policy…). */
  resource?: CompiledPolicy;
  /** The principal's permissions boundary, when it has one. */
  boundary?: CompiledPolicy;
  /** Session policies passed to AssumeRole, when any. */
  session?: readonly CompiledPolicy[];
}

export interface StatementReference {
  policy: string;
  statement: string;
}

export type Outcome = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface Decision {
  outcome: Outcome;
  allowed: boolean;
  /** The statements that decided: the matching Deny, or the Allows relied on. */
  decidingStatements: StatementReference[];
  /** One sentence, for logs and AccessDenied messages. */
  reason: string;
}

function applies(statement: CompiledStatement, request: RequestContext, keys: ReadonlyMap<string, ContextValue>): boolean {
  return statement.matchesAction(request.action) && statement.matchesResource(request.resource, keys) && statement.conditionsHold(keys);
}

const reference = (statement: CompiledStatement): StatementReference => ({ policy: statement.policy, statement: statement.label });

function allowsIn(policies: readonly CompiledPolicy[], request: RequestContext, keys: ReadonlyMap<string, ContextValue>): CompiledStatement | undefined {
  for (const policy of policies) {
    for (const statement of policy.statements) {
      if (statement.effect === 'Allow' && applies(statement, request, keys)) return statement;
    }
  }
  return undefined;
}

/** Decides one request. Pure: same inputs, same decision; statement order never matters. */
export function evaluate(request: RequestContext, policies: ApplicablePolicies): Decision {
  const keys = contextKeys(request);
  const identity = policies.identity ?? [];
  const session = policies.session ?? [];
  const resource = policies.resource;
  const principal = request.principal;

  // Resource statements only apply when their principal matches the caller.
  const resourceStatements = (resource?.statements ?? []).flatMap((statement) => {
    const match = statement.matchPrincipal(principal);
    return match === 'none' ? [] : [{ statement, match }];
  });

  // 1. Explicit deny anywhere.
  const everyIdentitySide = principal.kind === 'service' ? [] : [...identity, ...(policies.boundary ? [policies.boundary] : []), ...session];
  for (const statement of [...everyIdentitySide.flatMap((policy) => policy.statements), ...resourceStatements.map((entry) => entry.statement)]) {
    if (statement.effect === 'Deny' && applies(statement, request, keys)) {
      return {
        outcome: 'ExplicitDeny',
        allowed: false,
        decidingStatements: [reference(statement)],
        reason: `explicit deny in ${statement.policy} (${statement.label})`,
      };
    }
  }

  const resourceAllow = resourceStatements.find((entry) => entry.statement.effect === 'Allow' && applies(entry.statement, request, keys));
  const subject = principal.kind === 'service' ? principal.service : principalArn(principal);

  // 2. Service principals: the resource policy alone.
  if (principal.kind === 'service') {
    if (resourceAllow) return allow([resourceAllow.statement], `allowed by ${resourceAllow.statement.policy} (${resourceAllow.statement.label})`);
    return implicitDeny(resource ? `no statement in ${resource.name} allows ${subject}` : `the resource has no policy that allows ${subject}`);
  }

  const identityAllow = allowsIn(identity, request, keys);
  const boundaryAllow = policies.boundary ? allowsIn([policies.boundary], request, keys) : undefined;
  const boundaryOk = !policies.boundary || boundaryAllow !== undefined;
  const sessionOk = session.length === 0 || allowsIn(session, request, keys) !== undefined;
  const identitySideOk = identityAllow !== undefined && boundaryOk && sessionOk;
  const sameAccount = resourceAccountOf(request) === principalAccount(principal);

  if (sameAccount) {
    if (resourceAllow?.match === 'exact-session') {
      return allow([resourceAllow.statement], `allowed by ${resourceAllow.statement.policy} (${resourceAllow.statement.label}), which names the caller`);
    }
    if (resourceAllow && resourceAllow.match !== 'account' && boundaryOk && sessionOk) {
      return allow([resourceAllow.statement], `allowed by ${resourceAllow.statement.policy} (${resourceAllow.statement.label})`);
    }
    if (identitySideOk) return allow([identityAllow], `allowed by ${identityAllow.policy} (${identityAllow.label})`);
    return implicitDeny(missingReason(identityAllow !== undefined, boundaryOk, sessionOk, policies));
  }

  // Cross account: both sides.
  if (identitySideOk && resourceAllow) {
    return allow([identityAllow, resourceAllow.statement], `allowed by ${identityAllow.policy} (${identityAllow.label}) and ${resourceAllow.statement.policy} (${resourceAllow.statement.label})`);
  }
  if (!identitySideOk) return implicitDeny(missingReason(identityAllow !== undefined, boundaryOk, sessionOk, policies));
  return implicitDeny(`cross-account request: ${resource ? `no statement in ${resource.name}` : 'the resource has no policy that'} allows ${subject}`);
}

function allow(statements: CompiledStatement[], reason: string): Decision {
  return { outcome: 'Allow', allowed: true, decidingStatements: statements.map(reference), reason };
}

function implicitDeny(reason: string): Decision {
  return { outcome: 'ImplicitDeny', allowed: false, decidingStatements: [], reason };
}

function missingReason(identityAllows: boolean, boundaryOk: boolean, sessionOk: boolean, policies: ApplicablePolicies): string {
  if (!identityAllows) return 'no identity-based policy allows the action';
  if (!boundaryOk) return `the permissions boundary ${policies.boundary?.name} does not allow the action`;
  if (!sessionOk) return 'the session policy does not allow the action';
  return 'no policy allows the action';
}

/**
 * The smallest statement that would have allowed a denied request, for the
 * denial log: one action, one resource, no conditions. For an explicit deny no
 * Allow helps; the deny itself has to change.
 */
export function smallestAllowingStatement(request: RequestContext, decision: Decision): Record<string, unknown> | undefined {
  if (decision.outcome !== 'ImplicitDeny') return undefined;
  const statement: Record<string, unknown> = { Effect: 'Allow', Action: request.action, Resource: request.resource };
  if (request.principal.kind === 'service') return { ...statement, Principal: { Service: request.principal.service } };
  const sameAccount = resourceAccountOf(request) === principalAccount(request.principal);
  // Cross account, the identity side may already allow; the resource policy then needs this statement with a Principal.
  if (!sameAccount && decision.reason.startsWith('cross-account')) {
    return { ...statement, Principal: { AWS: request.principal.kind === 'role-session' ? request.principal.roleArn : request.principal.userArn } };
  }
  return statement;
}
