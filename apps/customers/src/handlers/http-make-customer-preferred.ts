// PUT /customers/{customerId}/preferred — MakeCustomerPreferred (staff). No body (or {}).
// 409 `customer-delinquent` while the customer is delinquent.
import { noBody, singleCommandRoute } from '../adapters/http/command-route';
import { servicesFromEnvironment } from '../adapters/environment';

export const handler = singleCommandRoute(servicesFromEnvironment(), {
  body: noBody,
  optionalBody: true,
  command: () => ({ type: 'MakeCustomerPreferred' }),
});
