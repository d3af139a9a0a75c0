import { arnMatches } from './arn';
import type { ContextValue } from './context';
import { ipInCidr } from './ip';
import { hasVariables, resolveVariables } from './variables';
import { globMatches, unescapeLiterals } from './wildcard';

/**
 * The `Condition` element: operators AND-ed, keys within an operator AND-ed,
 * values of one key OR-ed (NOR-ed for negated operators). A key missing from the
 * request makes a condition false, except for negated operators (true),
 * `…IfExists` (true) and `Null` (which tests presence). `ForAnyValue:`/`ForAllValues:`
 * compare sets: ForAnyValue is false for a missing or empty key, ForAllValues true.
 */

type Compare = (contextValue: string, policyValue: string) => boolean;

interface OperatorFamily {
  compare: Compare;
  negated: boolean;
  /** Policy variables are allowed in values of string and ARN operators only. */
  variables: boolean;
}

const number = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));

function date(text: string): number {
  // Epoch seconds or ISO 8601, as AWS accepts both.
  if (/^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text) * 1000;
  return Date.parse(text);
}

function numeric(test: (a: number, b: number) => boolean): Compare {
  return (contextValue, policyValue) => {
    const a = number(contextValue);
    const b = number(policyValue);
    return !Number.isNaN(a) && !Number.isNaN(b) && test(a, b);
  };
}

function dated(test: (a: number, b: number) => boolean): Compare {
  return (contextValue, policyValue) => {
    const a = date(contextValue);
    const b = date(policyValue);
    return !Number.isNaN(a) && !Number.isNaN(b) && test(a, b);
  };
}

const equals: Compare = (a, b) => a === unescapeLiterals(b);
const equalsIgnoreCase: Compare = (a, b) => a.toLowerCase() === unescapeLiterals(b).toLowerCase();
const like: Compare = (a, b) => globMatches(b, a);
const arnLike: Compare = (a, b) => arnMatches(b, a);

const OPERATORS: Record<string, OperatorFamily> = {
  stringequals: { compare: equals, negated: false, variables: true },
  stringnotequals: { compare: equals, negated: true, variables: true },
  stringequalsignorecase: { compare: equalsIgnoreCase, negated: false, variables: true },
  stringnotequalsignorecase: { compare: equalsIgnoreCase, negated: true, variables: true },
  stringlike: { compare: like, negated: false, variables: true },
  stringnotlike: { compare: like, negated: true, variables: true },
  numericequals: { compare: numeric((a, b) => a === b), negated: false, variables: false },
  numericnotequals: { compare: numeric((a, b) => a === b), negated: true, variables: false },
  numericlessthan: { compare: numeric((a, b) => a < b), negated: false, variables: false },
  numericlessthanequals: { compare: numeric((a, b) => a <= b), negated: false, variables: false },
  numericgreaterthan: { compare: numeric((a, b) => a > b), negated: false, variables: false },
  numericgreaterthanequals: { compare: numeric((a, b) => a >= b), negated: false, variables: false },
  dateequals: { compare: dated((a, b) => a === b), negated: false, variables: false },
  datenotequals: { compare: dated((a, b) => a === b), negated: true, variables: false },
  datelessthan: { compare: dated((a, b) => a < b), negated: false, variables: false },
  datelessthanequals: { compare: dated((a, b) => a <= b), negated: false, variables: false },
  dategreaterthan: { compare: dated((a, b) => a > b), negated: false, variables: false },
  dategreaterthanequals: { compare: dated((a, b) => a >= b), negated: false, variables: false },
  bool: { compare: (a, b) => a.toLowerCase() === b.toLowerCase(), negated: false, variables: true },
  binaryequals: { compare: (a, b) => a === b, negated: false, variables: false },
  ipaddress: { compare: (a, b) => ipInCidr(a, b), negated: false, variables: false },
  notipaddress: { compare: (a, b) => ipInCidr(a, b), negated: true, variables: false },
  arnequals: { compare: arnLike, negated: false, variables: true },
  arnlike: { compare: arnLike, negated: false, variables: true },
  arnnotequals: { compare: arnLike, negated: true, variables: true },
  arnnotlike: { compare: arnLike, negated: true, variables: true },
};

/** One operator of a Condition block, parsed once. */
export interface ConditionTest {
  /** As written, for messages: `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  key: string;
  values: readonly string[];
  test(keys: ReadonlyMap<string, ContextValue>, variablesEnabled: boolean): boolean;
}

export class ConditionOperatorError extends Error {}

/** Splits `ForAllValues:StringLikeIfExists` into its set qualifier, family and IfExists flag; throws on unknown operators. */
export function parseOperator(operator: string): { set?: 'any' | 'all'; family: string; ifExists: boolean } {
  let rest = operator;
  let set: 'any' | 'all' | undefined;
  const lower = operator.toLowerCase();
  if (lower.startsWith('foranyvalue:')) {
    set = 'any';
    rest = operator.slice('ForAnyValue:'.length);
  } else if (lower.startsWith('forallvalues:')) {
    set = 'all';
    rest = operator.slice('ForAllValues:'.length);
  }
  let family = rest.toLowerCase();
  let ifExists = false;
  if (family.endsWith('ifexists')) {
    family = family.slice(0, -'ifexists'.length);
    ifExists = true;
  }
  if (family === 'null' && !ifExists) return { ...(set ? { set } : {}), family, ifExists };
  if (!(family in OPERATORS)) throw new ConditionOperatorError(`unknown condition operator "${operator}"`);
  return { ...(set ? { set } : {}), family, ifExists };
}

function asList(value: ContextValue | undefined): readonly string[] | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? [value] : value;
}

/** Compiles one `operator: { key: values }` entry. */
export function compileCondition(operator: string, key: string, values: readonly string[]): ConditionTest {
  const { set, family, ifExists } = parseOperator(operator);
  const lowerKey = key.toLowerCase();
  if (family === 'null') {
    const wantsMissing = values.map((value) => value.toLowerCase() === 'true');
    return {
      operator,
      key,
      values,
      test: (keys) => {
        const present = asList(keys.get(lowerKey));
        const missing = present === undefined || present.length === 0;
        return wantsMissing.some((wants) => wants === missing);
      },
    };
  }
  const spec = OPERATORS[family] as OperatorFamily;
  const anyVariables = spec.variables && values.some(hasVariables);

  return {
    operator,
    key,
    values,
    test(keys, variablesEnabled) {
      const policyValues =
        anyVariables && variablesEnabled
          ? values.map((value) => resolveVariables(value, keys)).filter((value): value is string => value !== undefined)
          : values;
      // One context value against the policy values: OR for positive operators, NOR for negated ones.
      const single = (contextValue: string): boolean => {
        const matched = policyValues.some((policyValue) => spec.compare(contextValue, policyValue));
        return spec.negated ? !matched : matched;
      };
      const contextValues = asList(keys.get(lowerKey));
      if (set === 'any') return contextValues !== undefined && contextValues.some(single);
      if (set === 'all') return contextValues === undefined || contextValues.every(single);
      if (contextValues === undefined || contextValues.length === 0) return ifExists || spec.negated;
      return spec.negated ? contextValues.every(single) : contextValues.some(single);
    },
  };
}
