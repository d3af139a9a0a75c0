import { causedBy, parseEvent, ProductRetiredV1 } from '@kestrel/contracts';
import { removeRetiredProduct, type Services } from '../application/use-cases';
import { PRODUCER } from './outbox';

/**
 * The ProductRetired consumer: parses the event with its contract (a violation throws, so the
 * event goes through retries to the DLQ) and removes the product from every collection. Safe to
 * run any number of times for one event.
 *
 * @example
 * ```ts
 * export const handler = onProductRetired(servicesFromEnvironment());
 * ```
 */
export function onProductRetired(services: Services) {
  return async (raw: unknown): Promise<{ productId: string; storesChanged: string[] }> => {
    const event = parseEvent([ProductRetiredV1], raw);
    const origin = causedBy(event);
    const storesChanged = await removeRetiredProduct(services, event.detail.data.productId, origin);
    console.info(JSON.stringify({ level: 'info', message: 'retired product removed from collections', producer: PRODUCER, productId: event.detail.data.productId, eventId: event.detail.metadata.eventId, storesChanged: storesChanged.length }));
    return { productId: event.detail.data.productId, storesChanged };
  };
}
