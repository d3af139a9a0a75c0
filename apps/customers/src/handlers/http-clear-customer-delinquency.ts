// DELETE /customers/{customerId}/delinquency — ClearDelinquency (staff). No body.
import { noBody, singleCommandRoute } from '../adapters/http/command-route';
import { servicesFromEnvironment } from '../adapters/environment';

export const handler = singleCommandRoute(servicesFromEnvironment(), {
  body: noBody,
  optionalBody: true,
  command: () => ({ type: 'ClearDelinquency' }),
});
