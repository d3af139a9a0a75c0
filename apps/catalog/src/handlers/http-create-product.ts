import { withHttpObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { createProductRoute } from '../adapters/http/routes';

export const handler = withHttpObservability(createProductRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-create-product' });
