// PATCH /customers/{customerId} — a change request of independent parts, as a support screen
// submits it: personal details (EditCustomerDetails; null clears a field), `locale`
// (ChangeCustomerLocale) and `preferred` (MakeCustomerPreferred / RevokePreferredStatus, staff).
// The parts that hold are written as one new version; the parts a rule refuses are reported:
// 200 { customer, outcomes } when anything applied or nothing needed to change, 409 listing
// `rejected` when every requested change was refused (nothing written).
import { readRequest } from '@kestrel/http-api';
import { withHttpObservability } from '@kestrel/observability';
import { rule } from '@kestrel/contracts';
import * as z from 'zod/mini';
import { changeCustomer } from '../application/commands';
import { actorFrom } from '../adapters/http/auth';
import { refused, rejectedOf } from '../adapters/http/command-route';
import { ifMatchHeader } from '../adapters/http/etag';
import { customerResult, customersRoute } from '../adapters/http/route';
import { servicesFromEnvironment } from '../adapters/environment';
import type { CustomerCommand, DetailsChange } from '../domain/commands';
import { DETAIL_FIELDS } from '../domain/customer';
import { addressSchema, customerIdSchema, localeSchema, maritalStatusSchema, personNameSchema, phoneNumberSchema, titleSchema } from '../domain/values';

const services = servicesFromEnvironment();

/** A field that may be absent (unchanged) or null (cleared). */
const clearable = <T extends z.core.$ZodType>(schema: T) => z.optional(z.nullable(schema));
const body = z
  .strictObject({
    title: clearable(titleSchema),
    givenName: clearable(personNameSchema),
    familyName: clearable(personNameSchema),
    phoneNumber: clearable(phoneNumberSchema),
    address: clearable(addressSchema),
    maritalStatus: clearable(maritalStatusSchema),
    locale: z.optional(localeSchema),
    preferred: z.optional(z.boolean({ message: 'must be true or false' })),
  })
  .check(rule((change) => Object.keys(change).length > 0, `name at least one change: ${[...DETAIL_FIELDS, 'locale', 'preferred'].join(', ')}`));

const route = customersRoute(async (event, origin) => {
  const actor = actorFrom(event);
  const request = readRequest(event, { path: { customerId: customerIdSchema }, headers: { 'if-match': ifMatchHeader }, body });
  const { path, body: change } = request;
  const precondition = request.headers['if-match'];

  const commands: CustomerCommand[] = [];
  const details = Object.fromEntries(DETAIL_FIELDS.filter((field) => field in change).map((field) => [field, change[field]])) as DetailsChange;
  if (Object.keys(details).length > 0) commands.push({ type: 'EditCustomerDetails', changes: details });
  if (change.locale !== undefined) commands.push({ type: 'ChangeCustomerLocale', locale: change.locale });
  if (change.preferred !== undefined) commands.push({ type: change.preferred ? 'MakeCustomerPreferred' : 'RevokePreferredStatus' });

  const result = await changeCustomer(services, {
    actor,
    customerId: path.customerId,
    commands,
    origin,
    operation: 'ChangeCustomer',
    ...(precondition ? { precondition } : {}),
  });
  const rejected = rejectedOf(result.outcomes);
  if (!result.changed && rejected.length > 0) throw refused(result.outcomes);
  const { headers } = customerResult(result.customer);
  return { status: 200, headers, body: { customer: result.customer, outcomes: result.outcomes.map(({ command, status }) => ({ command, status })), rejected } };
});

export const handler = withHttpObservability(route, { service: 'customers', functionName: 'http-change-customer' });
