import { servicesFromEnvironment } from '../adapters/environment';
import { findProductsRoute } from '../adapters/http/routes';

export const handler = findProductsRoute(servicesFromEnvironment());
