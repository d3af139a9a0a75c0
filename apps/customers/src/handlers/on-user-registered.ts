// EventBridge subscription `user-registered` (identity's UserRegistered v1): creates the user's
// customer profile, once however often the event is delivered (see registerCustomer). A contract
// violation or an unusable registration throws, so the event goes through the subscription's
// retries to its DLQ with every bad field named. The CustomerCreated it publishes continues the
// registration's flow: same correlation id, caused by the UserRegistered event, in its trace.
// An event put by another account is refused before anything is written (event-origin.ts).
import { parseEvent, UserRegisteredV1 } from '@kestrel/contracts';
import { withObservability } from '@kestrel/observability';
import { registerCustomer } from '../application/commands';
import { servicesFromEnvironment } from '../adapters/environment';
import { assertPublishedByOwnAccount } from '../adapters/event-origin';

const services = servicesFromEnvironment();

export const handler = withObservability(
  async (raw: unknown, context, { eventMetadata, logger }): Promise<{ customerId: string; created: boolean }> => {
    // `source` alone proves nothing: only identity, in this account, registers users.
    assertPublishedByOwnAccount(raw, context.invokedFunctionArn);
    // Tolerates unknown fields (e.g. a tracer's `_datadog` in detail): the contract drops them.
    const event = parseEvent(UserRegisteredV1, raw);
    const { created } = await registerCustomer(services, event.detail.data, eventMetadata());
    logger.info(created ? 'customer created' : 'customer already existed', { customerId: event.detail.data.userId, eventId: event.detail.metadata.eventId });
    return { customerId: event.detail.data.userId, created };
  },
  { service: 'customers', functionName: 'on-user-registered', contracts: [UserRegisteredV1] },
);
