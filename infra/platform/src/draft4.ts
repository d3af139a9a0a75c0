/**
 * Converts the committed JSON Schema lock files (draft 2020-12, written by
 * `nx run contracts:export-schemas`) into JSON Schema draft 4, the JSON Schema
 * dialect the EventBridge Schema Registry accepts (`JSONSchemaDraft4`; the
 * other type is OpenApi3). Only the keywords our contracts use are mapped;
 * anything else fails with its path, so a contract that starts using, say,
 * `prefixItems` is noticed at synth rather than uploaded with a silently
 * different meaning.
 */

export const DRAFT4_DIALECT = 'http://json-schema.org/draft-04/schema#';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A lock-file schema used a keyword with no draft-4 equivalent we handle. */
export class Draft4ConversionError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot convert schema to JSON Schema draft 4:\n  ${problems.join('\n  ')}`);
    this.name = 'Draft4ConversionError';
  }
}

// Keywords whose value is a schema, a map of schemas or a list of schemas.
const SCHEMA_VALUED = new Set(['items', 'additionalProperties', 'not', 'additionalItems']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);
const SCHEMA_LISTS = new Set(['anyOf', 'allOf', 'oneOf']);
// Same meaning in draft 4 and draft 2020-12; copied as they are.
const PLAIN = new Set([
  'type', 'title', 'description', 'default', 'enum', 'format', 'pattern', 'minLength', 'maxLength', 'multipleOf', 'minItems', 'maxItems', 'uniqueItems', 'required',
  'minProperties', 'maxProperties',
]);
const BOUNDS = new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']);
// Draft 6+ keywords we do not translate; their presence is an error, not a silent drop.
const UNSUPPORTED = new Set([
  '$defs', '$ref', '$anchor', '$dynamicRef', '$dynamicAnchor', 'prefixItems', 'contains', 'minContains',
  'maxContains', 'propertyNames', 'if', 'then', 'else', 'dependentRequired', 'dependentSchemas',
  'unevaluatedItems', 'unevaluatedProperties', 'contentEncoding', 'contentMediaType', 'contentSchema',
]);

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function convertNode(node: Json, path: string, problems: string[]): JsonObject {
  if (!isObject(node)) {
    problems.push(`${path}: expected a schema object, got ${JSON.stringify(node)}`);
    return {};
  }
  const out: JsonObject = {};
  for (const [keyword, value] of Object.entries(node)) {
    const at = `${path}/${keyword}`;
    if (keyword === '$schema') continue; // replaced at the root
    if (keyword === '$id') out.id = value;
    else if (keyword === 'const') out.enum = [value];
    else if (keyword === 'examples') continue; // draft 6 annotation; draft 4 has none
    else if (BOUNDS.has(keyword)) {
      if (typeof value !== 'number') problems.push(`${at}: expected a number, got ${JSON.stringify(value)}`);
    } else if (SCHEMA_VALUED.has(keyword)) {
      out[keyword] = typeof value === 'boolean' ? value : convertNode(value, at, problems);
    } else if (SCHEMA_MAPS.has(keyword)) {
      if (!isObject(value)) problems.push(`${at}: expected an object of schemas`);
      else out[keyword] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, convertNode(schema, `${at}/${name}`, problems)]));
    } else if (SCHEMA_LISTS.has(keyword)) {
      if (!Array.isArray(value)) problems.push(`${at}: expected a list of schemas`);
      else out[keyword] = value.map((schema, index) => convertNode(schema, `${at}/${index}`, problems));
    } else if (PLAIN.has(keyword) || keyword.startsWith('x-')) out[keyword] = value;
    else if (UNSUPPORTED.has(keyword)) problems.push(`${at}: "${keyword}" has no draft-4 translation here`);
    else problems.push(`${at}: unknown keyword "${keyword}"`);
  }
  convertBounds(node, out);
  return out;
}

// Draft 4 keeps the bound in minimum/maximum and makes exclusiveness a boolean
// flag; draft 6+ puts the exclusive bound itself in exclusiveMinimum/Maximum.
function convertBounds(node: JsonObject, out: JsonObject): void {
  for (const [bound, exclusiveKeyword, tighter] of [
    ['minimum', 'exclusiveMinimum', (a: number, b: number) => a >= b],
    ['maximum', 'exclusiveMaximum', (a: number, b: number) => a <= b],
  ] as const) {
    const inclusive = node[bound];
    const exclusive = node[exclusiveKeyword];
    if (typeof exclusive === 'number' && (typeof inclusive !== 'number' || tighter(exclusive, inclusive))) {
      out[bound] = exclusive;
      out[exclusiveKeyword] = true;
    } else if (typeof inclusive === 'number') {
      out[bound] = inclusive;
    }
  }
}

/**
 * The draft-4 form of a draft 2020-12 schema: `$schema` set to draft 4, `$id`
 * → `id`, `const` → one-value `enum`, numeric `exclusiveMinimum`/`exclusiveMaximum`
 * → `minimum`/`maximum` with the boolean flag, `examples` dropped; vendor
 * `x-` keywords kept (EventBridge ignores them, readers see PII marks).
 *
 * @example
 * ```ts
 * toDraft4({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { v: { const: 1 } } });
 * // { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', properties: { v: { enum: [1] } } }
 * ```
 */
export function toDraft4(schema: unknown): Record<string, unknown> {
  const problems: string[] = [];
  const converted = convertNode(schema as Json, '#', problems);
  if (problems.length > 0) throw new Draft4ConversionError(problems);
  return { $schema: DRAFT4_DIALECT, ...converted };
}
