/**
 * IAM policy documents as AWS accepts them, normalised: every element that may
 * be a string or a list becomes a list, and `Statement` is always a list.
 * Malformed documents fail with every problem named by statement and field.
 */

export type ConditionValue = string | number | boolean;

/** `{ "StringEquals": { "aws:SourceAccount": ["1111"] } }`, values normalised to lists of strings. */
export type ConditionBlock = Record<string, Record<string, string[]>>;

/** `"*"` or principals by kind (`AWS`, `Service`, `Federated`, `CanonicalUser`). */
export type PrincipalBlock = '*' | Record<string, string[]>;

export interface Statement {
  /** Position in its policy (0-based), for messages when there is no Sid. */
  index: number;
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Principal?: PrincipalBlock;
  NotPrincipal?: PrincipalBlock;
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  /** `2012-10-17` enables policy variables; `2008-10-17` (or none) reads `${…}` literally. */
  Version?: string;
  Id?: string;
  Statement: Statement[];
}

/** A policy that AWS would refuse; `problems` name the statement and field. */
export class PolicyError extends Error {
  constructor(
    readonly policyName: string,
    readonly problems: readonly string[],
  ) {
    super(`Policy ${policyName} is malformed:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringList(value: unknown, field: string, problems: string[]): string[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((item) => typeof item !== 'string' || item === '')) {
    problems.push(`${field} must be a non-empty string or a non-empty list of non-empty strings`);
    return undefined;
  }
  return list as string[];
}

function principalBlock(value: unknown, field: string, problems: string[]): PrincipalBlock | undefined {
  if (value === '*') return '*';
  if (!isRecord(value) || Object.keys(value).length === 0) {
    problems.push(`${field} must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"} or {"Service": "events.amazonaws.com"}`);
    return undefined;
  }
  const block: Record<string, string[]> = {};
  for (const [kind, identifiers] of Object.entries(value)) {
    if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(kind)) {
      problems.push(`${field}.${kind} is not a principal kind (AWS, Service, Federated, CanonicalUser)`);
      continue;
    }
    const list = stringList(identifiers, `${field}.${kind}`, problems);
    if (list) block[kind] = list;
  }
  return block;
}

function conditionBlock(value: unknown, field: string, problems: string[]): ConditionBlock | undefined {
  if (!isRecord(value)) {
    problems.push(`${field} must be an object of operators, e.g. {"StringEquals": {"aws:SourceAccount": "111122223333"}}`);
    return undefined;
  }
  const block: ConditionBlock = {};
  for (const [operator, entries] of Object.entries(value)) {
    if (!isRecord(entries) || Object.keys(entries).length === 0) {
      problems.push(`${field}.${operator} must be a non-empty object of condition keys`);
      continue;
    }
    const keys: Record<string, string[]> = {};
    for (const [key, raw] of Object.entries(entries)) {
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0 || list.some((item) => !['string', 'number', 'boolean'].includes(typeof item))) {
        problems.push(`${field}.${operator}.${key} must be a string, number or boolean, or a non-empty list of them`);
        continue;
      }
      keys[key] = list.map((item: ConditionValue) => String(item));
    }
    block[operator] = keys;
  }
  return block;
}

function statementFrom(raw: unknown, index: number, kind: PolicyKind, problems: string[]): Statement | undefined {
  const at = `Statement[${index}]`;
  if (!isRecord(raw)) {
    problems.push(`${at} must be an object`);
    return undefined;
  }
  const where = typeof raw.Sid === 'string' && raw.Sid !== '' ? `${at} (${raw.Sid})` : at;
  const before = problems.length;
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key)) problems.push(`${where}: unknown element ${key}`);
  }
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') problems.push(`${where}.Effect must be "Allow" or "Deny"`);
  if ((raw.Action === undefined) === (raw.NotAction === undefined)) problems.push(`${where} needs exactly one of Action or NotAction`);
  if (raw.Resource !== undefined && raw.NotResource !== undefined) problems.push(`${where} may not have both Resource and NotResource`);
  if (raw.Principal !== undefined && raw.NotPrincipal !== undefined) problems.push(`${where} may not have both Principal and NotPrincipal`);
  const hasPrincipal = raw.Principal !== undefined || raw.NotPrincipal !== undefined;
  if (kind === 'identity' && hasPrincipal) problems.push(`${where}: an identity-based policy may not name a Principal`);
  if (kind === 'identity' && raw.Resource === undefined && raw.NotResource === undefined) problems.push(`${where} needs Resource or NotResource`);
  if (kind === 'resource' && !hasPrincipal) problems.push(`${where}: a resource-based policy needs Principal or NotPrincipal`);

  const statement: Statement = { index, Effect: raw.Effect as 'Allow' | 'Deny' };
  if (typeof raw.Sid === 'string') statement.Sid = raw.Sid;
  else if (raw.Sid !== undefined) problems.push(`${where}.Sid must be a string`);
  for (const field of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
    if (raw[field] !== undefined) statement[field] = stringList(raw[field], `${where}.${field}`, problems);
  }
  for (const action of [...(statement.Action ?? []), ...(statement.NotAction ?? [])]) {
    if (action !== '*' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(action)) problems.push(`${where}: action "${action}" is not of the form service:Action`);
  }
  if (raw.Principal !== undefined) statement.Principal = principalBlock(raw.Principal, `${where}.Principal`, problems);
  if (raw.NotPrincipal !== undefined) statement.NotPrincipal = principalBlock(raw.NotPrincipal, `${where}.NotPrincipal`, problems);
  if (raw.Condition !== undefined) statement.Condition = conditionBlock(raw.Condition, `${where}.Condition`, problems);
  return problems.length === before ? statement : undefined;
}

/** Which rules apply: identity policies name no principal, resource policies must. */
export type PolicyKind = 'identity' | 'resource' | 'any';

/**
 * Parses a policy (JSON text or an already parsed object).
 *
 * @example
 * const policy = parsePolicy('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}', 'role/orders');
 */
export function parsePolicy(source: string | unknown, name: string, kind: PolicyKind = 'any'): PolicyDocument {
  let raw: unknown = source;
  if (typeof source === 'string') {
    try {
      raw = JSON.parse(source);
    } catch (error) {
      throw new PolicyError(name, [`not JSON: ${(error as Error).message}`]);
    }
  }
  const problems: string[] = [];
  if (!isRecord(raw)) throw new PolicyError(name, ['a policy document must be a JSON object']);
  if (raw.Version !== undefined && raw.Version !== '2012-10-17' && raw.Version !== '2008-10-17') {
    problems.push(`Version must be "2012-10-17" or "2008-10-17" (got ${JSON.stringify(raw.Version)})`);
  }
  if (raw.Statement === undefined) problems.push('Statement is missing');
  const rawStatements = raw.Statement === undefined ? [] : Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  const statements = rawStatements.map((statement, index) => statementFrom(statement, index, kind, problems));
  const sids = rawStatements.map((statement) => (isRecord(statement) ? statement.Sid : undefined)).filter((sid): sid is string => typeof sid === 'string');
  for (const sid of new Set(sids)) {
    if (sids.filter((other) => other === sid).length > 1) problems.push(`Sid "${sid}" is used by more than one statement`);
  }
  if (problems.length > 0) throw new PolicyError(name, problems);
  const document: PolicyDocument = { Statement: statements as Statement[] };
  if (typeof raw.Version === 'string') document.Version = raw.Version;
  if (typeof raw.Id === 'string') document.Id = raw.Id;
  return document;
}

/** How a statement is named in messages: its Sid, else its position. */
export function statementLabel(statement: Statement): string {
  return statement.Sid ? `Sid "${statement.Sid}"` : `Statement[${statement.index}]`;
}
