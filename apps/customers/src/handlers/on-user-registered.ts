// EventBridge subscription `user-registered` (identity's UserRegistered v1): creates the user's
// customer profile, once however often the event is delivered (see registerCustomer). A contract
// violation or an unusable registration throws, so the event goes through the subscription's
// retries to its DLQ with every bad field named.
import { causedBy, parseEvent, UserRegisteredV1 } from '@kestrel/contracts';
import { registerCustomer } from '../application/commands';
import { servicesFromEnvironment } from '../adapters/environment';

const services = servicesFromEnvironment();

export const handler = async (raw: unknown): Promise<{ customerId: string; created: boolean }> => {
  // Tolerates unknown fields (e.g. a tracer's `_datadog` in detail): the contract drops them.
  const event = parseEvent(UserRegisteredV1, raw);
  const { created } = await registerCustomer(services, event.detail.data, {
    ...causedBy(event),
    ...(event.detail.metadata.traceparent === undefined ? {} : { traceparent: event.detail.metadata.traceparent }),
  });
  console.log(JSON.stringify({ level: 'info', message: created ? 'customer created' : 'customer already existed', customerId: event.detail.data.userId, eventId: event.detail.metadata.eventId }));
  return { customerId: event.detail.data.userId, created };
};
