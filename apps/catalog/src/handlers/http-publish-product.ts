import { servicesFromEnvironment } from '../adapters/environment';
import { publishProductRoute } from '../adapters/http/routes';

export const handler = publishProductRoute(servicesFromEnvironment());
