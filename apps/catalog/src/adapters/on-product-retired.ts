import { causedBy, parseEvent, ProductRetiredV1 } from '@kestrel/contracts';
import type { Observability } from '@kestrel/observability';
import type { Context } from 'aws-lambda';
import { removeRetiredProduct, type Services } from '../application/use-cases';
import { PRODUCER } from './outbox';

/**
 * The ProductRetired consumer: parses the event with its contract (a violation throws, so the
 * event goes through retries to the DLQ) and removes the product from every collection. Safe to
 * run any number of times for one event. The StoreCollectionChanged events it publishes continue
 * the retirement's flow: under `withObservability` they carry its event metadata (same
 * correlation id, caused by the ProductRetired event, in its trace); called bare (tests), the
 * event's own ids.
 *
 * @example
 * ```ts
 * export const handler = withObservability(onProductRetired(servicesFromEnvironment()), { service: 'catalog', functionName: 'on-product-retired' });
 * ```
 */
export function onProductRetired(services: Services) {
  return async (raw: unknown, _context?: Context, observability?: Observability): Promise<{ productId: string; storesChanged: string[] }> => {
    const event = parseEvent([ProductRetiredV1], raw);
    const origin = observability?.eventMetadata() ?? causedBy(event);
    const { productId } = event.detail.data;
    const storesChanged = await removeRetiredProduct(services, productId, origin);
    const fields = { productId, eventId: event.detail.metadata.eventId, storesChanged: storesChanged.length };
    if (observability) observability.logger.info('retired product removed from collections', fields);
    else console.info(JSON.stringify({ level: 'info', message: 'retired product removed from collections', producer: PRODUCER, ...fields }));
    return { productId, storesChanged };
  };
}
