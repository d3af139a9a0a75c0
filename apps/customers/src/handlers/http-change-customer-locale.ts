// PUT /customers/{customerId}/locale — ChangeCustomerLocale. Body: { "locale": "fr-FR" }.
import * as z from 'zod';
import { singleCommandRoute } from '../adapters/http/command-route';
import { servicesFromEnvironment } from '../adapters/environment';
import { localeSchema } from '../domain/values';

export const handler = singleCommandRoute(servicesFromEnvironment(), {
  body: z.strictObject({ locale: localeSchema }),
  command: ({ locale }) => ({ type: 'ChangeCustomerLocale', locale }),
});
