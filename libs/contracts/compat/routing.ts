// Which contract versions a subscription's EventBridge pattern can deliver, judged on the three
// routing fields only (source, detail-type, detail.metadata.version). The gate uses it to count a
// wide subscription (analytics-ingest's `{ source: [{ prefix: 'kestrel.' }] }`) as a consumer of
// every contract it reaches. Conservative on purpose: a matcher it does not model, and any filter
// on other fields, counts as "may match", so the gate over-counts consumers rather than missing one.
// The subscription check (tools/event-catalog) validates patterns with the full EventBridge engine.
import type { ContractVersionId } from './schema-lock';

type Pattern = { readonly [key: string]: unknown };

function isPattern(value: unknown): value is Pattern {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether one matcher of a pattern's value list may accept `value`. */
function matcherAccepts(matcher: unknown, value: string | number): boolean {
  if (typeof matcher === 'string' || typeof matcher === 'number') return matcher === value;
  if (matcher === null || !isPattern(matcher)) return false;
  const [operator, operand] = Object.entries(matcher)[0] ?? [];
  const text = String(value);
  switch (operator) {
    case 'prefix':
      if (typeof operand === 'string') return text.startsWith(operand);
      if (isPattern(operand) && typeof operand['equals-ignore-case'] === 'string') return text.toLowerCase().startsWith(operand['equals-ignore-case'].toLowerCase());
      return true;
    case 'suffix':
      if (typeof operand === 'string') return text.endsWith(operand);
      if (isPattern(operand) && typeof operand['equals-ignore-case'] === 'string') return text.toLowerCase().endsWith(operand['equals-ignore-case'].toLowerCase());
      return true;
    case 'equals-ignore-case':
      return typeof operand === 'string' ? operand.toLowerCase() === text.toLowerCase() : true;
    case 'anything-but':
      if (Array.isArray(operand)) return !operand.some((excluded) => excluded === value);
      if (typeof operand === 'string' || typeof operand === 'number') return operand !== value;
      if (isPattern(operand)) return !matcherAccepts(operand, value);
      return true;
    case 'exists':
      return operand !== false;
    case 'wildcard':
      if (typeof operand !== 'string') return true;
      return new RegExp(`^${operand.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(text);
    case 'numeric':
      return typeof value === 'number' ? numericAccepts(operand, value) : false;
    default:
      return true;
  }
}

function numericAccepts(operand: unknown, value: number): boolean {
  if (!Array.isArray(operand)) return true;
  for (let index = 0; index + 1 < operand.length; index += 2) {
    const [op, bound] = [operand[index], operand[index + 1]];
    if (typeof bound !== 'number') return true;
    const ok = op === '=' ? value === bound : op === '<' ? value < bound : op === '<=' ? value <= bound : op === '>' ? value > bound : op === '>=' ? value >= bound : true;
    if (!ok) return false;
  }
  return true;
}

function fieldAccepts(condition: unknown, value: string | number): boolean {
  if (condition === undefined) return true;
  if (!Array.isArray(condition)) return true;
  return condition.some((matcher) => matcherAccepts(matcher, value));
}

/**
 * True when `pattern` may deliver events of contract version `id`. `$or` branches are tried in turn.
 *
 * @example
 * ```ts
 * patternMayRoute({ source: [{ prefix: 'kestrel.' }] }, { source: 'kestrel.customers', detailType: 'CustomerCreated', version: 1 }); // true
 * ```
 */
export function patternMayRoute(pattern: unknown, id: ContractVersionId): boolean {
  if (!isPattern(pattern)) return true;
  const { $or, ...rest } = pattern;
  if (Array.isArray($or) && !$or.some((branch) => patternMayRoute({ ...rest, ...(isPattern(branch) ? branch : {}) }, id))) return false;
  const detail = isPattern(rest.detail) ? rest.detail : undefined;
  const metadata = detail && isPattern(detail.metadata) ? detail.metadata : undefined;
  return fieldAccepts(rest.source, id.source) && fieldAccepts(rest['detail-type'], id.detailType) && fieldAccepts(metadata?.version, id.version);
}
