import { servicesFromEnvironment } from '../adapters/environment';
import { getStoreRoute } from '../adapters/http/routes';

export const handler = getStoreRoute(servicesFromEnvironment());
