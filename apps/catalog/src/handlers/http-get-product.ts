import { withHttpObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { getProductRoute } from '../adapters/http/routes';

export const handler = withHttpObservability(getProductRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-get-product' });
