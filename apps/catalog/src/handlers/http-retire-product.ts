import { withObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { retireProductRoute } from '../adapters/http/routes';

export const handler = withObservability(retireProductRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-retire-product' });
