import { withObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { reviseProductRoute } from '../adapters/http/routes';

export const handler = withObservability(reviseProductRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-revise-product' });
