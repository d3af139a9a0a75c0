// DELETE /customers/{customerId}/delinquency — ClearDelinquency (staff). No body.
import { withHttpObservability } from '@kestrel/observability';
import { noBody, singleCommandRoute } from '../adapters/http/command-route';
import { servicesFromEnvironment } from '../adapters/environment';
import { clearDelinquencyStep } from '../domain/commands';

const route = singleCommandRoute(servicesFromEnvironment(), {
  body: noBody,
  optionalBody: true,
  command: () => ({ type: 'ClearDelinquency' }),
  step: clearDelinquencyStep,
});

export const handler = withHttpObservability(route, { service: 'customers', functionName: 'http-clear-customer-delinquency' });
