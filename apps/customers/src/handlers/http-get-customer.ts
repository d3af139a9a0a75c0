// GET /customers/{customerId} — GetCustomer. The profile, with its version as ETag (send it back
// in If-Match to make a command conditional). Customers read their own profile; staff any.
import { readParameters } from '@kestrel/http-api';
import { withHttpObservability } from '@kestrel/observability';
import { getCustomer } from '../application/queries';
import { actorFrom } from '../adapters/http/auth';
import { customerResult, customersRoute } from '../adapters/http/route';
import { lookupServicesFromEnvironment } from '../adapters/environment';
import { customerIdSchema } from '../domain/values';

const services = lookupServicesFromEnvironment();

const route = customersRoute(async (event) => {
  const actor = actorFrom(event);
  const { path } = readParameters(event, { path: { customerId: customerIdSchema } });
  return customerResult(await getCustomer(services, actor, path.customerId));
});

export const handler = withHttpObservability(route, { service: 'customers', functionName: 'http-get-customer' });
