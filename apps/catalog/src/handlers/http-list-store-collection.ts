import { servicesFromEnvironment } from '../adapters/environment';
import { listStoreCollectionRoute } from '../adapters/http/routes';

export const handler = listStoreCollectionRoute(servicesFromEnvironment());
