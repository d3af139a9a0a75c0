import { withHttpObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { listProductStoresRoute } from '../adapters/http/routes';

export const handler = withHttpObservability(listProductStoresRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-list-product-stores' });
