import { contractKey, type AnyEventContract } from './define-event';
import { ContractDefinitionError } from './errors';
import { registeredContracts } from './events';

/** Looks contracts up by source, detail-type and version. */
export interface EventRegistry {
  /** Every contract version, sorted by source, detail-type, version. */
  all(): readonly AnyEventContract[];
  /** The contract for one exact version, or undefined. */
  get(source: string, detailType: string, version: number): AnyEventContract | undefined;
  /** Registered versions of one event, ascending (several while consumers migrate). */
  versions(source: string, detailType: string): number[];
}

/**
 * Builds a registry, refusing two contracts with the same source, detail-type and version.
 *
 * @example
 * ```ts
 * const registry = createEventRegistry([UserRegisteredV1, UserRegisteredV2]);
 * registry.get('kestrel.identity', 'UserRegistered', 2); // UserRegisteredV2
 * registry.versions('kestrel.identity', 'UserRegistered'); // [1, 2]
 * ```
 */
export function createEventRegistry(contracts: readonly AnyEventContract[]): EventRegistry {
  const byKey = new Map<string, AnyEventContract>();
  for (const contract of contracts) {
    if (byKey.has(contract.key)) throw new ContractDefinitionError(`Event contract ${contract.key} is registered twice`);
    byKey.set(contract.key, contract);
  }
  const sorted = [...byKey.values()].sort(
    (a, b) => a.source.localeCompare(b.source) || a.detailType.localeCompare(b.detailType) || a.version - b.version,
  );
  return {
    all: () => sorted,
    get: (source, detailType, version) => byKey.get(contractKey(source, detailType, version)),
    versions: (source, detailType) => sorted.filter((c) => c.source === source && c.detailType === detailType).map((c) => c.version),
  };
}

/**
 * Every event contract of the platform (listed in `src/events/index.ts`). Marked pure so a bundle
 * that imports only some contracts (with `"sideEffects": false` in package.json) drops the
 * registry, and with it every other context's contracts.
 */
export const eventRegistry: EventRegistry = /* @__PURE__ */ createEventRegistry(registeredContracts);

/**
 * Every registered contract version; what the schema export and the compatibility gate iterate.
 *
 * @example
 * ```ts
 * for (const contract of allContracts()) console.log(contract.key, piiPaths(contract));
 * ```
 */
export function allContracts(): readonly AnyEventContract[] {
  return eventRegistry.all();
}
