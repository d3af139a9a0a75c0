import { withObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { findProductsRoute } from '../adapters/http/routes';

export const handler = withObservability(findProductsRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-find-products' });
