import { buildPutEventsEntry } from '@kestrel/contracts';
import { outboxItem, type Item } from '@kestrel/table-keys';
import type { EventOrigin } from '../application/ports';
import type { DomainEvent } from '../domain/events';

export const PRODUCER = 'customers';
// buildPutEventsEntry validates data and metadata against the contract and checks the size limit
// exactly as a direct publish would; the pipe, not this entry, names the real bus.
const PIPE_DECIDES_THE_BUS = 'outbox';

/**
 * Outbox items for the events of one change: each validated against its contract, with a fresh
 * `eventId` (kept by the pipe, so consumers deduplicate on it) and `occurredAt` = the change time.
 *
 * @example
 * ```ts
 * const items = outboxItems(decision.events, { correlationId, causationId }, now, () => crypto.randomUUID());
 * ```
 */
export function outboxItems(
  events: readonly DomainEvent[],
  origin: EventOrigin,
  occurredAt: string,
  newEventId: () => string,
  customerId: string,
): Item[] {
  return events.map((event) => {
    const eventId = newEventId();
    const entry = buildPutEventsEntry(
      event.contract,
      event.data,
      { ...origin, producer: PRODUCER, eventId, occurredAt },
      { eventBusName: PIPE_DECIDES_THE_BUS, includeTime: false },
    );
    return outboxItem(entry, { eventId, occurredAt, subject: customerId });
  });
}
