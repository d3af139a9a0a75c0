import { withHttpObservability } from '@kestrel/observability';
import { servicesFromEnvironment } from '../adapters/environment';
import { reviseProductRoute } from '../adapters/http/routes';

export const handler = withHttpObservability(reviseProductRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-revise-product' });
