import { withHttpObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { retireProductRoute } from '../adapters/http/routes';

export const handler = withHttpObservability(retireProductRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-retire-product' });
