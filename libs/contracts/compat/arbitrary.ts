// fast-check arbitraries derived from a JSON Schema as zod emits it (the schema lock), so the
// generation property can draw events any producer of a contract version may publish.
// Objects get their declared properties only: producers parse (and strip) before they publish.
import fc from 'fast-check';
import type { SchemaNode } from './compare';

/** A schema keyword the generator cannot honour; the caller reports the contract as not generated. */
export class UngeneratableSchemaError extends Error {}

/** How deep `$ref` recursion and nesting go before the generator picks the shortest way out. */
const MAX_DEPTH = 6;
/** Arrays longer than this add little: every element is drawn from the same arbitrary. */
const EXTRA_ITEMS = 4;

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Formats zod emits without a pattern get a generator of their own; the ones with a pattern use it.
const FORMAT_ARBITRARIES: Record<string, () => fc.Arbitrary<string>> = {
  uuid: () => fc.uuid(),
  email: () => fc.emailAddress(),
  'date-time': () => fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  date: () => fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  uri: () => fc.webUrl(),
};

// Compiling a regex into an arbitrary costs milliseconds (zod's date-time pattern ~100 ms) and every
// event envelope repeats the same few (uuid, date-time), so they are built once per process.
const patternArbitraries = new Map<string, fc.Arbitrary<string>>();

function patternArbitrary(pattern: string, format: string | undefined): fc.Arbitrary<string> {
  const key = `${format ?? ''}\u0000${pattern}`;
  let arbitrary = patternArbitraries.get(key);
  if (!arbitrary) {
    const regex = new RegExp(pattern);
    const fromPattern = fc.stringMatching(regex);
    const formatArbitrary = format === undefined ? undefined : FORMAT_ARBITRARIES[format];
    // A format's own generator is cheap and realistic; the pattern's covers what it never draws.
    arbitrary = formatArbitrary
      ? fc.oneof({ arbitrary: formatArbitrary().filter((v) => regex.test(v)), weight: 3 }, { arbitrary: fromPattern, weight: 1 })
      : fromPattern;
    patternArbitraries.set(key, arbitrary);
  }
  return arbitrary;
}

class Generator {
  constructor(private readonly root: SchemaNode) {}

  private resolve(ref: string): SchemaNode {
    if (ref === '#') return this.root;
    const prefix = '#/$defs/';
    const target = ref.startsWith(prefix) ? (this.root.$defs as SchemaNode | undefined)?.[decodeURIComponent(ref.slice(prefix.length))] : undefined;
    if (!isNode(target)) throw new UngeneratableSchemaError(`cannot resolve ${ref}`);
    return target;
  }

  arbitrary(schema: unknown, depth: number): fc.Arbitrary<unknown> {
    if (schema === true || schema === undefined) return fc.jsonValue({ maxDepth: 1 });
    if (schema === false) throw new UngeneratableSchemaError('schema false accepts nothing');
    if (!isNode(schema)) throw new UngeneratableSchemaError(`not a schema: ${JSON.stringify(schema)}`);
    let node = schema;
    if (typeof node.$ref === 'string') {
      const { $ref, ...siblings } = node;
      node = { ...this.resolve($ref as string), ...siblings };
    }
    if ('not' in node) throw new UngeneratableSchemaError('keyword not');
    if (Array.isArray(node.allOf)) {
      const { allOf, ...rest } = node;
      node = (allOf as unknown[]).reduce<SchemaNode>((merged, part) => ({ ...merged, ...(isNode(part) ? part : {}) }), rest);
    }
    const union = (node.anyOf ?? node.oneOf) as unknown[] | undefined;
    if (Array.isArray(union)) {
      const { anyOf: _any, oneOf: _one, ...rest } = node;
      // Past the depth limit, prefer members without references (the way out of a recursion).
      const members = depth >= MAX_DEPTH ? union.filter((m) => !JSON.stringify(m).includes('$ref')) : union;
      const chosen = members.length > 0 ? members : union;
      return fc.oneof(...chosen.map((member) => this.arbitrary({ ...rest, ...(isNode(member) ? member : {}) }, depth + 1)));
    }
    if (Array.isArray(node.enum)) return fc.constantFrom(...(node.enum as unknown[]));
    if ('const' in node) return fc.constant(node.const);
    if (Array.isArray(node.type)) {
      return fc.oneof(...(node.type as string[]).map((type) => this.arbitrary({ ...node, type }, depth)));
    }
    switch (node.type) {
      case 'string':
        return this.string(node);
      case 'integer':
        return this.integer(node);
      case 'number':
        return this.number(node);
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'object':
        return this.object(node, depth);
      case 'array':
        return this.array(node, depth);
      case undefined:
        if (isNode(node.properties)) return this.object(node, depth);
        return fc.jsonValue({ maxDepth: 1 });
      default:
        throw new UngeneratableSchemaError(`type ${JSON.stringify(node.type)}`);
    }
  }

  private string(node: SchemaNode): fc.Arbitrary<string> {
    const minLength = typeof node.minLength === 'number' ? node.minLength : 0;
    const maxLength = typeof node.maxLength === 'number' ? node.maxLength : undefined;
    const fits = (value: string) => value.length >= minLength && (maxLength === undefined || value.length <= maxLength);
    if (typeof node.pattern === 'string') {
      const drawn = patternArbitrary(node.pattern, typeof node.format === 'string' ? node.format : undefined);
      return minLength === 0 && maxLength === undefined ? drawn : drawn.filter(fits);
    }
    if (typeof node.format === 'string') {
      const format = FORMAT_ARBITRARIES[node.format];
      if (!format) throw new UngeneratableSchemaError(`format ${node.format} without a pattern`);
      return format().filter(fits);
    }
    return fc.string({ minLength, ...(maxLength === undefined ? { maxLength: minLength + 40 } : { maxLength }) });
  }

  private integer(node: SchemaNode): fc.Arbitrary<number> {
    const step = typeof node.multipleOf === 'number' ? node.multipleOf : 1;
    let min = typeof node.minimum === 'number' ? node.minimum : Number.MIN_SAFE_INTEGER;
    let max = typeof node.maximum === 'number' ? node.maximum : Number.MAX_SAFE_INTEGER;
    if (typeof node.exclusiveMinimum === 'number') min = Math.max(min, Math.floor(node.exclusiveMinimum) + 1);
    if (typeof node.exclusiveMaximum === 'number') max = Math.min(max, Math.ceil(node.exclusiveMaximum) - 1);
    if (step !== 1) {
      return fc.integer({ min: Math.ceil(min / step), max: Math.floor(max / step) }).map((k) => k * step);
    }
    return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
  }

  private number(node: SchemaNode): fc.Arbitrary<number> {
    if (typeof node.multipleOf === 'number') return this.integer(node);
    const min = typeof node.minimum === 'number' ? node.minimum : typeof node.exclusiveMinimum === 'number' ? node.exclusiveMinimum : -1e12;
    const max = typeof node.maximum === 'number' ? node.maximum : typeof node.exclusiveMaximum === 'number' ? node.exclusiveMaximum : 1e12;
    return fc.double({
      min,
      max,
      minExcluded: typeof node.exclusiveMinimum === 'number',
      maxExcluded: typeof node.exclusiveMaximum === 'number',
      noNaN: true,
      noDefaultInfinity: true,
    });
  }

  private object(node: SchemaNode, depth: number): fc.Arbitrary<unknown> {
    const properties = isNode(node.properties) ? node.properties : {};
    const required = new Set((node.required ?? []) as string[]);
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [key, child] of Object.entries(properties)) model[key] = this.arbitrary(child, depth + 1);
    const record = fc.record(model, { requiredKeys: Object.keys(properties).filter((key) => required.has(key)) });
    // Records (`z.record`) have no declared properties, only a schema for every value.
    if (Object.keys(properties).length === 0 && isNode(node.additionalProperties)) {
      const keys = isNode(node.propertyNames) ? (this.arbitrary(node.propertyNames, depth + 1) as fc.Arbitrary<string>) : fc.string({ minLength: 1, maxLength: 12 });
      return fc.dictionary(keys, this.arbitrary(node.additionalProperties, depth + 1), { maxKeys: depth >= MAX_DEPTH ? 0 : EXTRA_ITEMS });
    }
    return record;
  }

  private array(node: SchemaNode, depth: number): fc.Arbitrary<unknown> {
    const minItems = typeof node.minItems === 'number' ? node.minItems : 0;
    const limit = typeof node.maxItems === 'number' ? node.maxItems : minItems + EXTRA_ITEMS;
    const maxItems = depth >= MAX_DEPTH ? minItems : Math.min(limit, minItems + EXTRA_ITEMS);
    if (Array.isArray(node.prefixItems)) {
      return fc.tuple(...(node.prefixItems as unknown[]).map((child) => this.arbitrary(child, depth + 1)));
    }
    return fc.array(this.arbitrary(node.items ?? true, depth + 1), { minLength: minItems, maxLength: maxItems });
  }
}

/**
 * Arbitrary drawing values valid under a JSON Schema (draft 2020-12 as zod emits it): types,
 * enums and consts, formats and patterns, lengths, bounds, multipleOf, objects with their
 * declared properties (required always, optional sometimes), arrays, tuples, records, unions,
 * `$ref` (recursion cut at a fixed depth). Values are drawn to be valid; callers still parse them
 * with the producer's own parser and drop what it refuses (refinements JSON Schema cannot state).
 *
 * @throws {@link UngeneratableSchemaError} for keywords it cannot honour (`not`, a format without a pattern it does not know).
 * @example
 * ```ts
 * fc.sample(arbitraryFromSchema(toJsonSchema(CustomerCreatedV1)), 3); // three whole EventBridge events
 * ```
 */
export function arbitraryFromSchema(schema: SchemaNode): fc.Arbitrary<unknown> {
  return new Generator(schema).arbitrary(schema, 0);
}
