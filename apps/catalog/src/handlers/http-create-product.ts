import { withObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { createProductRoute } from '../adapters/http/routes';

export const handler = withObservability(createProductRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-create-product' });
