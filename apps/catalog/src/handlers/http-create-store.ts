import { servicesFromEnvironment } from '../adapters/environment';
import { createStoreRoute } from '../adapters/http/routes';

export const handler = createStoreRoute(servicesFromEnvironment());
