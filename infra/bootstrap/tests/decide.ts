/**
 * A stand-in for the local IAM evaluator (issue #20), just enough of IAM's
 * identity-policy logic to decide the escalation cases in
 * `escalation-cases.ts`: explicit deny wins, then an allow is needed, and a
 * permissions boundary must allow too. Condition operators: String(Not)Equals,
 * String(Not)Like, ArnLike/ArnEquals, Null, Bool, each with `IfExists`, and the
 * `ForAnyValue:` / `ForAllValues:` set qualifiers. Keys in one block are ANDed,
 * values of one key ORed; a missing key fails a positive operator and passes a
 * negated one, as IAM does. Once the evaluator lands, `decide` is replaced by
 * it and the cases stay as they are.
 */

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface Policy {
  Statement: Statement[];
}

/** One API call as IAM sees it: action, resource ARN, and the request context's condition keys. */
export interface Request {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function wildcard(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's').test(value);
}

function contextValue(context: Request['context'], key: string): string[] | undefined {
  const found = Object.entries(context ?? {}).find(([candidate]) => candidate.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : list(found[1]);
}

function compare(operator: string, expected: string, actual: string): boolean {
  switch (operator) {
    case 'StringEquals':
    case 'ArnEquals':
      return expected === actual;
    case 'StringLike':
    case 'ArnLike':
      return wildcard(expected, actual);
    case 'Bool':
      return expected.toLowerCase() === actual.toLowerCase();
    default:
      throw new Error(`decide: operator ${operator} is not supported`);
  }
}

function conditionHolds(rawOperator: string, key: string, rawExpected: string | string[] | boolean, context: Request['context']): boolean {
  const expected = list(rawExpected).map(String);
  const actual = contextValue(context, key);
  let operator = rawOperator;
  let qualifier: 'ForAnyValue' | 'ForAllValues' | undefined;
  const qualified = /^(ForAnyValue|ForAllValues):(.+)$/.exec(operator);
  if (qualified) {
    qualifier = qualified[1] as 'ForAnyValue' | 'ForAllValues';
    operator = qualified[2] as string;
  }
  const ifExists = operator.endsWith('IfExists');
  if (ifExists) operator = operator.slice(0, -'IfExists'.length);

  if (operator === 'Null') {
    const wantsAbsent = expected[0] === 'true';
    return wantsAbsent === (actual === undefined);
  }
  const negated = /^(String|Arn)Not/.test(operator);
  const positive = operator.replace('Not', '');
  if (actual === undefined) return ifExists || negated || qualifier === 'ForAllValues';
  const matchesOne = (value: string) => expected.some((e) => compare(positive, e, value));
  let result: boolean;
  if (qualifier === 'ForAllValues') result = actual.every(matchesOne);
  else result = actual.some(matchesOne);
  return negated ? !result : result;
}

function applies(statement: Statement, request: Request): boolean {
  if (!list(statement.Action).some((pattern) => wildcard(pattern, request.action, true))) return false;
  if (!list(statement.Resource).some((pattern) => wildcard(pattern, request.resource))) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, expected, request.context)),
  );
}

function evaluate(policy: Policy, request: Request): Decision {
  if (policy.Statement.some((s) => s.Effect === 'Deny' && applies(s, request))) return 'explicit-deny';
  return policy.Statement.some((s) => s.Effect === 'Allow' && applies(s, request)) ? 'allow' : 'implicit-deny';
}

/**
 * The decision for one request made with a role's identity policy and, when
 * the role has one, its permissions boundary (both must allow).
 *
 * @example
 * ```ts
 * decide({ policy: deployPolicy(ctx) }, { action: 'iam:CreateRole', resource: arn, context: { 'iam:PermissionsBoundary': boundary } });
 * ```
 */
export function decide({ policy, boundary }: { policy: Policy; boundary?: Policy }, request: Request): Decision {
  const byPolicy = evaluate(policy, request);
  if (byPolicy !== 'allow' || boundary === undefined) return byPolicy;
  const byBoundary = evaluate(boundary, request);
  return byBoundary === 'allow' ? 'allow' : byBoundary;
}
