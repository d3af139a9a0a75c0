import { servicesFromEnvironment } from '../adapters/environment';
import { reviseProductRoute } from '../adapters/http/routes';

export const handler = reviseProductRoute(servicesFromEnvironment());
