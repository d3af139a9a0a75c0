import { withHttpObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { getStoreRoute } from '../adapters/http/routes';

export const handler = withHttpObservability(getStoreRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-get-store' });
