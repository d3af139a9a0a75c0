// POST /customers — CreateCustomer. A customer creates their own profile (customerId defaults to
// their token's customerId claim); staff name the user id. 201 with Location and ETag; 409 when it exists.
import { readRequest, validationProblem } from '@kestrel/http-api';
import { withHttpObservability } from '@kestrel/observability';
import * as z from 'zod/mini';
import { createCustomer } from '../application/commands';
import { actorFrom } from '../adapters/http/auth';
import { customerResult, customersRoute } from '../adapters/http/route';
import { servicesFromEnvironment } from '../adapters/environment';
import { customerIdSchema, emailSchema, localeSchema, personNameSchema, phoneNumberSchema } from '../domain/values';

const services = servicesFromEnvironment();

const body = z.strictObject({
  customerId: z.optional(customerIdSchema),
  email: emailSchema,
  givenName: z.optional(personNameSchema),
  familyName: z.optional(personNameSchema),
  phoneNumber: z.optional(phoneNumberSchema),
  locale: localeSchema,
});

const route = customersRoute(async (event, origin) => {
  const actor = actorFrom(event);
  const { body: input } = readRequest(event, { body });
  const customerId = input.customerId ?? (actor.kind === 'customer' ? actor.customerId : undefined);
  if (customerId === undefined) throw validationProblem([{ field: 'body.customerId', message: 'is required when staff create a customer' }]);
  const customer = await createCustomer(services, { actor, customer: { ...input, customerId }, origin });
  return customerResult(customer, 201, { location: `/customers/${customer.customerId}` });
});

export const handler = withHttpObservability(route, { service: 'customers', functionName: 'http-create-customer' });
