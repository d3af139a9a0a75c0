import { ProductRetiredV1 } from '@kestrel/contracts';
import { withObservability } from '@kestrel/observability';
import { eventRedactor } from '@kestrel/observability/redact';
import { servicesFromEnvironment } from '../adapters/environment';
import { onProductRetired } from '../adapters/on-product-retired';

export const handler = withObservability(onProductRetired(servicesFromEnvironment()), { service: 'catalog', functionName: 'on-product-retired', redact: eventRedactor([ProductRetiredV1]) });
