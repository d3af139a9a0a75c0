// zod/mini, like every module a handler bundles (see envelope.ts).
import * as z from 'zod/mini';
import { isoDateTime } from './iso-datetime';
import type { AnyEventContract } from './define-event';
import { eventMetadataSchema } from './envelope';

function buildEventSchema(contract: AnyEventContract) {
  return z.object({
    version: z.string().check(z.meta({ description: 'EventBridge envelope version, "0" today.' })),
    id: z.string().check(z.minLength(1), z.meta({ description: 'Id EventBridge assigned on PutEvents (not the domain eventId).' })),
    'detail-type': z.literal(contract.detailType),
    source: z.literal(contract.source),
    account: z.string(),
    time: isoDateTime().check(z.meta({ description: 'Time of the event as EventBridge recorded it.' })),
    region: z.string(),
    resources: z.array(z.string()),
    detail: z.object({
      metadata: z.extend(eventMetadataSchema, { version: z.literal(contract.version) }),
      data: contract.data,
    }),
  });
}

const cache = new WeakMap<AnyEventContract, ReturnType<typeof buildEventSchema>>();

/**
 * Zod schema of the whole EventBridge event for one contract version: the envelope EventBridge adds
 * (id, time, account...) plus `detail = { metadata, data }`. Plain `z.object` everywhere, so unknown
 * fields (a tracer's `detail._datadog`, new optional fields) are accepted and stripped, never rejected.
 * Built once per contract and cached, since consumers parse many events with the same contract.
 */
export function eventSchemaFor(contract: AnyEventContract): ReturnType<typeof buildEventSchema> {
  let schema = cache.get(contract);
  if (!schema) {
    schema = buildEventSchema(contract);
    cache.set(contract, schema);
  }
  return schema;
}

/** Just enough of an EventBridge event to pick the contract that should validate it. */
export const routingSchema = z.object({
  source: z.string(),
  'detail-type': z.string(),
  detail: z.optional(z.object({ metadata: z.optional(z.partial(z.object({ version: z.unknown() }))) })),
});
