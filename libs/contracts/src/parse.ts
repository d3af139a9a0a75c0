import type { AnyEventContract, EventData } from './define-event';
import type { EventMetadata } from './envelope';
import { ContractViolationError, toContractIssues } from './errors';
import { eventSchemaFor, routingSchema } from './event-schema';

/** An EventBridge event that satisfied contract `C`, as a consumer's handler receives it after parsing. */
export interface KestrelEvent<C extends AnyEventContract> {
  readonly version: string;
  readonly id: string;
  readonly 'detail-type': C['detailType'];
  readonly source: C['source'];
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: {
    readonly metadata: EventMetadata & { readonly version: C['version'] };
    readonly data: EventData<C>;
  };
}

/** Distributes over a union of contracts, so parsing with `[V1, V2]` yields `KestrelEvent<V1> | KestrelEvent<V2>`. */
export type ParsedEvent<C extends AnyEventContract> = C extends AnyEventContract ? KestrelEvent<C> : never;

/** Result of {@link safeParseEvent}: the event and the contract version it matched, or the violation. */
export type ParseEventResult<C extends AnyEventContract> =
  | { readonly success: true; readonly event: ParsedEvent<C>; readonly contract: C }
  | { readonly success: false; readonly error: ContractViolationError };

function label(contract: AnyEventContract): string {
  return `${contract.source} ${contract.detailType} v${contract.version}`;
}

function violation(summary: string, path: string, message: string): { success: false; error: ContractViolationError } {
  return { success: false, error: new ContractViolationError(summary, [{ path, message, code: 'unknown_event' }]) };
}

/**
 * Like {@link parseEvent} but returns a result union instead of throwing, for consumers that
 * route bad events themselves (e.g. report a batch item failure).
 *
 * @example
 * ```ts
 * const result = safeParseEvent([CustomerCreatedV1, CustomerCreatedV2], event);
 * if (!result.success) {
 *   logger.error('rejected event', { issues: result.error.issues });
 *   return;
 * }
 * await handle(result.event.detail.data);
 * ```
 */
export function safeParseEvent<C extends AnyEventContract>(contracts: C | readonly C[], raw: unknown): ParseEventResult<C> {
  const candidates: readonly C[] = Array.isArray(contracts) ? contracts : [contracts as C];
  if (candidates.length === 0) throw new TypeError('parseEvent needs at least one contract');

  const routing = routingSchema.safeParse(raw);
  if (!routing.success) {
    return {
      success: false,
      error: new ContractViolationError('Not an EventBridge event', toContractIssues(routing.error.issues)),
    };
  }
  const { source, 'detail-type': detailType } = routing.data;
  const version = routing.data.detail?.metadata?.version;

  const sameEvent = candidates.filter((c) => c.source === source && c.detailType === detailType);
  if (sameEvent.length === 0) {
    return violation(
      `Unexpected event ${source} ${detailType}`,
      'detail-type',
      `no contract for ${source} ${detailType} here; expected ${candidates.map(label).join(', ')}`,
    );
  }
  const contract = sameEvent.find((c) => c.version === version);
  if (!contract) {
    return violation(
      `Unsupported version of ${source} ${detailType}`,
      'detail.metadata.version',
      `version ${JSON.stringify(version)} is not accepted here (accepted: ${sameEvent.map((c) => c.version).join(', ')})`,
    );
  }

  const parsed = eventSchemaFor(contract).safeParse(raw);
  if (!parsed.success) {
    const id = typeof (raw as { id?: unknown }).id === 'string' ? ` (id ${(raw as { id: string }).id})` : '';
    return {
      success: false,
      error: new ContractViolationError(`Event ${label(contract)}${id} violates its contract`, toContractIssues(parsed.error.issues)),
    };
  }
  return { success: true, event: parsed.data as unknown as ParsedEvent<C>, contract };
}

/**
 * Validates a raw EventBridge event (as delivered to a Lambda target or read from SQS) against one
 * contract or several versions of it, picking the contract by `source`, `detail-type` and
 * `detail.metadata.version`. Unknown extra fields anywhere are tolerated and dropped; wrong types
 * throw a {@link ContractViolationError} listing every issue with its path
 * (`detail.data.email: Invalid email address`).
 *
 * @example
 * ```ts
 * export const handler = async (raw: unknown) => {
 *   const event = parseEvent([UserRegisteredV1, UserRegisteredV2], raw);
 *   if (event.detail.metadata.version === 2) { ... }
 *   await createCustomer(event.detail.data.email, event.detail.metadata.eventId);
 * };
 * ```
 */
export function parseEvent<C extends AnyEventContract>(contracts: C | readonly C[], raw: unknown): ParsedEvent<C> {
  const result = safeParseEvent(contracts, raw);
  if (!result.success) throw result.error;
  return result.event;
}

/**
 * Narrows a parsed event to one contract version (TypeScript cannot narrow on the nested
 * `detail.metadata.version` by itself).
 *
 * @example
 * ```ts
 * const event = parseEvent([OrderPlacedV1, OrderPlacedV2], raw);
 * const total = eventIs(event, OrderPlacedV2) ? event.detail.data.total : legacyTotal(event.detail.data);
 * ```
 */
export function eventIs<C extends AnyEventContract>(
  event: { readonly source: string; readonly 'detail-type': string; readonly detail: { readonly metadata: { readonly version: number } } },
  contract: C,
): event is KestrelEvent<C> {
  return event.source === contract.source && event['detail-type'] === contract.detailType && event.detail.metadata.version === contract.version;
}
