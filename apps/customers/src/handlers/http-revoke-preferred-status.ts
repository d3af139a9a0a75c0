// DELETE /customers/{customerId}/preferred — RevokePreferredStatus (staff). No body.
import { withHttpObservability } from '@kestrel/observability';
import { noBody, singleCommandRoute } from '../adapters/http/command-route';
import { servicesFromEnvironment } from '../adapters/environment';
import { revokePreferredStep } from '../domain/commands';

const route = singleCommandRoute(servicesFromEnvironment(), {
  body: noBody,
  optionalBody: true,
  command: () => ({ type: 'RevokePreferredStatus' }),
  step: revokePreferredStep,
});

export const handler = withHttpObservability(route, { service: 'customers', functionName: 'http-revoke-preferred-status' });
