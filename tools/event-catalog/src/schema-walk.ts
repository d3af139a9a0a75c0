// Reading a contract's JSON Schema the way an EventBridge pattern sees the event: by field path,
// with arrays flattened (a pattern path `detail.data.items.sku` reaches every element's `sku`).

/** A JSON Schema node as plain JSON. */
export type SchemaNode = { [keyword: string]: unknown };

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveRef(node: SchemaNode, root: SchemaNode): SchemaNode {
  if (typeof node.$ref !== 'string') return node;
  const ref = node.$ref;
  const { $ref: _ref, ...siblings } = node;
  let target: unknown;
  if (ref === '#') target = root;
  else if (ref.startsWith('#/$defs/')) target = (root.$defs as SchemaNode | undefined)?.[decodeURIComponent(ref.slice('#/$defs/'.length))];
  return isNode(target) ? { ...target, ...siblings } : siblings;
}

/**
 * The concrete alternatives a node stands for: `$ref`s resolved, `anyOf`/`oneOf` split into
 * members and `allOf` parts merged in; array nodes replaced by their items, since EventBridge
 * flattens arrays when matching.
 */
export function alternativesOf(node: unknown, root: SchemaNode, depth = 0): SchemaNode[] {
  // Recursive schemas: a pattern is finite, and eight levels of nesting is far beyond any contract.
  if (!isNode(node) || depth > 8) return [];
  const resolved = resolveRef(node, root);
  const union = (resolved.anyOf ?? resolved.oneOf) as unknown[] | undefined;
  if (Array.isArray(union)) {
    const { anyOf: _a, oneOf: _o, ...rest } = resolved;
    return union.flatMap((member) => alternativesOf({ ...rest, ...(isNode(member) ? member : {}) }, root, depth + 1));
  }
  if (Array.isArray(resolved.allOf)) {
    const { allOf, ...rest } = resolved;
    const merged = (allOf as unknown[]).reduce<SchemaNode>((acc, part) => mergeNodes(acc, resolveRef(isNode(part) ? part : {}, root)), rest);
    return alternativesOf(merged, root, depth + 1);
  }
  const types = typesOf(resolved);
  if (types.has('array') && isNode(resolved.items)) {
    const others = [...types].filter((t) => t !== 'array');
    const items = alternativesOf(resolved.items, root, depth + 1);
    return others.length > 0 ? [...items, { ...resolved, type: others }] : items;
  }
  return [resolved];
}

function mergeNodes(a: SchemaNode, b: SchemaNode): SchemaNode {
  const properties = { ...(isNode(a.properties) ? a.properties : {}), ...(isNode(b.properties) ? b.properties : {}) };
  return { ...a, ...b, ...(Object.keys(properties).length > 0 ? { properties } : {}) };
}

/** The JSON types a node admits; inferred from `const`/`enum` when `type` is absent; empty means any. */
export function typesOf(node: SchemaNode): Set<string> {
  if (typeof node.type === 'string') return new Set([node.type]);
  if (Array.isArray(node.type)) return new Set(node.type as string[]);
  const values = finiteValues(node);
  if (values) return new Set(values.map(jsonType));
  return new Set();
}

/** The values a node allows when it is a `const` or an `enum`, else undefined (infinitely many). */
export function finiteValues(node: SchemaNode): unknown[] | undefined {
  if ('const' in node) return [node.const];
  if (Array.isArray(node.enum)) return node.enum;
  return undefined;
}

export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** True when a node of these types can hold a value of JSON type `type` (an integer is a number). */
export function admits(types: ReadonlySet<string>, type: string): boolean {
  if (types.size === 0) return true;
  if (types.has(type)) return true;
  return type === 'integer' && types.has('number');
}

/**
 * The schema nodes a pattern field path reaches: empty when the field does not exist in the
 * schema. Objects that accept unknown fields still count as "does not exist" for undeclared
 * names: a contract only promises what it declares.
 *
 * @example
 * ```ts
 * nodesAtPath(schema, ['detail', 'data', 'origin']); // [{ type: 'string', enum: ['registration', 'staff', 'self-service'] }]
 * ```
 */
export function nodesAtPath(root: SchemaNode, path: readonly string[]): SchemaNode[] {
  let current: SchemaNode[] = alternativesOf(root, root);
  for (const segment of path) {
    const next: SchemaNode[] = [];
    for (const node of current) {
      const properties = isNode(node.properties) ? node.properties : undefined;
      const child = properties?.[segment];
      if (child !== undefined) next.push(...alternativesOf(child, root));
      else if (isNode(node.additionalProperties) && !properties) next.push(...alternativesOf(node.additionalProperties, root));
    }
    current = next;
    if (current.length === 0) return [];
  }
  return current;
}

/** Every leaf field path of a schema (dotted, arrays flattened), for the catalog's field search. */
export function leafPaths(root: SchemaNode, start: readonly string[] = []): string[] {
  const found = new Set<string>();
  const visit = (nodes: SchemaNode[], path: string[], depth: number) => {
    for (const node of nodes) {
      const properties = isNode(node.properties) ? node.properties : undefined;
      if (!properties || depth > 8) {
        if (path.length > 0) found.add(path.join('.'));
        continue;
      }
      for (const [key, child] of Object.entries(properties)) visit(alternativesOf(child, root), [...path, key], depth + 1);
    }
  };
  visit(nodesAtPath(root, start), [...start], 0);
  return [...found];
}

/**
 * True when every event of the schema carries the field at `path`: each step is a required property
 * of every alternative, and no array lies on the way (an empty array holds no element).
 *
 * @example
 * ```ts
 * alwaysPresent(schema, ['detail', 'data', 'customerId']); // true: required all the way down
 * ```
 */
export function alwaysPresent(root: SchemaNode, path: readonly string[]): boolean {
  let current: SchemaNode[] = alternativesOf(root, root);
  for (const segment of path) {
    const next: SchemaNode[] = [];
    for (const node of current) {
      const properties = isNode(node.properties) ? node.properties : undefined;
      const required = Array.isArray(node.required) ? (node.required as string[]) : [];
      if (!properties || !(segment in properties) || !required.includes(segment)) return false;
      const child = resolveRef(properties[segment] as SchemaNode, root);
      if (typesOf(child).has('array')) return false;
      next.push(...alternativesOf(child, root));
    }
    if (next.length === 0) return false;
    current = next;
  }
  return true;
}

type Interval = { min: number; minOpen: boolean; max: number; maxOpen: boolean };

function nodeInterval(node: SchemaNode): Interval {
  const interval: Interval = { min: -Infinity, minOpen: false, max: Infinity, maxOpen: false };
  if (typeof node.minimum === 'number') interval.min = node.minimum;
  if (typeof node.exclusiveMinimum === 'number' && node.exclusiveMinimum >= interval.min) Object.assign(interval, { min: node.exclusiveMinimum, minOpen: true });
  if (typeof node.maximum === 'number') interval.max = node.maximum;
  if (typeof node.exclusiveMaximum === 'number' && node.exclusiveMaximum <= interval.max) Object.assign(interval, { max: node.exclusiveMaximum, maxOpen: true });
  return interval;
}

/** The interval a `numeric` matcher accepts, or undefined when it is not one this reads. */
function numericInterval(operand: unknown): Interval | undefined {
  if (!Array.isArray(operand)) return undefined;
  const interval: Interval = { min: -Infinity, minOpen: false, max: Infinity, maxOpen: false };
  for (let index = 0; index + 1 < operand.length; index += 2) {
    const [op, bound] = [operand[index], operand[index + 1]];
    if (typeof bound !== 'number') return undefined;
    if (op === '=') Object.assign(interval, { min: bound, minOpen: false, max: bound, maxOpen: false });
    else if (op === '>' || op === '>=') Object.assign(interval, { min: bound, minOpen: op === '>' });
    else if (op === '<' || op === '<=') Object.assign(interval, { max: bound, maxOpen: op === '<' });
    else return undefined;
  }
  return interval;
}

function showInterval(i: Interval): string {
  return `${i.minOpen ? '(' : '['}${i.min}, ${i.max}${i.maxOpen ? ')' : ']'}`;
}

function intersects(a: Interval, b: Interval, integer: boolean): boolean {
  const low = a.min > b.min || (a.min === b.min && a.minOpen) ? a : b;
  const high = a.max < b.max || (a.max === b.max && a.maxOpen) ? a : b;
  let min = low.min;
  let max = high.max;
  if (integer) {
    min = low.minOpen && Number.isInteger(min) ? min + 1 : Math.ceil(min);
    max = high.maxOpen && Number.isInteger(max) ? max - 1 : Math.floor(max);
    return min <= max;
  }
  if (min < max) return true;
  return min === max && !low.minOpen && !high.maxOpen;
}

function stringProblem(node: SchemaNode, value: string, how: 'exact' | 'prefix' | 'suffix' | 'ignore-case'): string | undefined {
  const maxLength = typeof node.maxLength === 'number' ? node.maxLength : Infinity;
  const minLength = typeof node.minLength === 'number' ? node.minLength : 0;
  if (value.length > maxLength) return `${JSON.stringify(value)} is longer than maxLength ${maxLength}`;
  if (how === 'prefix' || how === 'suffix') return undefined;
  if (value.length < minLength) return `${JSON.stringify(value)} is shorter than minLength ${minLength}`;
  if (typeof node.pattern === 'string') {
    const regex = new RegExp(node.pattern, how === 'ignore-case' ? 'i' : '');
    const label = typeof node.format === 'string' ? `format ${node.format}` : `pattern ${node.pattern}`;
    if (!regex.test(value)) return `${JSON.stringify(value)} does not match ${label}`;
  }
  return undefined;
}

/**
 * Why a pattern matcher can never match a value this schema node allows (pattern/format, length,
 * bounds, integer-ness, multipleOf), or undefined when some value may match or the matcher is one
 * it cannot judge (wildcard, anything-but, cidr, a prefix against a pattern).
 *
 * @example
 * ```ts
 * valueProblem({ type: 'string', maxLength: 3 }, 'toolong'); // '"toolong" is longer than maxLength 3'
 * valueProblem({ type: 'integer', minimum: 0 }, { numeric: ['<', 0] }); // 'numeric range [-Infinity, 0) is outside [0, Infinity]'
 * ```
 */
export function valueProblem(node: SchemaNode, matcher: unknown): string | undefined {
  const types = typesOf(node);
  const integer = types.has('integer') && !types.has('number');
  if (typeof matcher === 'string') return admits(types, 'string') ? stringProblem(node, matcher, 'exact') : `not a ${[...types].join(' | ')}`;
  if (typeof matcher === 'number') {
    if (!admits(types, jsonType(matcher))) return `not a ${[...types].join(' | ')}`;
    if (!intersects(nodeInterval(node), { min: matcher, minOpen: false, max: matcher, maxOpen: false }, false)) return `${matcher} is outside ${showInterval(nodeInterval(node))}`;
    if (typeof node.multipleOf === 'number' && Math.abs(matcher / node.multipleOf - Math.round(matcher / node.multipleOf)) > 1e-9) return `${matcher} is not a multiple of ${node.multipleOf}`;
    return undefined;
  }
  if (!isNode(matcher)) return undefined;
  const [operator, operand] = Object.entries(matcher)[0] ?? [];
  if (operator === 'numeric') {
    if (!admits(types, 'number') && !admits(types, 'integer')) return `not a number`;
    const range = numericInterval(operand);
    if (range && !intersects(nodeInterval(node), range, integer)) {
      return `numeric range ${showInterval(range)} holds no ${integer ? 'integer ' : ''}value within ${showInterval(nodeInterval(node))}`;
    }
    return undefined;
  }
  if (!admits(types, 'string')) return operator === 'exists' ? undefined : `not a string`;
  if (operator === 'prefix' && typeof operand === 'string') return stringProblem(node, operand, 'prefix');
  if (operator === 'suffix' && typeof operand === 'string') return stringProblem(node, operand, 'suffix');
  if (operator === 'equals-ignore-case' && typeof operand === 'string') return stringProblem(node, operand, 'ignore-case');
  return undefined;
}

/** One row of a version's field table. */
export interface FieldRow {
  /** Dotted inside `detail.data`; `[]` marks array items: `items[].sku`. */
  readonly path: string;
  /** `string (email)`, `integer`, `array of object`, `"paid" | "new"`, `string | null`. */
  readonly type: string;
  /** Required in its parent object (a field of an optional object is only there when the object is). */
  readonly required: boolean;
  readonly constraints: readonly string[];
  readonly description?: string;
  readonly pii?: string;
}

function members(node: SchemaNode, root: SchemaNode): SchemaNode[] {
  const resolved = resolveRef(node, root);
  const union = (resolved.anyOf ?? resolved.oneOf) as unknown[] | undefined;
  if (!Array.isArray(union)) return [resolved];
  const { anyOf: _a, oneOf: _o, ...rest } = resolved;
  return union.flatMap((member) => members({ ...rest, ...(isNode(member) ? member : {}) }, root));
}

function typeLabel(node: SchemaNode, root: SchemaNode, depth: number): string {
  const labels = members(node, root).map((member) => {
    if ('const' in member) return JSON.stringify(member.const);
    if (Array.isArray(member.enum)) return member['x-kestrel-open-enum'] === true ? 'string (open enum)' : 'enum';
    const types = [...typesOf(member)];
    if (types.includes('array')) return depth > 4 ? 'array' : `array of ${isNode(member.items) ? typeLabel(member.items, root, depth + 1) : 'any'}`;
    const base = types.length === 0 ? 'any' : types.join(' | ');
    return typeof member.format === 'string' ? `${base} (${member.format})` : base;
  });
  return [...new Set(labels)].join(' | ');
}

function constraintsOf(node: SchemaNode, root: SchemaNode): string[] {
  const found: string[] = [];
  for (const member of members(node, root)) {
    if (Array.isArray(member.enum)) found.push(`${member['x-kestrel-open-enum'] === true ? 'known values' : 'one of'} ${(member.enum as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
    for (const keyword of ['minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minItems', 'maxItems'] as const) {
      // zod puts the safe-integer range on every integer; it says nothing a reader needs.
      if (typeof member[keyword] === 'number' && Math.abs(member[keyword] as number) !== Number.MAX_SAFE_INTEGER) found.push(`${keyword} ${member[keyword] as number}`);
    }
    if (typeof member.pattern === 'string' && typeof member.format !== 'string') found.push(`pattern ${member.pattern}`);
    if (member.deprecated === true) found.push(`deprecated${typeof member['x-kestrel-remove-after'] === 'string' ? `, remove after ${member['x-kestrel-remove-after'] as string}` : ''}`);
  }
  return [...new Set(found)];
}

/**
 * The typed field table of a contract version: every field of `detail.data`, nested objects and
 * array items included, with type, required-ness, constraints, description and PII mark.
 *
 * @example
 * ```ts
 * fieldRows(toJsonSchema(CustomerCreatedV1))[0]; // { path: 'customerId', type: 'string (uuid)', required: true, constraints: [], ... }
 * ```
 */
export function fieldRows(root: SchemaNode, start: readonly string[] = ['detail', 'data']): FieldRow[] {
  const rows = new Map<string, FieldRow>();
  const visit = (objects: SchemaNode[], prefix: string, depth: number) => {
    if (depth > 8) return;
    for (const object of objects) {
      const properties = isNode(object.properties) ? object.properties : {};
      const required = new Set(Array.isArray(object.required) ? (object.required as string[]) : []);
      for (const [key, child] of Object.entries(properties)) {
        if (!isNode(child)) continue;
        const path = `${prefix}${key}`;
        const parts = members(child, root);
        const described = parts.find((m) => typeof m.description === 'string')?.description ?? child.description;
        const pii = parts.find((m) => typeof m['x-kestrel-pii'] === 'string')?.['x-kestrel-pii'];
        if (!rows.has(path)) {
          rows.set(path, {
            path,
            type: typeLabel(child, root, 0),
            required: required.has(key),
            constraints: constraintsOf(child, root),
            ...(typeof described === 'string' ? { description: described } : {}),
            ...(typeof pii === 'string' ? { pii } : {}),
          });
        }
        const nested = parts.filter((m) => isNode(m.properties));
        if (nested.length > 0) visit(nested, `${path}.`, depth + 1);
        const items = parts.filter((m) => typesOf(m).has('array') && isNode(m.items)).flatMap((m) => members(m.items as SchemaNode, root)).filter((m) => isNode(m.properties));
        if (items.length > 0) visit(items, `${path}[].`, depth + 1);
      }
    }
  };
  visit(nodesAtPath(root, start).filter((node) => isNode(node.properties)), '', 0);
  return [...rows.values()];
}
