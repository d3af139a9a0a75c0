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
