import { servicesFromEnvironment } from '../adapters/environment';
import { createProductRoute } from '../adapters/http/routes';

export const handler = createProductRoute(servicesFromEnvironment());
