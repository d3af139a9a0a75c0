import { buildPutEventsEntry, type AnyEventContract } from '@kestrel/contracts';
import type { EventOrigin } from '@kestrel/http-api';
import { outboxItem, type Item } from '@kestrel/table-keys';

export const PRODUCER = 'catalog';
// buildPutEventsEntry validates data and metadata against the contract and checks the size limit
// exactly as a direct publish would; the pipe, not this entry, names the real bus.
const PIPE_DECIDES_THE_BUS = 'outbox';

/** Where a change came from; copied into the metadata of the events it publishes. */
export type { EventOrigin };

/** An event to publish: a contract and its data. */
export interface PendingEvent {
  readonly contract: AnyEventContract;
  readonly data: unknown;
}

/**
 * The outbox item (shape owned by `@kestrel/table-keys`) for one event, validated against its
 * contract. `eventId` is kept by the pipe, so consumers deduplicate on it; pass the same id to
 * write the same event again (a rolled-forward collection change does).
 *
 * @example
 * ```ts
 * const item = outboxItemFor({ contract: ProductRetiredV1, data }, origin, { eventId, occurredAt, subject: productId });
 * ```
 */
export function outboxItemFor(event: PendingEvent, origin: EventOrigin, options: { eventId: string; occurredAt: string; subject: string }): Item {
  const entry = buildPutEventsEntry(
    event.contract,
    event.data as never,
    { ...origin, producer: PRODUCER, eventId: options.eventId, occurredAt: options.occurredAt },
    { eventBusName: PIPE_DECIDES_THE_BUS, includeTime: false },
  );
  return outboxItem(entry, options);
}
