// PUT /customers/{customerId}/locale — ChangeCustomerLocale. Body: { "locale": "fr-FR" }.
import { withHttpObservability } from '@kestrel/observability';
import * as z from 'zod/mini';
import { singleCommandRoute } from '../adapters/http/command-route';
import { servicesFromEnvironment } from '../adapters/environment';
import { changeLocaleStep } from '../domain/commands';
import { localeSchema } from '../domain/values';

const route = singleCommandRoute(servicesFromEnvironment(), {
  body: z.strictObject({ locale: localeSchema }),
  command: ({ locale }) => ({ type: 'ChangeCustomerLocale', locale }),
  step: changeLocaleStep,
});

export const handler = withHttpObservability(route, { service: 'customers', functionName: 'http-change-customer-locale' });
