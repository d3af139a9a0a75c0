// Parses and validates an event pattern, then compiles it into "sub-rules": flat lists of
// conditions on leaf paths, one sub-rule per combination of `$or` branches (the way EventBridge's
// engine, aws/event-ruler, expands `$or`). Reasons in errors use AWS's wording.

import { InvalidEventPatternError } from './errors';
import type { Leaf } from './event-view';
import { ipInRange, parseCidr, parseIp, sameIp } from './ip';
import { NUMERIC_LIMIT, formatLimit, toMicros } from './numbers';
import { equalsIgnoreCaseMatcher, matchesWildcard, parseWildcard, type Wildcard } from './strings';
import { TOO_COMPLEX, WILDCARD_COMPLEXITY_LIMIT, wildcardComplexity } from './complexity';

/** Decides whether one leaf value satisfies one match expression. */
export type ValueTest = (leaf: Leaf) => boolean;

/** All match expressions given for one field path: satisfied when any of them is. */
export interface Condition {
  readonly path: readonly string[];
  /** Dotted name; conditions are evaluated in this order, as EventBridge does. */
  readonly name: string;
  readonly cacheKey: string;
  readonly tests: readonly ValueTest[];
  /** The field list contains `{"exists": false}`. */
  readonly absentAllowed: boolean;
  /** The `wildcard` values of the field list (for AWS's complexity limit). */
  readonly wildcards: readonly string[];
  /** The field's value list as the pattern gives it (what an explanation shows as expected). */
  readonly expected: readonly unknown[];
}

/** One way for the pattern to match: every condition must hold. */
export interface SubRule {
  /** In name order, the order EventBridge evaluates them in. */
  readonly conditions: readonly Condition[];
  /** Conditions that need a value (no `exists: false`), shallowest first: the cheapest rejections. */
  readonly required: readonly Condition[];
}

type Draft = Map<string, Condition>;
type ErrorPath = readonly (string | number)[];

const OR = '$or';

// Parallel `$or` expressions multiply: ten with two branches each are 1,024 alternatives. AWS
// documents no figure, so this bound only keeps a hostile pattern from exhausting local memory.
export const MAX_ALTERNATIVES = 10_000;

// Names event-ruler reserves inside `$or` objects (operators and words kept for future operators).
const RESERVED_IN_OR = new Set([
  'exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr',
  'html', '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case', 'date-after',
  'date-on-or-after', 'date-before', 'date-on-or-before', 'in-date-range', 'ip-address-in-range',
  'ip-address-not-in-range',
]);

const MATCH_VALUE_TYPES = 'Match value must be String, number, true, false, or null';
const ANYTHING_BUT_VALUE = 'Value of anything-but must be an array or single string/number value.';
const TOO_MANY_ELEMENTS = 'Too many elements in numeric expression';
const ONLY_ONE_KEY = 'Only one key allowed in match expression';

/** Parses a pattern given as JSON text or as an already-parsed object. */
export function parsePatternInput(pattern: unknown): Record<string, unknown> {
  let parsed = pattern;
  if (typeof pattern === 'string') {
    try {
      parsed = JSON.parse(pattern);
    } catch (error) {
      fail((error as Error).message, []);
    }
  }
  if (!isObject(parsed)) fail('Filter is not an object', []);
  return parsed;
}

/** Validates `pattern` and compiles it into sub-rules; throws InvalidEventPatternError. */
export function compileSubRules(pattern: Record<string, unknown>): SubRule[] {
  const drafts = parseObject(pattern, [], [], false);
  rejectTooComplexWildcards(drafts);
  return drafts.map((draft) => {
    const conditions = [...draft.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const required = conditions.filter((c) => !c.absentAllowed).sort((a, b) => a.path.length - b.path.length);
    return { conditions, required };
  });
}

function parseObject(node: Record<string, unknown>, path: readonly string[], rules: Draft[], insideOr: boolean): Draft[] {
  const keys = Object.keys(node);
  if (keys.length === 0) fail('Empty objects are not allowed', path);
  let current = rules;
  for (const key of keys) {
    const value = node[key];
    if (key === OR) {
      current = parseOr(value, path, current);
      continue;
    }
    const fieldPath = [...path, key];
    if (insideOr && RESERVED_IN_OR.has(key)) {
      fail(`${key} is Ruler reserved fieldName which cannot be used inside ${OR}.`, fieldPath);
    }
    if (isObject(value)) {
      current = parseObject(value, fieldPath, current, insideOr);
    } else if (Array.isArray(value)) {
      current = writeCondition(current, parseCondition(fieldPath, value));
    } else {
      fail(`"${key}" must be an object or an array`, fieldPath);
    }
  }
  return current;
}

// Each branch continues from a copy of the sub-rules built so far; fields that follow the `$or`
// are then added to every branch. A later definition of the same path replaces an earlier one.
function parseOr(value: unknown, path: readonly string[], current: Draft[]): Draft[] {
  const orPath = [...path, OR];
  if (!Array.isArray(value)) fail(`It must be an Array followed with ${OR}.`, orPath);
  const branches: Draft[] = [];
  value.forEach((branch, index) => {
    if (!isObject(branch)) fail(`Only JSON object is allowed in array of ${OR} relationship.`, [...orPath, index]);
    const copies = current.length > 0 ? current.map((draft) => new Map(draft)) : [new Map()];
    branches.push(...parseObject(branch, path, copies, true));
    if (branches.length > MAX_ALTERNATIVES) {
      fail(`Pattern expands to more than ${MAX_ALTERNATIVES} ${OR} alternatives (local-cloud limit)`, orPath);
    }
  });
  if (value.length < 2) fail(`There must have at least 2 Objects in ${OR} relationship.`, orPath);
  return branches;
}

// Each field's value list is one byte machine in event-ruler; the limit applies per machine. A
// condition shared by several `$or` alternatives is one object here, so it is judged once.
function rejectTooComplexWildcards(drafts: readonly Draft[]): void {
  const judged = new Set<Condition>();
  for (const draft of drafts) {
    for (const condition of draft.values()) {
      if (judged.has(condition) || condition.wildcards.length === 0) continue;
      judged.add(condition);
      if (wildcardComplexity(condition.wildcards) > WILDCARD_COMPLEXITY_LIMIT) fail(TOO_COMPLEX, []);
    }
  }
}

function writeCondition(rules: Draft[], condition: Condition): Draft[] {
  if (rules.length === 0) return [new Map([[condition.cacheKey, condition]])];
  for (const rule of rules) rule.set(condition.cacheKey, condition);
  return rules;
}

const EXISTS_FALSE = Symbol('exists: false');

function parseCondition(path: readonly string[], values: readonly unknown[]): Condition {
  if (values.length === 0) fail('Empty arrays are not allowed', path);
  const tests: ValueTest[] = [];
  const wildcards: string[] = [];
  let absentAllowed = false;
  values.forEach((value, index) => {
    if (isObject(value) && typeof value.wildcard === 'string') wildcards.push(value.wildcard);
    const at = [...path, index];
    if (typeof value === 'string') tests.push(exactString(value));
    else if (typeof value === 'number' && Number.isFinite(value)) tests.push(exactNumber(value));
    else if (typeof value === 'boolean' || value === null) tests.push((leaf) => leaf.value === value);
    else if (isObject(value)) {
      const test = parseMatchExpression(value, at);
      if (test === EXISTS_FALSE) absentAllowed = true;
      else tests.push(test);
    } else fail(MATCH_VALUE_TYPES, at);
  });
  // EventBridge's engine (aws/event-ruler) sees an event as name/value pairs whose names join the
  // nested keys with dots, so a pattern key `a.b` names the same field as `a: { b }`.
  const fieldPath = path.flatMap((segment) => segment.split('.'));
  return { path: fieldPath, name: fieldPath.join('.'), cacheKey: fieldPath.join('\u0000'), tests, absentAllowed, wildcards, expected: values };
}

// A string that is an IP literal matches the same address in any spelling (2001:db8::1 and
// 2001:DB8:0:0:0:0:0:1), as event-ruler turns such exact values into address ranges.
function exactString(expected: string): ValueTest {
  const ip = parseIp(expected);
  if (ip) {
    return (leaf) => {
      const actual = leaf.ip;
      return actual !== undefined && sameIp(actual, ip);
    };
  }
  return (leaf) => leaf.value === expected;
}

// Numbers are equal when their 6-decimal fixed-point forms are (so 300, 300.0 and 3.0e2 match);
// numbers outside the comparable range only match the identical number.
function exactNumber(expected: number): ValueTest {
  const scaled = toMicros(expected);
  const micros = scaled?.exact ? scaled.micros : undefined;
  return (leaf) =>
    typeof leaf.value === 'number' && (leaf.value === expected || (micros !== undefined && leaf.micros === micros));
}

function parseMatchExpression(expression: Record<string, unknown>, at: ErrorPath): ValueTest | typeof EXISTS_FALSE {
  const keys = Object.keys(expression);
  const operator = keys[0];
  if (operator === undefined) fail('Match expression name not found', at);
  const operand = expression[operator];
  const operandPath = [...at, operator];
  const test = parseOperator(operator, operand, operandPath);
  if (keys.length > 1) fail(operator === 'numeric' || operator === 'anything-but' ? TOO_MANY_ELEMENTS : ONLY_ONE_KEY, at);
  return test;
}

function parseOperator(operator: string, operand: unknown, at: ErrorPath): ValueTest | typeof EXISTS_FALSE {
  switch (operator) {
    case 'prefix':
      return parseAffix('prefix', operand, at);
    case 'suffix':
      return parseAffix('suffix', operand, at);
    case 'equals-ignore-case': {
      if (typeof operand !== 'string') fail('equals-ignore-case match pattern must be a string', at);
      const matcher = equalsIgnoreCaseMatcher(operand, 'whole');
      return (leaf) => typeof leaf.value === 'string' && matcher.test(leaf.value);
    }
    case 'wildcard': {
      if (typeof operand !== 'string') fail('wildcard match pattern must be a string', at);
      const wildcard = wildcardOrFail(operand, at);
      return (leaf) => typeof leaf.value === 'string' && matchesWildcard(wildcard, leaf.value);
    }
    case 'numeric':
      if (!Array.isArray(operand)) fail('Value of numeric must be an array.', at);
      return parseNumeric(operand, at);
    case 'anything-but':
      return parseAnythingBut(operand, at);
    case 'exists':
      if (operand === true) return () => true;
      if (operand === false) return EXISTS_FALSE;
      return fail('exists match pattern must be either true or false.', at);
    case 'cidr': {
      // AWS words this reason "prefix match pattern must be a string" (a slip in its engine).
      if (typeof operand !== 'string') fail('cidr match pattern must be a string', at);
      let range;
      try {
        range = parseCidr(operand);
      } catch (error) {
        return fail((error as Error).message, at);
      }
      return (leaf) => {
        const ip = leaf.ip;
        return ip !== undefined && ipInRange(ip, range);
      };
    }
    default:
      return fail(`Unrecognized match type ${operator}`, at);
  }
}

function parseAffix(kind: 'prefix' | 'suffix', operand: unknown, at: ErrorPath): ValueTest {
  if (isObject(operand)) {
    const keys = Object.keys(operand);
    const inner = keys[0];
    const label = kind === 'prefix' ? 'Prefix' : 'Suffix';
    if (inner === undefined) fail(`${label} expression name not found`, at);
    if (inner !== 'equals-ignore-case') fail(`Unsupported ${kind} pattern: ${inner}`, at);
    const value = operand[inner];
    if (typeof value !== 'string') fail('equals-ignore-case match pattern must be a string', [...at, inner]);
    if (keys.length > 1) fail(ONLY_ONE_KEY, at);
    const matcher = equalsIgnoreCaseMatcher(value, kind);
    return (leaf) => typeof leaf.value === 'string' && matcher.test(leaf.value);
  }
  if (typeof operand !== 'string') fail(`${kind} match pattern must be a string`, at);
  return kind === 'prefix'
    ? (leaf) => typeof leaf.value === 'string' && leaf.value.startsWith(operand)
    : (leaf) => typeof leaf.value === 'string' && leaf.value.endsWith(operand);
}

function wildcardOrFail(value: string, at: ErrorPath): Wildcard {
  try {
    return parseWildcard(value);
  } catch (error) {
    return fail((error as Error).message, at);
  }
}

function parseNumeric(terms: readonly unknown[], at: ErrorPath): ValueTest {
  let position = 0;
  const next = (): unknown => terms[position++];
  const hasMore = (): boolean => position < terms.length;
  const numberOrFail = (value: unknown, operatorName: string): number => {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(`Value of ${operatorName} must be numeric`, at);
    return value;
  };

  const operator = next();
  if (typeof operator !== 'string') fail(`Invalid member in numeric match: ${tokenText(operator)}`, at);
  switch (operator) {
    case '=': {
      const micros = operandMicros(numberOrFail(next(), 'equals'), at);
      if (hasMore()) fail(TOO_MANY_ELEMENTS, at);
      return (leaf) => leaf.micros === micros;
    }
    case '>':
    case '>=': {
      const bottom = numberOrFail(next(), operator);
      if (!hasMore()) return numericRange(bottom, operator === '>', NUMERIC_LIMIT, false, at);
      const upperOperator = next();
      if (typeof upperOperator !== 'string') fail(`Bad value in numeric range: ${tokenText(upperOperator)}`, at);
      if (upperOperator !== '<' && upperOperator !== '<=') fail(`Bad numeric range operator: ${upperOperator}`, at);
      const top = numberOrFail(next(), upperOperator);
      if (hasMore()) fail('Too many terms in numeric range expression', at);
      return numericRange(bottom, operator === '>', top, upperOperator === '<', at);
    }
    case '<':
    case '<=': {
      const top = numberOrFail(next(), operator);
      if (hasMore()) fail(TOO_MANY_ELEMENTS, at);
      return numericRange(-NUMERIC_LIMIT, false, top, operator === '<', at);
    }
    default:
      return fail(`Unrecognized numeric range operator: ${operator}`, at);
  }
}

function numericRange(bottom: number, openBottom: boolean, top: number, openTop: boolean, at: ErrorPath): ValueTest {
  if (bottom >= top) fail('Bottom must be less than top', at);
  const low = operandMicros(bottom, at);
  const high = operandMicros(top, at);
  return (leaf) => {
    const value = leaf.micros;
    return (
      value !== undefined && (openBottom ? value > low : value >= low) && (openTop ? value < high : value <= high)
    );
  };
}

function operandMicros(value: number, at: ErrorPath): number {
  const scaled = toMicros(value);
  if (scaled && !scaled.exact) fail('Only values upto 6 decimals are supported', at);
  if (!scaled) {
    fail(`Value must be between ${formatLimit(-NUMERIC_LIMIT)} and ${formatLimit(NUMERIC_LIMIT)}, inclusive`, at);
  }
  return scaled.micros;
}

type AnythingButKind = 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard';
const ANYTHING_BUT_KINDS: readonly string[] = ['equals-ignore-case', 'prefix', 'suffix', 'wildcard'];

// anything-but matches every leaf value the excluded set does not cover, whatever its type: a
// number passes `{"anything-but": "x"}`, a string passes `{"anything-but": 5}`. A missing field
// has no value, so it never matches.
function parseAnythingBut(operand: unknown, at: ErrorPath): ValueTest {
  if (isObject(operand)) return parseAnythingButOf(operand, at);
  if (!Array.isArray(operand) && typeof operand !== 'string' && typeof operand !== 'number') {
    fail(ANYTHING_BUT_VALUE, at);
  }
  const values: readonly unknown[] = Array.isArray(operand) ? operand : [operand];
  const strings = new Set<string>();
  const numbers = new Set<number>();
  values.forEach((value) => {
    if (typeof value === 'string') strings.add(value);
    else if (typeof value === 'number' && Number.isFinite(value)) numbers.add(operandMicros(value, at));
    else fail('Inside anything but list, start|null|boolean is not supported.', at);
  });
  if ((strings.size > 0) === (numbers.size > 0)) {
    fail('Inside anything but list, either all values are number or string, mixed type is not supported', at);
  }
  if (strings.size > 0) return (leaf) => !(typeof leaf.value === 'string' && strings.has(leaf.value));
  return (leaf) => {
    const micros = leaf.micros;
    return micros === undefined || !numbers.has(micros);
  };
}

function parseAnythingButOf(operand: Record<string, unknown>, at: ErrorPath): ValueTest {
  const keys = Object.keys(operand);
  const kind = keys[0];
  if (kind === undefined) fail('Anything-but expression name not found', at);
  if (!ANYTHING_BUT_KINDS.includes(kind)) fail(`Unsupported anything-but pattern: ${kind}`, at);
  const inner = operand[kind];
  const innerPath = [...at, kind];
  if (!Array.isArray(inner) && typeof inner !== 'string' && typeof inner !== 'number') fail(ANYTHING_BUT_VALUE, innerPath);
  const values: readonly unknown[] = Array.isArray(inner) ? inner : [inner];
  const excluded = values.map((value): ((text: string) => boolean) => {
    if (typeof value !== 'string') {
      const reason =
        kind === 'equals-ignore-case'
          ? 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'
          : kind === 'wildcard'
            ? 'wildcard match pattern must be a string'
            : 'prefix/suffix match pattern must be a string';
      fail(reason, innerPath);
    }
    return excludedBy(kind as AnythingButKind, value, innerPath);
  });
  if (keys.length > 1) fail(TOO_MANY_ELEMENTS, at);
  return (leaf) => {
    const value = leaf.value;
    if (typeof value !== 'string') return true;
    for (const isExcluded of excluded) if (isExcluded(value)) return false;
    return true;
  };
}

function excludedBy(kind: AnythingButKind, value: string, at: ErrorPath): (text: string) => boolean {
  switch (kind) {
    case 'equals-ignore-case': {
      const matcher = equalsIgnoreCaseMatcher(value, 'whole');
      return (text) => matcher.test(text);
    }
    case 'prefix':
      if (value === '') fail('Null prefix/suffix not allowed', at);
      return (text) => text.startsWith(value);
    case 'suffix':
      if (value === '') fail('Null prefix/suffix not allowed', at);
      return (text) => text.endsWith(value);
    case 'wildcard': {
      const wildcard = wildcardOrFail(value, at);
      return (text) => matchesWildcard(wildcard, text);
    }
  }
}

// How AWS's JSON parser names a token in its messages.
function tokenText(value: unknown): string {
  if (value === undefined) return ']';
  if (Array.isArray(value)) return '[';
  if (isObject(value)) return '{';
  return String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(reason: string, path: ErrorPath): never {
  throw new InvalidEventPatternError(reason, describePath(path));
}

function describePath(path: ErrorPath): string {
  let text = '';
  for (const step of path) {
    text += typeof step === 'number' ? `[${step}]` : text ? `.${step}` : step;
  }
  return text;
}
