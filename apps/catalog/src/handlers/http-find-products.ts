import { withHttpObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { findProductsRoute } from '../adapters/http/routes';

export const handler = withHttpObservability(findProductsRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-find-products' });
