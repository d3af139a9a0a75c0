import { withHttpObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { createStoreRoute } from '../adapters/http/routes';

export const handler = withHttpObservability(createStoreRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-create-store' });
