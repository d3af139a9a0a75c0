// PUT /customers/{customerId}/delinquency — MarkCustomerDelinquent (staff). Body: { "reason": "Invoice 42 unpaid" }.
import { withHttpObservability } from '@kestrel/observability';
import * as z from 'zod/mini';
import { singleCommandRoute } from '../adapters/http/command-route';
import { servicesFromEnvironment } from '../adapters/environment';
import { markDelinquentStep } from '../domain/commands';
import { delinquencyReasonSchema } from '../domain/values';

const route = singleCommandRoute(servicesFromEnvironment(), {
  body: z.strictObject({ reason: delinquencyReasonSchema }),
  command: ({ reason }) => ({ type: 'MarkCustomerDelinquent', reason }),
  step: markDelinquentStep,
});

export const handler = withHttpObservability(route, { service: 'customers', functionName: 'http-mark-customer-delinquent' });
