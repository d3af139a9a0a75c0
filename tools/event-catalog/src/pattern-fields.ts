// Splits a (valid) EventBridge pattern into its alternatives, each a list of field conditions, so
// every field path can be checked against a contract's schema. `$or` expands the way EventBridge
// expands it: each branch continues the conditions gathered so far.
import { compileEventPattern } from './engine';

/** One field of a pattern and the match expressions listed for it (any of them may match). */
export interface FieldCondition {
  readonly path: readonly string[];
  readonly matchers: readonly unknown[];
}

/** One way the pattern can match: every condition must hold. */
export type PatternAlternative = readonly FieldCondition[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The alternatives of a pattern, each listing its field conditions.
 *
 * @example
 * ```ts
 * patternAlternatives({ source: ['a'], $or: [{ detail: { x: [1] } }, { detail: { y: [2] } }] });
 * // [[{ path: ['source'], matchers: ['a'] }, { path: ['detail', 'x'], matchers: [1] }],
 * //  [{ path: ['source'], matchers: ['a'] }, { path: ['detail', 'y'], matchers: [2] }]]
 * ```
 */
export function patternAlternatives(pattern: Record<string, unknown>): PatternAlternative[] {
  return expand(pattern, [], [[]]);
}

function expand(node: Record<string, unknown>, path: readonly string[], current: FieldCondition[][]): FieldCondition[][] {
  let alternatives = current;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$or' && Array.isArray(value)) {
      alternatives = value.flatMap((branch) => (isObject(branch) ? expand(branch, path, alternatives.map((a) => [...a])) : []));
    } else if (isObject(value)) {
      alternatives = expand(value, [...path, key], alternatives);
    } else if (Array.isArray(value)) {
      alternatives = alternatives.map((a) => [...a, { path: [...path, key], matchers: value }]);
    }
  }
  return alternatives;
}

/** A pattern (for the engine) made of the given conditions only. */
export function patternOf(conditions: readonly FieldCondition[]): Record<string, unknown> {
  const pattern: Record<string, unknown> = {};
  for (const { path, matchers } of conditions) {
    let node = pattern;
    path.slice(0, -1).forEach((segment) => {
      node[segment] = isObject(node[segment]) ? node[segment] : {};
      node = node[segment] as Record<string, unknown>;
    });
    node[path[path.length - 1]!] = [...matchers];
  }
  return pattern;
}

/** An event holding `value` at `path` and nothing else. */
export function eventWith(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, segment) => ({ [segment]: inner }), value as Record<string, unknown>);
}

/**
 * True when one match expression (`"a"`, `{ prefix: "x" }`, `{ numeric: [">", 1] }`...) accepts
 * `value`, decided by the local cloud's EventBridge engine rather than a re-implementation.
 */
export function matcherAccepts(matcher: unknown, value: unknown): boolean {
  return compileEventPattern({ v: [matcher] }).matches({ v: value });
}

/** The fields a contract version is routed by. */
export interface RoutingIdentity {
  readonly source: string;
  readonly detailType: string;
  readonly version: number;
}

/** True for the pattern fields that pick an event and version: `source`, `detail-type`, `detail.metadata.version`. */
export function isRoutingField(path: readonly string[]): boolean {
  return (path.length === 1 && (path[0] === 'source' || path[0] === 'detail-type')) || path.join('.') === 'detail.metadata.version';
}

/**
 * True when some alternative of the pattern lets events of this contract version through, judged
 * by its routing fields only (source, detail-type, metadata version); content filters on
 * `detail.data` narrow which occurrences arrive, not which contracts.
 *
 * @example
 * ```ts
 * routesTo(patternAlternatives({ source: [{ prefix: 'kestrel.' }] }), CustomerCreatedV1); // true
 * ```
 */
export function routesTo(alternatives: readonly PatternAlternative[], contract: RoutingIdentity): boolean {
  const event = { source: contract.source, 'detail-type': contract.detailType, detail: { metadata: { version: contract.version } } };
  return alternatives.some((alternative) => {
    const routing = alternative.filter((c) => isRoutingField(c.path));
    return routing.length === 0 || compileEventPattern(patternOf(routing)).matches(event);
  });
}
