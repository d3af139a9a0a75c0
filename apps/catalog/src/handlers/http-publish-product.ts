import { withHttpObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { publishProductRoute } from '../adapters/http/routes';

export const handler = withHttpObservability(publishProductRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-publish-product' });
