import { servicesFromEnvironment } from '../adapters/environment';
import { listProductStoresRoute } from '../adapters/http/routes';

export const handler = listProductStoresRoute(servicesFromEnvironment());
