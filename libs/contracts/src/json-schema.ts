// Tooling only (the schema lock, the gate, the event catalog); no handler imports it.
import * as z from 'zod/mini';
import type { AnyEventContract } from './define-event';
import { PII_KINDS, type PiiKind } from './envelope';
import { ContractDefinitionError } from './errors';
import { eventSchemaFor } from './event-schema';
import { OPEN_ENUM_KEYWORD } from './open-enum';

// Lets `z.meta({ pii: ... })` (zod/mini) and `.meta({ pii: ... })` (classic zod) type-check against
// the closed set of kinds: both read zod core's GlobalMeta.
declare module 'zod/v4/core' {
  interface GlobalMeta {
    /** Marks a field as personal data; analytics pseudonymises it (see `piiPaths`). */
    pii?: PiiKind;
    /** Set by `openEnum`: the values producers may send; readers accept any string. */
    openEnum?: readonly string[];
    /** With `deprecated: true`: the date (YYYY-MM-DD) after which the field may be removed. */
    removeAfter?: string;
  }
}

/** Keyword carrying a field's PII kind in the published JSON Schema. */
export const PII_KEYWORD = 'x-kestrel-pii';
/** Keyword carrying a deprecated field's removal date in the published JSON Schema. */
export const REMOVE_AFTER_KEYWORD = 'x-kestrel-remove-after';
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** A JSON Schema document as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

const cache = new WeakMap<AnyEventContract, JsonSchema>();

function isPiiKind(value: unknown): value is PiiKind {
  return (PII_KINDS as readonly unknown[]).includes(value);
}

function generate(contract: AnyEventContract): JsonSchema {
  const label = `${contract.source} ${contract.detailType} v${contract.version}`;
  const generated = z.toJSONSchema(eventSchemaFor(contract), {
    target: 'draft-2020-12',
    // Input side: what travels on the bus (defaults not yet applied) is what consumers must accept.
    io: 'input',
    unrepresentable: 'throw',
    override: ({ jsonSchema, path }) => {
      const node = jsonSchema as JsonSchema;
      if (Array.isArray(node.openEnum)) {
        // The lock states what producers send (the enum) and that readers tolerate more.
        node.enum = node.openEnum;
        node[OPEN_ENUM_KEYWORD] = true;
        delete node.openEnum;
      }
      if (typeof node.removeAfter === 'string') {
        node[REMOVE_AFTER_KEYWORD] = node.removeAfter;
        delete node.removeAfter;
      }
      if (!('pii' in node)) return;
      if (!isPiiKind(node.pii)) {
        throw new ContractDefinitionError(`Event contract ${label}: unknown PII kind ${JSON.stringify(node.pii)} at ${path.join('/')}`, [
          { path: path.join('/'), message: `pii must be one of ${PII_KINDS.join(', ')}`, code: 'invalid_pii' },
        ]);
      }
      node[PII_KEYWORD] = node.pii;
      delete node.pii;
    },
  }) as JsonSchema;

  const { $schema: _dialect, ...body } = generated;
  const detail = (body.properties as Record<string, JsonSchema>).detail as JsonSchema;
  const detailProperties = detail.properties as Record<string, JsonSchema>;
  const data = detailProperties.data as JsonSchema;

  const closed = [
    ...closedObjectPaths(data, 'detail.data'),
    ...Object.entries((body.$defs ?? {}) as Record<string, unknown>).flatMap(([name, def]) => closedObjectPaths(def, `$defs.${name}`)),
  ];
  if (closed.length > 0) {
    throw new ContractDefinitionError(
      `Event contract ${label}: data must accept unknown fields (use z.object, not z.strictObject) so producers can add optional fields`,
      closed.map((path) => ({ path, message: 'object rejects unknown fields', code: 'closed_object' })),
    );
  }
  detailProperties.data = { ...data, examples: [contract.example] };

  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: `urn:kestrel:event:${contract.source}:${contract.detailType}:v${contract.version}`,
    title: `${contract.detailType} v${contract.version}`,
    description: contract.description,
    'x-kestrel-event': { source: contract.source, detailType: contract.detailType, version: contract.version, owner: contract.owner },
    ...body,
  };
}

function closedObjectPaths(node: unknown, path: string): string[] {
  if (typeof node !== 'object' || node === null) return [];
  const schema = node as JsonSchema;
  const found: string[] = schema.additionalProperties === false ? [path] : [];
  for (const [key, child] of Object.entries((schema.properties ?? {}) as Record<string, unknown>)) {
    found.push(...closedObjectPaths(child, `${path}.${key}`));
  }
  if (typeof schema.items === 'object') found.push(...closedObjectPaths(schema.items, `${path}[]`));
  for (const keyword of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) {
    for (const child of (schema[keyword] ?? []) as unknown[]) found.push(...closedObjectPaths(child, path));
  }
  if (typeof schema.additionalProperties === 'object') found.push(...closedObjectPaths(schema.additionalProperties, `${path}.*`));
  return found;
}

function cached(contract: AnyEventContract): JsonSchema {
  let schema = cache.get(contract);
  if (!schema) {
    schema = generate(contract);
    cache.set(contract, schema);
  }
  return schema;
}

/**
 * The published JSON Schema (draft 2020-12) of the whole EventBridge event for one contract
 * version: envelope, `detail.metadata` and `detail.data`, with `x-kestrel-pii` on personal-data
 * fields and the contract's example under `detail.data.examples`. This is what the schema lock
 * under `libs/contracts/schemas/` holds and what the compatibility gate compares.
 *
 * @throws {@link ContractDefinitionError} for unrepresentable types (dates, transforms), closed
 * objects or unknown PII kinds.
 *
 * @example
 * ```ts
 * const schema = toJsonSchema(CustomerCreatedV1);
 * schema.properties.detail.properties.data.properties.email; // { type: 'string', format: 'email', 'x-kestrel-pii': 'email', ... }
 * ```
 */
export function toJsonSchema(contract: AnyEventContract): JsonSchema {
  return structuredClone(cached(contract));
}
