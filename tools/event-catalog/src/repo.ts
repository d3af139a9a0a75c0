import { allContracts, toJsonSchema, type AnyEventContract } from '@kestrel/contracts';
import { fileURLToPath } from 'node:url';
import type { CompareSchemas } from './model';
import type { SchemaNode } from './schema-walk';
import type { CheckedContract } from './subscription-check';

/** The repository root (this project lives in tools/event-catalog). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The registered contracts with their published JSON Schemas, as the subscription check reads them. */
export function checkedContracts(contracts: readonly AnyEventContract[] = allContracts()): CheckedContract[] {
  return contracts.map((contract) => ({
    source: contract.source,
    detailType: contract.detailType,
    version: contract.version,
    schema: toJsonSchema(contract) as SchemaNode,
  }));
}

// libs/contracts exports only its runtime API, so bundles never carry the compatibility gate; the
// schema comparison it uses lives in libs/contracts/compat and is loaded by file URL for the same
// boundary reason as the pattern engine (see engine.ts).
const COMPARE_MODULE = new URL('../../../libs/contracts/compat/compare.ts', import.meta.url);

/**
 * The contracts' own schema comparison (`compareSchemas` from libs/contracts/compat), used to say
 * what changed between two versions of an event in the same words the compatibility gate uses.
 *
 * @example
 * ```ts
 * const compare = await loadSchemaComparison();
 * compare(toJsonSchema(OrderPlacedV1), toJsonSchema(OrderPlacedV2)); // [{ path: 'detail.data.channel', kind: 'required-field-added', ... }]
 * ```
 */
export async function loadSchemaComparison(): Promise<CompareSchemas> {
  const module = (await import(COMPARE_MODULE.href)) as { compareSchemas: CompareSchemas };
  return module.compareSchemas;
}
