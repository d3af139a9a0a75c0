import { servicesFromEnvironment } from '../adapters/environment';
import { getProductRoute } from '../adapters/http/routes';

export const handler = getProductRoute(servicesFromEnvironment());
