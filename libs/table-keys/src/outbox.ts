import * as z from 'zod/mini';
import type { Item } from './capacity';
import { defineEntity } from './entity';
import { defineItemCodec } from './item-codec';
import { ttlAfter } from './ttl';

/**
 * The transactional outbox item every service writes in the same
 * `TransactWriteItems` as the state change it reports. The table's stream
 * feeds a pipe that filters on these attributes and puts `detail` on the bus
 * as the event's detail, with `source` and `detailType` from the item, so a
 * crash between write and publish can neither lose nor invent an event.
 * The pipe's filter and target (in `@kestrel/infra-constructs`) read the same
 * names from here.
 */
export const OUTBOX_ITEM = Object.freeze({
  /** `PK` of every outbox item starts with this. */
  keyPrefix: 'OUTBOX#',
  source: 'source',
  detailType: 'detailType',
  /** The whole `{ metadata, data }` detail as a JSON string. */
  detail: 'detail',
});

/** Outbox items only need to live until the pipe has published them; a week covers any pipe outage worth surviving. */
export const OUTBOX_RETENTION_SECONDS = 7 * 24 * 60 * 60;

export const OutboxEventEntity = defineEntity({
  name: 'OutboxEvent',
  key: ({ eventId }: { eventId: string }) => ({ PK: ['OUTBOX', eventId], SK: ['EVENT'] }),
});

const outboxEventSchema = z.object({
  eventId: z.string().check(z.minLength(1)),
  source: z.string().check(z.minLength(1)),
  detailType: z.string().check(z.minLength(1)),
  detail: z.string().check(z.minLength(2)),
  /** What the event is about (e.g. the customer id), for inspecting the outbox by hand. */
  subject: z.optional(z.string()),
});
export type OutboxEvent = z.infer<typeof outboxEventSchema>;

export const outboxCodec = defineItemCodec(OutboxEventEntity, outboxEventSchema);

/** The parts of a PutEvents entry the outbox stores (what `buildPutEventsEntry` of `@kestrel/contracts` returns). */
export interface OutboxEntry {
  Source: string;
  DetailType: string;
  Detail: string;
}

/**
 * The outbox item for one event entry. `eventId` must be the one inside the
 * entry's `detail.metadata` (consumers deduplicate on it); `occurredAt`
 * starts the retention clock.
 *
 * @example
 * ```ts
 * const entry = buildPutEventsEntry(CustomerCreatedV1, data, { ...origin, eventId, occurredAt, producer: 'customers' },
 *   { eventBusName: 'outbox', includeTime: false });
 * const put = { Put: { TableName, Item: outboxItem(entry, { eventId, occurredAt, subject: customerId }) } };
 * ```
 */
export function outboxItem(
  entry: OutboxEntry,
  options: { eventId: string; occurredAt: string | Date; subject?: string; retentionSeconds?: number },
): Item {
  const occurredAt = typeof options.occurredAt === 'string' ? new Date(options.occurredAt) : options.occurredAt;
  return outboxCodec.toItem(
    {
      eventId: options.eventId,
      source: entry.Source,
      detailType: entry.DetailType,
      detail: entry.Detail,
      ...(options.subject === undefined ? {} : { subject: options.subject }),
    },
    { ttl: ttlAfter(options.retentionSeconds ?? OUTBOX_RETENTION_SECONDS, occurredAt) },
  );
}
