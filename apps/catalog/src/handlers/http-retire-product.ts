import { servicesFromEnvironment } from '../adapters/environment';
import { retireProductRoute } from '../adapters/http/routes';

export const handler = retireProductRoute(servicesFromEnvironment());
