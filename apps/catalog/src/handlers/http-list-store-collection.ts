import { withHttpObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { listStoreCollectionRoute } from '../adapters/http/routes';

export const handler = withHttpObservability(listStoreCollectionRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-list-store-collection' });
