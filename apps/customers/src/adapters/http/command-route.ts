import { HttpProblem, readRequest, type HttpRouteHandler } from '@kestrel/http-api';
import { pure } from '@kestrel/contracts';
import * as z from 'zod/mini';
import { changeCustomerWith } from '../../application/commands';
import type { Services } from '../../application/ports';
import type { CommandStep, CustomerCommand, Outcome } from '../../domain/commands';
import { customerIdSchema } from '../../domain/values';
import { actorFrom } from './auth';
import { ifMatchHeader } from './etag';
import { customerResult, customersRoute } from './route';

/** The rejected parts of a request, as problem extension members and response fields. */
export function rejectedOf(outcomes: readonly Outcome[]) {
  return outcomes.flatMap((outcome) =>
    outcome.status === 'rejected' ? [{ command: outcome.command, code: outcome.rejection.code, message: outcome.rejection.message }] : [],
  );
}

/** 409 for a request a business rule refused entirely (nothing was written). */
export function refused(outcomes: readonly Outcome[]): HttpProblem {
  const rejected = rejectedOf(outcomes);
  const [first] = rejected;
  return new HttpProblem(
    409,
    rejected.length === 1 && first !== undefined ? first.code : 'request-refused',
    'The customer\'s current state does not allow this',
    rejected.map((part) => part.message).join(' '),
    { rejected },
  );
}

/**
 * A route carrying one command for the customer in the path: `If-Match` honoured, the customer
 * (with its new `ETag`) returned on success or when already so, 409 with the rule's code when refused.
 * `step` is that command's step from the domain: the route decides with it alone, so the
 * function's bundle carries no other command's rules or events.
 *
 * @example
 * ```ts
 * const route = singleCommandRoute(services, {
 *   body: z.strictObject({ locale: localeSchema }),
 *   command: ({ locale }) => ({ type: 'ChangeCustomerLocale', locale }),
 * });
 * ```
 */
export function singleCommandRoute<B extends z.core.$ZodType, T extends CustomerCommand['type']>(
  services: Services,
  options: { body: B; optionalBody?: boolean; command: (body: z.output<B>) => Extract<CustomerCommand, { type: T }>; step: CommandStep<T> },
): HttpRouteHandler {
  return customersRoute(async (event, origin) => {
    const actor = actorFrom(event);
    const { path, body, headers } = readRequest(event, {
      path: { customerId: customerIdSchema },
      headers: { 'if-match': ifMatchHeader },
      body: options.body,
      optionalBody: options.optionalBody ?? false,
    });
    const precondition = headers['if-match'];
    const command = options.command(body as z.output<B>);
    const result = await changeCustomerWith({ [command.type]: options.step }, services, { actor, customerId: path.customerId, commands: [command], origin, ...(precondition ? { precondition } : {}) });
    if (result.outcomes.some((outcome) => outcome.status === 'rejected')) throw refused(result.outcomes);
    return customerResult(result.customer);
  });
}

/** Routes without a body accept none or an empty JSON object. */
export const noBody = /* @__PURE__ */ pure(() => z.strictObject({}));
