// Structural comparison of two JSON Schemas (as zod's toJSONSchema emits them) of the same
// contract version. The rule it enforces: every event valid under the base schema must stay
// valid under the current one (archived events replay, producers not yet redeployed keep
// publishing), and no field a consumer may read disappears or stops being guaranteed.

/** A JSON Schema node as plain JSON. */
export type SchemaNode = { [keyword: string]: unknown };

export const BREAKING_KINDS = [
  'field-removed',
  'type-changed',
  'item-type-changed',
  'optional-made-required',
  'required-field-added',
  'required-made-optional',
  'enum-value-removed',
  'values-restricted',
  'format-tightened',
  'pattern-tightened',
  'length-tightened',
  'bounds-tightened',
  'additional-properties-closed',
  'variant-removed',
  'unrecognised-change',
  'version-removed',
] as const;

export const COMPATIBLE_KINDS = [
  'optional-field-added',
  'enum-value-added',
  'constraint-loosened',
  'type-widened',
  'annotation-changed',
  'pii-mark-changed',
  'version-added',
  'version-retired',
] as const;

export type BreakingKind = (typeof BREAKING_KINDS)[number];
export type CompatibleKind = (typeof COMPATIBLE_KINDS)[number];
export type ChangeKind = BreakingKind | CompatibleKind;

/** One difference between the base and the current schema, at a dotted path in the event. */
export interface SchemaChange {
  readonly path: string;
  readonly kind: ChangeKind;
  readonly breaking: boolean;
  /** Human-readable before → after, e.g. `maxLength 100 → 50`. */
  readonly detail: string;
}

const ANNOTATIONS = new Set([
  'title',
  'description',
  'examples',
  'default',
  'deprecated',
  '$comment',
  'readOnly',
  'writeOnly',
  '$schema',
  '$id',
  'contentEncoding',
  'contentMediaType',
]);
const PII_KEYWORD = 'x-kestrel-pii';

// Keywords compared with their own rules below; anything else that changes is flagged for review.
const HANDLED = new Set([
  'type',
  'enum',
  'const',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'anyOf',
  'oneOf',
  'allOf',
  '$ref',
  '$defs',
]);

function isAnnotation(keyword: string): boolean {
  return ANNOTATIONS.has(keyword) || keyword.startsWith('x-');
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isNode(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  // Regexes and enums can be long; the table only needs enough to recognise them.
  return text.length > 48 ? `${text.slice(0, 45)}...` : text;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** `true`/`{}` accept anything; `false` accepts nothing. */
function asNode(schema: unknown): SchemaNode {
  if (schema === false) return { not: {} };
  return isNode(schema) ? schema : {};
}

type Bound = { value: number; exclusive: boolean };

function lowerBound(node: SchemaNode): Bound | undefined {
  const inclusive = typeof node.minimum === 'number' ? { value: node.minimum, exclusive: false } : undefined;
  const exclusive = typeof node.exclusiveMinimum === 'number' ? { value: node.exclusiveMinimum, exclusive: true } : undefined;
  if (!inclusive) return exclusive;
  if (!exclusive) return inclusive;
  return exclusive.value >= inclusive.value ? exclusive : inclusive;
}

function upperBound(node: SchemaNode): Bound | undefined {
  const inclusive = typeof node.maximum === 'number' ? { value: node.maximum, exclusive: false } : undefined;
  const exclusive = typeof node.exclusiveMaximum === 'number' ? { value: node.exclusiveMaximum, exclusive: true } : undefined;
  if (!inclusive) return exclusive;
  if (!exclusive) return inclusive;
  return exclusive.value <= inclusive.value ? exclusive : inclusive;
}

function showBound(bound: Bound | undefined, side: 'lower' | 'upper'): string {
  if (!bound) return '(none)';
  const op = side === 'lower' ? (bound.exclusive ? '>' : '>=') : bound.exclusive ? '<' : '<=';
  return `${op} ${bound.value}`;
}

/** -1 when `current` accepts fewer values than `base`, 1 when more, 0 when the same. */
function compareLower(base: Bound | undefined, current: Bound | undefined): number {
  if (!base && !current) return 0;
  if (!base) return -1;
  if (!current) return 1;
  if (current.value !== base.value) return current.value > base.value ? -1 : 1;
  if (current.exclusive === base.exclusive) return 0;
  return current.exclusive ? -1 : 1;
}

function compareUpper(base: Bound | undefined, current: Bound | undefined): number {
  if (!base && !current) return 0;
  if (!base) return -1;
  if (!current) return 1;
  if (current.value !== base.value) return current.value < base.value ? -1 : 1;
  if (current.exclusive === base.exclusive) return 0;
  return current.exclusive ? -1 : 1;
}

function typeSet(node: SchemaNode): Set<string> | undefined {
  if (typeof node.type === 'string') return new Set([node.type]);
  if (Array.isArray(node.type)) return new Set(node.type as string[]);
  return undefined;
}

function accepts(types: Set<string>, type: string): boolean {
  return types.has(type) || (type === 'integer' && types.has('number'));
}

function allowedValues(node: SchemaNode): unknown[] | undefined {
  if (Array.isArray(node.enum)) return node.enum;
  if ('const' in node) return [node.const];
  return undefined;
}

/** Properties of an object alternative pinned to constants, e.g. `{ by: ['"sms"'] }` in a discriminated union. */
function discriminators(node: SchemaNode): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  if (!isNode(node.properties)) return found;
  for (const [key, property] of Object.entries(node.properties)) {
    const values = isNode(property) ? allowedValues(property) : undefined;
    if (values) found.set(key, new Set(values.map(canonical)));
  }
  return found;
}

/** True when two object alternatives pin some shared property to disjoint values, so they describe different variants. */
function differentVariants(base: SchemaNode, current: SchemaNode): boolean {
  const currentPins = discriminators(current);
  for (const [key, values] of discriminators(base)) {
    const other = currentPins.get(key);
    if (other && ![...values].some((v) => other.has(v))) return true;
  }
  return false;
}

function describeAlternative(node: SchemaNode): string {
  const pins = discriminators(node);
  if (pins.size > 0) return `variant { ${[...pins].map(([key, values]) => `${key}: ${[...values].join(' | ')}`).join(', ')} }`;
  const values = allowedValues(node);
  if (values) return values.map((v) => JSON.stringify(v)).join(' | ');
  const types = typeSet(node);
  return types ? [...types].join(' | ') : 'any value';
}

class Comparer {
  changes: SchemaChange[] = [];
  private readonly visiting = new Set<string>();

  constructor(
    private readonly baseRoot: SchemaNode,
    private readonly currentRoot: SchemaNode,
  ) {}

  private add(path: string, kind: ChangeKind, breaking: boolean, detail: string): void {
    this.changes.push({ path, kind, breaking, detail });
  }

  private resolve(node: SchemaNode, root: SchemaNode): { node: SchemaNode; ref?: string } {
    if (typeof node.$ref !== 'string') return { node };
    const ref = node.$ref;
    const { $ref: _ref, ...siblings } = node;
    let target: unknown;
    if (ref === '#') target = root;
    else if (ref.startsWith('#/$defs/')) target = (root.$defs as SchemaNode | undefined)?.[decodeURIComponent(ref.slice('#/$defs/'.length))];
    if (!isNode(target)) throw new Error(`Cannot resolve ${ref} in schema`);
    return { node: { ...target, ...siblings }, ref };
  }

  compare(baseSchema: unknown, currentSchema: unknown, path: string): void {
    const base = this.resolve(asNode(baseSchema), this.baseRoot);
    const current = this.resolve(asNode(currentSchema), this.currentRoot);
    if (base.ref !== undefined || current.ref !== undefined) {
      // Recursive schemas: a pair of definitions already being compared needs no second pass.
      const key = `${base.ref ?? ''}|${current.ref ?? ''}`;
      if (this.visiting.has(key)) return;
      this.visiting.add(key);
      this.compareResolved(base.node, current.node, path);
      this.visiting.delete(key);
      return;
    }
    this.compareResolved(base.node, current.node, path);
  }

  private compareResolved(base: SchemaNode, current: SchemaNode, path: string): void {
    this.compareAnnotations(base, current, path);
    const baseAlternatives = this.alternatives(base, this.baseRoot);
    const currentAlternatives = this.alternatives(current, this.currentRoot);
    if (baseAlternatives.length > 1 || currentAlternatives.length > 1) {
      this.compareAlternatives(baseAlternatives, currentAlternatives, path);
      return;
    }
    this.compareSingle(base, current, path);
  }

  private compareAnnotations(base: SchemaNode, current: SchemaNode, path: string): void {
    for (const keyword of new Set([...Object.keys(base), ...Object.keys(current)])) {
      if (!isAnnotation(keyword) || same(base[keyword], current[keyword])) continue;
      if (keyword === PII_KEYWORD) {
        this.add(path, 'pii-mark-changed', false, `PII ${show(base[keyword])} → ${show(current[keyword])}; analytics pseudonymisation follows`);
      } else if (keyword !== 'examples') {
        this.add(path, 'annotation-changed', false, `${keyword} changed`);
      }
    }
  }

  /** A union (anyOf/oneOf or a list of types) as its members, each carrying the node's other constraints. */
  private alternatives(node: SchemaNode, root: SchemaNode, seenRefs: ReadonlySet<string> = new Set()): SchemaNode[] {
    const union = (node.anyOf ?? node.oneOf) as unknown[] | undefined;
    if (Array.isArray(union)) {
      const rest: SchemaNode = {};
      for (const [keyword, value] of Object.entries(node)) {
        if (keyword !== 'anyOf' && keyword !== 'oneOf' && !isAnnotation(keyword)) rest[keyword] = value;
      }
      return union.flatMap((member) => {
        const memberNode = asNode(member);
        const ref = typeof memberNode.$ref === 'string' ? memberNode.$ref : undefined;
        // A union that contains itself (recursive types) is expanded once; deeper levels compare by reference.
        if (ref !== undefined && seenRefs.has(ref)) return [{ ...rest, ...memberNode }];
        const nextSeen = ref === undefined ? seenRefs : new Set([...seenRefs, ref]);
        return this.alternatives({ ...rest, ...this.resolve(memberNode, root).node }, root, nextSeen);
      });
    }
    const types = typeSet(node);
    if (types && types.size > 1) return [...types].map((type) => ({ ...node, type }));
    return [node];
  }

  private compareAlternatives(baseAlternatives: SchemaNode[], currentAlternatives: SchemaNode[], path: string): void {
    const used = new Set<number>();
    for (const base of baseAlternatives) {
      let best: { index: number; changes: SchemaChange[]; breaks: number } | undefined;
      currentAlternatives.forEach((current, index) => {
        const baseTypes = typeSet(base);
        const currentTypes = typeSet(current);
        if (baseTypes && currentTypes && ![...baseTypes].some((t) => accepts(currentTypes, t))) return;
        if (differentVariants(base, current)) return;
        const saved = this.changes;
        this.changes = [];
        this.compareSingle(base, current, path);
        const changes = this.changes;
        this.changes = saved;
        const breaks = changes.filter((c) => c.breaking).length;
        if (!best || breaks < best.breaks) best = { index, changes, breaks };
      });
      if (!best) {
        const kind = discriminators(base).size > 0 ? 'variant-removed' : path.endsWith(']') ? 'item-type-changed' : 'type-changed';
        this.add(path, kind, true, `${describeAlternative(base)} no longer accepted`);
        continue;
      }
      used.add(best.index);
      this.changes.push(...best.changes);
    }
    currentAlternatives.forEach((current, index) => {
      if (!used.has(index)) this.add(path, 'type-widened', false, `now also accepts ${describeAlternative(current)}`);
    });
  }

  private compareSingle(base: SchemaNode, current: SchemaNode, path: string): void {
    if (!this.compareTypes(base, current, path)) return;
    this.compareValues(base, current, path);
    this.compareStrings(base, current, path);
    this.compareNumbers(base, current, path);
    this.compareObjects(base, current, path);
    this.compareArrays(base, current, path);
    this.compareAllOf(base, current, path);
    for (const keyword of new Set([...Object.keys(base), ...Object.keys(current)])) {
      if (HANDLED.has(keyword) || isAnnotation(keyword) || same(base[keyword], current[keyword])) continue;
      this.add(path, 'unrecognised-change', true, `keyword ${keyword} changed (${show(base[keyword])} → ${show(current[keyword])}); review by hand`);
    }
  }

  /** Returns false when the types no longer overlap, so comparing deeper would only add noise. */
  private compareTypes(base: SchemaNode, current: SchemaNode, path: string): boolean {
    const baseTypes = typeSet(base);
    const currentTypes = typeSet(current);
    const kind: BreakingKind = path.endsWith(']') ? 'item-type-changed' : 'type-changed';
    if (!currentTypes) {
      if (baseTypes) this.add(path, 'type-widened', false, `${[...baseTypes].join(' | ')} → any type`);
      return true;
    }
    if (!baseTypes) {
      this.add(path, kind, true, `any type → ${[...currentTypes].join(' | ')}`);
      return true;
    }
    const lost = [...baseTypes].filter((t) => !accepts(currentTypes, t));
    if (lost.length > 0) {
      this.add(path, kind, true, `${[...baseTypes].join(' | ')} → ${[...currentTypes].join(' | ')}`);
      return lost.length < baseTypes.size;
    }
    const gained = [...currentTypes].filter((t) => !baseTypes.has(t));
    if (gained.length > 0) this.add(path, 'type-widened', false, `${[...baseTypes].join(' | ')} → ${[...currentTypes].join(' | ')}`);
    return true;
  }

  private compareValues(base: SchemaNode, current: SchemaNode, path: string): void {
    const baseValues = allowedValues(base);
    const currentValues = allowedValues(current);
    if (!currentValues) {
      if (baseValues) this.add(path, 'constraint-loosened', false, `values ${show(baseValues)} → any`);
      return;
    }
    if (!baseValues) {
      this.add(path, 'values-restricted', true, `any value → only ${show(currentValues)}`);
      return;
    }
    const currentKeys = new Set(currentValues.map(canonical));
    const baseKeys = new Set(baseValues.map(canonical));
    for (const value of baseValues) {
      if (!currentKeys.has(canonical(value))) this.add(path, 'enum-value-removed', true, `${JSON.stringify(value)} no longer allowed`);
    }
    for (const value of currentValues) {
      if (!baseKeys.has(canonical(value))) this.add(path, 'enum-value-added', false, `${JSON.stringify(value)} now allowed`);
    }
  }

  private compareStrings(base: SchemaNode, current: SchemaNode, path: string): void {
    const formatChanged = !same(base.format, current.format);
    for (const [keyword, kind] of [
      ['format', 'format-tightened'],
      ['pattern', 'pattern-tightened'],
    ] as const) {
      if (same(base[keyword], current[keyword])) continue;
      // zod emits a pattern with each format; the format row already says what changed.
      if (keyword === 'pattern' && formatChanged) continue;
      // Two different formats or patterns cannot be proven to accept the same strings, so any change but removal breaks.
      if (current[keyword] === undefined) this.add(path, 'constraint-loosened', false, `${keyword} ${show(base[keyword])} removed`);
      else this.add(path, kind, true, `${keyword} ${show(base[keyword])} → ${show(current[keyword])}`);
    }
    this.compareCount(base, current, path, 'minLength', 'maxLength');
  }

  private compareCount(base: SchemaNode, current: SchemaNode, path: string, minKeyword: string, maxKeyword: string): void {
    const baseMin = typeof base[minKeyword] === 'number' ? (base[minKeyword] as number) : 0;
    const currentMin = typeof current[minKeyword] === 'number' ? (current[minKeyword] as number) : 0;
    if (currentMin > baseMin) this.add(path, 'length-tightened', true, `${minKeyword} ${show(base[minKeyword])} → ${currentMin}`);
    else if (currentMin < baseMin) this.add(path, 'constraint-loosened', false, `${minKeyword} ${baseMin} → ${show(current[minKeyword])}`);
    const baseMax = typeof base[maxKeyword] === 'number' ? (base[maxKeyword] as number) : Infinity;
    const currentMax = typeof current[maxKeyword] === 'number' ? (current[maxKeyword] as number) : Infinity;
    if (currentMax < baseMax) this.add(path, 'length-tightened', true, `${maxKeyword} ${show(base[maxKeyword])} → ${currentMax}`);
    else if (currentMax > baseMax) this.add(path, 'constraint-loosened', false, `${maxKeyword} ${baseMax} → ${show(current[maxKeyword])}`);
  }

  private compareNumbers(base: SchemaNode, current: SchemaNode, path: string): void {
    const lower = compareLower(lowerBound(base), lowerBound(current));
    const lowerDetail = `lower bound ${showBound(lowerBound(base), 'lower')} → ${showBound(lowerBound(current), 'lower')}`;
    if (lower < 0) this.add(path, 'bounds-tightened', true, lowerDetail);
    else if (lower > 0) this.add(path, 'constraint-loosened', false, lowerDetail);
    const upper = compareUpper(upperBound(base), upperBound(current));
    const upperDetail = `upper bound ${showBound(upperBound(base), 'upper')} → ${showBound(upperBound(current), 'upper')}`;
    if (upper < 0) this.add(path, 'bounds-tightened', true, upperDetail);
    else if (upper > 0) this.add(path, 'constraint-loosened', false, upperDetail);

    const baseStep = typeof base.multipleOf === 'number' ? base.multipleOf : undefined;
    const currentStep = typeof current.multipleOf === 'number' ? current.multipleOf : undefined;
    if (baseStep === currentStep || currentStep === undefined) {
      if (baseStep !== undefined && currentStep === undefined) this.add(path, 'constraint-loosened', false, `multipleOf ${baseStep} removed`);
      return;
    }
    // Old values stay valid only if the old step is a whole multiple of the new one.
    const ratio = baseStep === undefined ? NaN : baseStep / currentStep;
    const divides = Number.isFinite(ratio) && Math.abs(ratio - Math.round(ratio)) < 1e-9;
    this.add(path, divides ? 'constraint-loosened' : 'bounds-tightened', !divides, `multipleOf ${show(baseStep)} → ${currentStep}`);
  }

  private compareObjects(base: SchemaNode, current: SchemaNode, path: string): void {
    const baseProperties = (isNode(base.properties) ? base.properties : {}) as SchemaNode;
    const currentProperties = (isNode(current.properties) ? current.properties : {}) as SchemaNode;
    const baseRequired = new Set((base.required ?? []) as string[]);
    const currentRequired = new Set((current.required ?? []) as string[]);

    for (const [key, baseProperty] of Object.entries(baseProperties)) {
      const fieldPath = join(path, key);
      if (!(key in currentProperties)) {
        this.add(fieldPath, 'field-removed', true, baseRequired.has(key) ? 'required field removed' : 'optional field removed');
        continue;
      }
      if (currentRequired.has(key) && !baseRequired.has(key)) this.add(fieldPath, 'optional-made-required', true, 'optional → required');
      if (baseRequired.has(key) && !currentRequired.has(key)) {
        this.add(fieldPath, 'required-made-optional', true, 'required → optional; consumers relying on it get undefined');
      }
      this.compare(baseProperty, currentProperties[key], fieldPath);
    }
    for (const key of Object.keys(currentProperties)) {
      if (key in baseProperties) continue;
      if (currentRequired.has(key)) this.add(join(path, key), 'required-field-added', true, 'new required field; older events lack it');
      else this.add(join(path, key), 'optional-field-added', false, 'new optional field');
    }

    this.compareAdditionalProperties(base, current, path);
    if (base.propertyNames !== undefined || current.propertyNames !== undefined) {
      this.compare(base.propertyNames ?? {}, current.propertyNames ?? {}, join(path, '{key}'));
    }
    this.compareCount(base, current, path, 'minProperties', 'maxProperties');
  }

  private compareAdditionalProperties(base: SchemaNode, current: SchemaNode, path: string): void {
    const shape = (value: unknown): 'open' | 'closed' | SchemaNode => {
      if (value === false) return 'closed';
      if (value === undefined || value === true || (isNode(value) && Object.keys(value).length === 0)) return 'open';
      return asNode(value);
    };
    const before = shape(base.additionalProperties);
    const after = shape(current.additionalProperties);
    if (before === after) return;
    if (after === 'closed') {
      this.add(path, 'additional-properties-closed', true, 'unknown fields are now rejected');
    } else if (after === 'open') {
      this.add(path, 'constraint-loosened', false, 'unknown fields are now accepted');
    } else if (before === 'open') {
      this.add(path, 'additional-properties-closed', true, 'unknown fields must now match a schema');
    } else if (before !== 'closed') {
      this.compare(before, after, join(path, '*'));
    } else {
      this.add(path, 'constraint-loosened', false, 'unknown fields matching a schema are now accepted');
    }
  }

  private compareArrays(base: SchemaNode, current: SchemaNode, path: string): void {
    const baseTuple = Array.isArray(base.prefixItems) ? (base.prefixItems as unknown[]) : [];
    const currentTuple = Array.isArray(current.prefixItems) ? (current.prefixItems as unknown[]) : [];
    if (baseTuple.length !== currentTuple.length) {
      this.add(`${path}[]`, 'item-type-changed', true, `tuple of ${baseTuple.length} → tuple of ${currentTuple.length}`);
    }
    for (let index = 0; index < Math.min(baseTuple.length, currentTuple.length); index += 1) {
      this.compare(baseTuple[index], currentTuple[index], `${path}[${index}]`);
    }
    if (base.items !== undefined || current.items !== undefined) {
      if (current.items === false && base.items !== false) {
        this.add(`${path}[]`, 'item-type-changed', true, 'extra items no longer accepted');
      } else if (base.items === false && current.items !== false) {
        this.add(`${path}[]`, 'constraint-loosened', false, 'extra items now accepted');
      } else if (base.items !== false) {
        this.compare(base.items ?? {}, current.items ?? {}, `${path}[]`);
      }
    }
    this.compareCount(base, current, path, 'minItems', 'maxItems');
  }

  private compareAllOf(base: SchemaNode, current: SchemaNode, path: string): void {
    const baseParts = Array.isArray(base.allOf) ? (base.allOf as unknown[]) : undefined;
    const currentParts = Array.isArray(current.allOf) ? (current.allOf as unknown[]) : undefined;
    if (!baseParts && !currentParts) return;
    if (!baseParts || !currentParts || baseParts.length !== currentParts.length) {
      if (!same(baseParts, currentParts)) this.add(path, 'unrecognised-change', true, 'allOf changed shape; review by hand');
      return;
    }
    baseParts.forEach((part, index) => this.compare(part, currentParts[index], path));
  }
}

/**
 * Compares the base and current JSON Schema of one contract version and lists every change,
 * each marked breaking or compatible. Paths are dotted from the event root:
 * `detail.data.items[].sku`.
 *
 * @example
 * ```ts
 * const changes = compareSchemas(baseSchema, currentSchema);
 * const breaks = changes.filter((c) => c.breaking);
 * ```
 */
export function compareSchemas(base: SchemaNode, current: SchemaNode): SchemaChange[] {
  const comparer = new Comparer(base, current);
  comparer.compare(base, current, '');
  return comparer.changes;
}
