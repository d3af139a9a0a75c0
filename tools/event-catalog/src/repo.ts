import { allContracts, toJsonSchema, type AnyEventContract } from '@kestrel/contracts';
import { compareSchemas } from '@kestrel/contracts/compat';
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

// The compatibility gate's schema comparison is a separate entry point of @kestrel/contracts
// (`@kestrel/contracts/compat`), so handler bundles never carry it.

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
  return compareSchemas as CompareSchemas;
}
