import type { AnyEventContract } from './define-event';

/** An EventBridge rule pattern selecting events by source, detail-type and contract version. */
export interface ContractEventPattern {
  source: string[];
  'detail-type': string[];
  detail: { metadata: { version: number[] } };
}

/**
 * The event pattern for a subscription to one or more versions of one event. Consumers select
 * versions through `detail.metadata.version`, so a new version never reaches a consumer that
 * has not declared it.
 *
 * @example
 * ```ts
 * eventPatternFor([UserRegisteredV1, UserRegisteredV2]);
 * // { source: ['kestrel.identity'], 'detail-type': ['UserRegistered'], detail: { metadata: { version: [1, 2] } } }
 * ```
 */
export function eventPatternFor(contracts: AnyEventContract | readonly AnyEventContract[]): ContractEventPattern {
  const list: readonly AnyEventContract[] = Array.isArray(contracts) ? contracts : [contracts as AnyEventContract];
  const first = list[0];
  if (!first) throw new TypeError('eventPatternFor needs at least one contract');
  const others = list.filter((c) => c.source !== first.source || c.detailType !== first.detailType);
  if (others.length > 0) {
    // One rule per event keeps patterns exact; mixing events would also accept their cross product.
    throw new TypeError(`eventPatternFor takes versions of one event; got ${first.key} and ${others.map((c) => c.key).join(', ')}`);
  }
  return {
    source: [first.source],
    'detail-type': [first.detailType],
    detail: { metadata: { version: [...new Set(list.map((c) => c.version))].sort((a, b) => a - b) } },
  };
}
