// PUT /customers/{customerId}/preferred — MakeCustomerPreferred (staff). No body (or {}).
// 409 `customer-delinquent` while the customer is delinquent.
import { withHttpObservability } from '@kestrel/observability';
import { noBody, singleCommandRoute } from '../adapters/http/command-route';
import { servicesFromEnvironment } from '../adapters/environment';
import { makePreferredStep } from '../domain/commands';

const route = singleCommandRoute(servicesFromEnvironment(), {
  body: noBody,
  optionalBody: true,
  command: () => ({ type: 'MakeCustomerPreferred' }),
  step: makePreferredStep,
});

export const handler = withHttpObservability(route, { service: 'customers', functionName: 'http-make-customer-preferred' });
