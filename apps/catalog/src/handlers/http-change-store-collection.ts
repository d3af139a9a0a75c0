import { servicesFromEnvironment } from '../adapters/environment';
import { changeStoreCollectionRoute } from '../adapters/http/routes';

export const handler = changeStoreCollectionRoute(servicesFromEnvironment());
