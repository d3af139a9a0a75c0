import { withHttpObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { changeStoreCollectionRoute } from '../adapters/http/routes';

export const handler = withHttpObservability(changeStoreCollectionRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-change-store-collection' });
