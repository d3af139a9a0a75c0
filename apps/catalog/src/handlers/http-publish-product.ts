import { withObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { publishProductRoute } from '../adapters/http/routes';

export const handler = withObservability(publishProductRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-publish-product' });
