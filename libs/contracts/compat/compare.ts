// Structural comparison of two JSON Schemas (as zod's toJSONSchema emits them) of the same
// contract version. The rule it enforces (docs/events.md, "The rule"): producers deploy first,
// consumers lag, archives get replayed. So a change keeps its version only if
//   (a) every event valid under the current schema is accepted by consumers deployed with the base
//       schema (old consumers read new events), and
//   (b) every event valid under the base schema is accepted by the current consumers (replay).
// Value ranges may therefore neither widen (a) nor narrow (b); only the tolerant reader
// (`openEnum`, marked `x-kestrel-open-enum`) accepts values it does not list. Unknown fields are
// always tolerated, so optional fields may come and go. The generation property
// (`compat/generation.ts`) checks these verdicts against what parsers actually do.
import fc from 'fast-check';

/** A JSON Schema node as plain JSON. */
export type SchemaNode = { [keyword: string]: unknown };

/** Blocks the gate: a deployed consumer or a replay would reject events. */
export const BREAKING_KINDS = [
  'field-removed',
  'optional-field-removed',
  'type-changed',
  'type-widened',
  'variant-added',
  'item-type-changed',
  'optional-made-required',
  'required-field-added',
  'required-made-optional',
  'enum-value-removed',
  'enum-value-added',
  'values-restricted',
  'format-tightened',
  'format-loosened',
  'format-changed',
  'pattern-tightened',
  'pattern-loosened',
  'pattern-changed',
  'length-tightened',
  'bounds-tightened',
  'constraint-loosened',
  'additional-properties-closed',
  'variant-removed',
  'unrecognised-change',
  'version-removed',
  'consumed-version-unpublished',
] as const;

/** Blocks the gate: personal data would land in the lake in clear. */
export const PRIVACY_KINDS = ['pii-mark-removed'] as const;

/** Does not block, but a person must look: the comparer could neither prove nor refute compatibility. */
export const REVIEW_KINDS = ['format-unproven', 'pattern-unproven'] as const;

export const COMPATIBLE_KINDS = [
  'optional-field-added',
  'optional-field-retired',
  'open-enum-value-added',
  'open-enum-value-removed',
  'enum-opened',
  'enum-closed',
  'annotation-changed',
  'field-deprecated',
  'pii-mark-added',
  'pii-mark-changed',
  'version-added',
  'version-retired',
] as const;

export type BreakingKind = (typeof BREAKING_KINDS)[number];
export type PrivacyKind = (typeof PRIVACY_KINDS)[number];
export type ReviewKind = (typeof REVIEW_KINDS)[number];
export type CompatibleKind = (typeof COMPATIBLE_KINDS)[number];
export type ChangeKind = BreakingKind | PrivacyKind | ReviewKind | CompatibleKind;
export type Verdict = 'breaking' | 'privacy' | 'review' | 'compatible';

/** The verdict a kind of change carries. */
export function verdictOf(kind: ChangeKind): Verdict {
  if ((BREAKING_KINDS as readonly string[]).includes(kind)) return 'breaking';
  if ((PRIVACY_KINDS as readonly string[]).includes(kind)) return 'privacy';
  if ((REVIEW_KINDS as readonly string[]).includes(kind)) return 'review';
  return 'compatible';
}

/** One difference between the base and the current schema, at a dotted path in the event. */
export interface SchemaChange {
  readonly path: string;
  readonly kind: ChangeKind;
  readonly verdict: Verdict;
  /** True when the change blocks the gate (verdict breaking or privacy). */
  readonly breaking: boolean;
  /** Human-readable before → after, e.g. `maxLength 100 → 50`; never shortened. */
  readonly detail: string;
}

/** Keyword of the PII mark, the open-enum mark and the field deprecation deadline in the lock. */
const PII_KEYWORD = 'x-kestrel-pii';
const OPEN_ENUM_KEYWORD = 'x-kestrel-open-enum';
export const REMOVE_AFTER_KEYWORD = 'x-kestrel-remove-after';

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
  return JSON.stringify(value);
}

const OLD_CONSUMERS_REJECT = 'consumers deployed with the base schema reject the new values';
const REPLAY_FAILS = 'archived events outside it fail on replay';

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

  private add(path: string, kind: ChangeKind, detail: string): void {
    const verdict = verdictOf(kind);
    this.changes.push({ path, kind, verdict, breaking: verdict === 'breaking' || verdict === 'privacy', detail });
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
        if (current[keyword] === undefined) {
          this.add(path, 'pii-mark-removed', `PII mark ${show(base[keyword])} removed: analytics would store this field in clear; keep the mark, or remove the field from the event`);
        } else if (base[keyword] === undefined) {
          this.add(path, 'pii-mark-added', `PII mark ${show(current[keyword])} added; analytics pseudonymises it from now on`);
        } else {
          this.add(path, 'pii-mark-changed', `PII ${show(base[keyword])} → ${show(current[keyword])}; still pseudonymised`);
        }
      } else if (keyword === 'deprecated' || keyword === REMOVE_AFTER_KEYWORD) {
        if (keyword === 'deprecated' && current.deprecated === true) {
          const deadline = typeof current[REMOVE_AFTER_KEYWORD] === 'string' ? `remove after ${current[REMOVE_AFTER_KEYWORD] as string}` : 'no removal date set';
          this.add(path, 'field-deprecated', `deprecated (${deadline}); consumers reading it must stop before then`);
        } else if (keyword === REMOVE_AFTER_KEYWORD && base.deprecated === true && current.deprecated === true) {
          this.add(path, 'field-deprecated', `removal date ${show(base[keyword])} → ${show(current[keyword])}`);
        } else if (keyword === 'deprecated') {
          this.add(path, 'annotation-changed', 'no longer deprecated');
        }
      } else if (keyword !== 'examples' && keyword !== OPEN_ENUM_KEYWORD) {
        this.add(path, 'annotation-changed', `${keyword} changed`);
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
    if (types && types.size > 1) {
      // The node's annotations were compared on the node itself; members carry constraints only.
      const constraints = Object.fromEntries(Object.entries(node).filter(([keyword]) => !isAnnotation(keyword)));
      return [...types].map((type) => ({ ...constraints, type }));
    }
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
        this.add(path, kind, `${describeAlternative(base)} no longer accepted; archived events carrying it fail on replay`);
        continue;
      }
      used.add(best.index);
      // A member's own annotations (a PII mark on the string of a nullable field) count too.
      this.compareAnnotations(base, currentAlternatives[best.index]!, path);
      this.changes.push(...best.changes);
    }
    currentAlternatives.forEach((current, index) => {
      if (used.has(index)) return;
      const kind = discriminators(current).size > 0 ? 'variant-added' : 'type-widened';
      this.add(path, kind, `now also accepts ${describeAlternative(current)}; consumers deployed with the base schema reject it`);
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
      this.add(path, 'unrecognised-change', `keyword ${keyword} changed (${show(base[keyword])} → ${show(current[keyword])}); review by hand`);
    }
  }

  /** Returns false when the types no longer overlap, so comparing deeper would only add noise. */
  private compareTypes(base: SchemaNode, current: SchemaNode, path: string): boolean {
    const baseTypes = typeSet(base);
    const currentTypes = typeSet(current);
    const kind: BreakingKind = path.endsWith(']') ? 'item-type-changed' : 'type-changed';
    if (!currentTypes) {
      if (baseTypes) this.add(path, 'type-widened', `${[...baseTypes].join(' | ')} → any type; deployed consumers reject the new types`);
      return true;
    }
    if (!baseTypes) {
      this.add(path, kind, `any type → ${[...currentTypes].join(' | ')}`);
      return true;
    }
    const lost = [...baseTypes].filter((t) => !accepts(currentTypes, t));
    if (lost.length > 0) {
      this.add(path, kind, `${[...baseTypes].join(' | ')} → ${[...currentTypes].join(' | ')}`);
      return lost.length < baseTypes.size;
    }
    const gained = [...currentTypes].filter((t) => !baseTypes.has(t));
    if (gained.length > 0) {
      this.add(path, 'type-widened', `${[...baseTypes].join(' | ')} → ${[...currentTypes].join(' | ')}; deployed consumers reject ${gained.join(', ')}`);
    }
    return true;
  }

  private compareValues(base: SchemaNode, current: SchemaNode, path: string): void {
    const baseValues = allowedValues(base);
    const currentValues = allowedValues(current);
    // An open enum's readers accept any string; producers still send only the listed values.
    const baseOpen = base[OPEN_ENUM_KEYWORD] === true;
    const currentOpen = current[OPEN_ENUM_KEYWORD] === true;
    if (!currentValues) {
      if (!baseValues) return;
      if (baseOpen) this.add(path, 'enum-opened', `values ${show(baseValues)} → any; deployed readers of this open enum accept any string`);
      else this.add(path, 'constraint-loosened', `values ${show(baseValues)} → any; deployed consumers reject the values they do not list`);
      return;
    }
    if (!baseValues) {
      if (currentOpen) this.add(path, 'enum-closed', `any value → producers send only ${show(currentValues)}; readers still accept any string`);
      else this.add(path, 'values-restricted', `any value → only ${show(currentValues)}; archived events with other values fail on replay`);
      return;
    }
    const currentKeys = new Set(currentValues.map(canonical));
    const baseKeys = new Set(baseValues.map(canonical));
    for (const value of baseValues) {
      if (currentKeys.has(canonical(value))) continue;
      if (currentOpen) this.add(path, 'open-enum-value-removed', `${JSON.stringify(value)} no longer sent; replayed events carrying it reach readers as unrecognised`);
      else this.add(path, 'enum-value-removed', `${JSON.stringify(value)} no longer allowed; archived events carrying it fail on replay`);
    }
    for (const value of currentValues) {
      if (baseKeys.has(canonical(value))) continue;
      if (baseOpen) this.add(path, 'open-enum-value-added', `${JSON.stringify(value)} now sent; deployed readers see it as unrecognised`);
      else this.add(path, 'enum-value-added', `${JSON.stringify(value)} now allowed; deployed consumers reject it (declare the field with openEnum so it may grow)`);
    }
    if (!baseOpen && currentOpen) this.add(path, 'enum-opened', 'readers now accept values they do not list (openEnum)');
    if (baseOpen && !currentOpen) this.add(path, 'enum-closed', 'readers reject values they do not list again; adding a value later needs a new version');
  }

  private compareStrings(base: SchemaNode, current: SchemaNode, path: string): void {
    if (!same(base.format, current.format) || !same(base.pattern, current.pattern)) {
      const judged = compareStringLanguages(
        { format: base.format as string | undefined, pattern: base.pattern as string | undefined },
        { format: current.format as string | undefined, pattern: current.pattern as string | undefined },
      );
      this.add(path, judged.kind, judged.detail);
    }
    this.compareCount(base, current, path, 'minLength', 'maxLength');
  }

  private compareCount(base: SchemaNode, current: SchemaNode, path: string, minKeyword: string, maxKeyword: string): void {
    const baseMin = typeof base[minKeyword] === 'number' ? (base[minKeyword] as number) : 0;
    const currentMin = typeof current[minKeyword] === 'number' ? (current[minKeyword] as number) : 0;
    if (currentMin > baseMin) this.add(path, 'length-tightened', `${minKeyword} ${show(base[minKeyword])} → ${currentMin}; ${REPLAY_FAILS}`);
    else if (currentMin < baseMin) this.add(path, 'constraint-loosened', `${minKeyword} ${baseMin} → ${show(current[minKeyword])}; ${OLD_CONSUMERS_REJECT}`);
    const baseMax = typeof base[maxKeyword] === 'number' ? (base[maxKeyword] as number) : Infinity;
    const currentMax = typeof current[maxKeyword] === 'number' ? (current[maxKeyword] as number) : Infinity;
    if (currentMax < baseMax) this.add(path, 'length-tightened', `${maxKeyword} ${show(base[maxKeyword])} → ${currentMax}; ${REPLAY_FAILS}`);
    else if (currentMax > baseMax) this.add(path, 'constraint-loosened', `${maxKeyword} ${baseMax} → ${show(current[maxKeyword])}; ${OLD_CONSUMERS_REJECT}`);
  }

  private compareNumbers(base: SchemaNode, current: SchemaNode, path: string): void {
    const lower = compareLower(lowerBound(base), lowerBound(current));
    const lowerDetail = `lower bound ${showBound(lowerBound(base), 'lower')} → ${showBound(lowerBound(current), 'lower')}`;
    if (lower < 0) this.add(path, 'bounds-tightened', `${lowerDetail}; ${REPLAY_FAILS}`);
    else if (lower > 0) this.add(path, 'constraint-loosened', `${lowerDetail}; ${OLD_CONSUMERS_REJECT}`);
    const upper = compareUpper(upperBound(base), upperBound(current));
    const upperDetail = `upper bound ${showBound(upperBound(base), 'upper')} → ${showBound(upperBound(current), 'upper')}`;
    if (upper < 0) this.add(path, 'bounds-tightened', `${upperDetail}; ${REPLAY_FAILS}`);
    else if (upper > 0) this.add(path, 'constraint-loosened', `${upperDetail}; ${OLD_CONSUMERS_REJECT}`);

    const baseStep = typeof base.multipleOf === 'number' ? base.multipleOf : undefined;
    const currentStep = typeof current.multipleOf === 'number' ? current.multipleOf : undefined;
    if (baseStep === currentStep || currentStep === undefined) {
      if (baseStep !== undefined && currentStep === undefined) this.add(path, 'constraint-loosened', `multipleOf ${baseStep} removed; ${OLD_CONSUMERS_REJECT}`);
      return;
    }
    // Old values stay valid only if the old step is a whole multiple of the new one; a finer step
    // lets producers send values deployed consumers reject, so either way the range moved.
    const ratio = baseStep === undefined ? NaN : baseStep / currentStep;
    const divides = Number.isFinite(ratio) && Math.abs(ratio - Math.round(ratio)) < 1e-9;
    this.add(path, divides ? 'constraint-loosened' : 'bounds-tightened', `multipleOf ${show(baseStep)} → ${currentStep}; ${divides ? OLD_CONSUMERS_REJECT : REPLAY_FAILS}`);
  }

  private compareObjects(base: SchemaNode, current: SchemaNode, path: string): void {
    const baseProperties = (isNode(base.properties) ? base.properties : {}) as SchemaNode;
    const currentProperties = (isNode(current.properties) ? current.properties : {}) as SchemaNode;
    const baseRequired = new Set((base.required ?? []) as string[]);
    const currentRequired = new Set((current.required ?? []) as string[]);

    for (const [key, baseProperty] of Object.entries(baseProperties)) {
      const fieldPath = join(path, key);
      if (!(key in currentProperties)) {
        if (baseRequired.has(key)) this.add(fieldPath, 'field-removed', 'required field removed; deployed consumers reject events without it');
        else this.add(fieldPath, 'optional-field-removed', 'optional field removed; consumers reading it lose it');
        continue;
      }
      if (currentRequired.has(key) && !baseRequired.has(key)) this.add(fieldPath, 'optional-made-required', 'optional → required');
      if (baseRequired.has(key) && !currentRequired.has(key)) {
        this.add(fieldPath, 'required-made-optional', 'required → optional; consumers relying on it get undefined');
      }
      this.compare(baseProperty, currentProperties[key], fieldPath);
    }
    for (const key of Object.keys(currentProperties)) {
      if (key in baseProperties) continue;
      if (currentRequired.has(key)) this.add(join(path, key), 'required-field-added', `new required field; ${REPLAY_FAILS}`);
      else this.add(join(path, key), 'optional-field-added', 'new optional field; deployed consumers ignore it');
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
      this.add(path, 'additional-properties-closed', 'unknown fields are now rejected');
    } else if (after === 'open') {
      this.add(path, 'constraint-loosened', 'unknown fields are now accepted');
    } else if (before === 'open') {
      this.add(path, 'additional-properties-closed', 'unknown fields must now match a schema');
    } else if (before !== 'closed') {
      this.compare(before, after, join(path, '*'));
    } else {
      this.add(path, 'constraint-loosened', 'unknown fields matching a schema are now accepted');
    }
  }

  private compareArrays(base: SchemaNode, current: SchemaNode, path: string): void {
    const baseTuple = Array.isArray(base.prefixItems) ? (base.prefixItems as unknown[]) : [];
    const currentTuple = Array.isArray(current.prefixItems) ? (current.prefixItems as unknown[]) : [];
    if (baseTuple.length !== currentTuple.length) {
      this.add(`${path}[]`, 'item-type-changed', `tuple of ${baseTuple.length} → tuple of ${currentTuple.length}`);
    }
    for (let index = 0; index < Math.min(baseTuple.length, currentTuple.length); index += 1) {
      this.compare(baseTuple[index], currentTuple[index], `${path}[${index}]`);
    }
    if (base.items !== undefined || current.items !== undefined) {
      if (current.items === false && base.items !== false) {
        this.add(`${path}[]`, 'item-type-changed', 'extra items no longer accepted');
      } else if (base.items === false && current.items !== false) {
        this.add(`${path}[]`, 'constraint-loosened', 'extra items now accepted');
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
      if (!same(baseParts, currentParts)) this.add(path, 'unrecognised-change', 'allOf changed shape; review by hand');
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

/** The strings a JSON Schema string node accepts, as far as format and pattern go. */
export interface StringLanguage {
  readonly format?: string | undefined;
  readonly pattern?: string | undefined;
}

/** How many strings are drawn from each side when two patterns are compared. */
const LANGUAGE_SAMPLES = 300;
const LANGUAGE_SEED = 20_260_115;

function describeLanguage(language: StringLanguage): string {
  const parts = [language.format === undefined ? undefined : `format ${language.format}`, language.pattern === undefined ? undefined : `pattern ${JSON.stringify(language.pattern)}`];
  return parts.filter(Boolean).join(' + ') || 'any string';
}

function compileLanguage(language: StringLanguage): RegExp | undefined {
  if (language.pattern !== undefined) return new RegExp(language.pattern);
  return undefined;
}

/** A string the `from` language accepts and the `to` language refuses, found by sampling `from`; undefined when none was found. */
function witness(from: RegExp | undefined, to: RegExp | undefined): string | undefined {
  if (to === undefined) return undefined;
  const refused = (candidate: string) => (from === undefined || from.test(candidate)) && !to.test(candidate);
  // Short, plain candidates first: they make the clearest witness in a table, and cost nothing.
  const plain = ['', 'x', ' '].find(refused);
  if (from === undefined && plain !== undefined) return plain;
  const source = from === undefined ? fc.string({ unit: 'binary', maxLength: 40 }) : fc.stringMatching(from);
  return fc.sample(source, { numRuns: LANGUAGE_SAMPLES, seed: LANGUAGE_SEED }).find(refused);
}

/**
 * Judges a format/pattern change by the languages the two sides accept, not by their text.
 * zod emits the regex it validates a format with, so the patterns are what parsers run. Strings
 * drawn from each side (fast-check) are tested against the other: a string only the current side
 * accepts means deployed consumers reject new events (loosened); one only the base side accepts
 * means replayed events fail (tightened). With no witness either way the languages may be equal
 * (a rewritten regex, a zod upgrade): "review", not "breaking". A format without a pattern is
 * opaque, so changing it is "review" too.
 *
 * @example
 * ```ts
 * compareStringLanguages({ format: 'uuid', pattern: UUID }, { format: 'uuid', pattern: GUID });
 * // { kind: 'format-loosened', detail: 'format uuid + pattern "..." → ...; "00000000-0000-0000-0000-00000000000a" ...' }
 * ```
 */
export function compareStringLanguages(base: StringLanguage, current: StringLanguage): { kind: ChangeKind; detail: string } {
  const prefix = `${describeLanguage(base)} → ${describeLanguage(current)}`;
  const formatInvolved = base.format !== undefined || current.format !== undefined;
  const kindFor = (suffix: 'loosened' | 'tightened' | 'changed' | 'unproven'): ChangeKind =>
    `${formatInvolved ? 'format' : 'pattern'}-${suffix}` as ChangeKind;
  // A format carried without its pattern: what a parser accepts for it is unknown here.
  const opaque = (language: StringLanguage) => language.format !== undefined && language.pattern === undefined;
  if (opaque(base) || opaque(current)) {
    if (base.format === undefined && base.pattern === undefined) return { kind: kindFor('tightened'), detail: `${prefix}; ${REPLAY_FAILS}` };
    if (current.format === undefined && current.pattern === undefined) return { kind: kindFor('loosened'), detail: `${prefix}; ${OLD_CONSUMERS_REJECT}` };
    return { kind: kindFor('unproven'), detail: `${prefix}; a format without its pattern cannot be compared, review by hand` };
  }
  let baseRegex: RegExp | undefined;
  let currentRegex: RegExp | undefined;
  try {
    baseRegex = compileLanguage(base);
    currentRegex = compileLanguage(current);
  } catch (error) {
    return { kind: kindFor('unproven'), detail: `${prefix}; ${error instanceof Error ? error.message : String(error)}` };
  }
  let onlyCurrent: string | undefined;
  let onlyBase: string | undefined;
  try {
    onlyCurrent = witness(currentRegex, baseRegex);
    onlyBase = witness(baseRegex, currentRegex);
  } catch (error) {
    // fast-check cannot generate from every regex (back-references, lookbehind...).
    return { kind: kindFor('unproven'), detail: `${prefix}; cannot sample the pattern (${error instanceof Error ? error.message : String(error)}), review by hand` };
  }
  if (onlyCurrent !== undefined && onlyBase !== undefined) {
    return { kind: kindFor('changed'), detail: `${prefix}; deployed consumers reject ${JSON.stringify(onlyCurrent)}, replay rejects ${JSON.stringify(onlyBase)}` };
  }
  if (onlyCurrent !== undefined) return { kind: kindFor('loosened'), detail: `${prefix}; deployed consumers reject e.g. ${JSON.stringify(onlyCurrent)}` };
  if (onlyBase !== undefined) return { kind: kindFor('tightened'), detail: `${prefix}; archived events like ${JSON.stringify(onlyBase)} fail on replay` };
  return { kind: kindFor('unproven'), detail: `${prefix}; no string told them apart in ${LANGUAGE_SAMPLES} samples each way, review by hand` };
}
