// PUT /customers/{customerId}/delinquency — MarkCustomerDelinquent (staff). Body: { "reason": "Invoice 42 unpaid" }.
import * as z from 'zod';
import { singleCommandRoute } from '../adapters/http/command-route';
import { servicesFromEnvironment } from '../adapters/environment';
import { delinquencyReasonSchema } from '../domain/values';

export const handler = singleCommandRoute(servicesFromEnvironment(), {
  body: z.strictObject({ reason: delinquencyReasonSchema }),
  command: ({ reason }) => ({ type: 'MarkCustomerDelinquent', reason }),
});
