// Command use cases: authorise, load the current customer, decide, write the change with its
// events in one transaction. Optimistic locking makes "decide on what you read" safe: if another
// writer got in between, the write fails and, unless the caller pinned a version (If-Match), the
// decision is simply taken again on the fresh state.
import { AlreadyExistsError, ItemNotFoundError, StaleVersionError } from '@kestrel/table-keys';
import { authorize, type Actor } from '../domain/authorization';
import { createCustomer as newCustomer, decide, decideWith, type CommandSteps, type CustomerCommand, type Decision, type NewCustomer, type Outcome } from '../domain/commands';
import type { Customer } from '../domain/customer';
import { fromRegistration, type Registration } from '../domain/registration';
import type { Origin } from '../domain/values';
import { ConcurrentModificationError, CustomerExistsError, CustomerNotFoundError, ForbiddenError, PreconditionFailedError } from './errors';
import type { EventOrigin, Services } from './ports';

/** The caller's precondition on the version: any existing customer (`*`) or one of these versions. */
export type VersionPrecondition = { readonly kind: 'any' } | { readonly kind: 'versions'; readonly versions: readonly number[] };

/** Attempts when no precondition pins the version: enough to ride out a burst of concurrent edits. */
export const MAX_ATTEMPTS = 3;

export interface ChangeCustomerRequest {
  readonly actor: Actor;
  readonly customerId: string;
  readonly commands: readonly CustomerCommand[];
  readonly precondition?: VersionPrecondition;
  readonly origin: EventOrigin;
  /** Names the write in capacity reports (benchmarks); defaults to the commands' names. */
  readonly operation?: string;
}

export interface ChangeCustomerResult {
  readonly customer: Customer;
  readonly outcomes: readonly Outcome[];
  readonly changed: boolean;
}

function matches(precondition: VersionPrecondition | undefined, version: number): boolean {
  if (precondition === undefined || precondition.kind === 'any') return true;
  return precondition.versions.includes(version);
}

/**
 * Applies independent commands to one customer (see `decide`): what holds is written as one new
 * version with its events, what a rule refuses is reported in `outcomes`, nothing is written when
 * nothing changed.
 *
 * @throws ForbiddenError before anything is read, when any command is not the actor's to give.
 * @throws CustomerNotFoundError, PreconditionFailedError, ConcurrentModificationError.
 *
 * @example
 * ```ts
 * const result = await changeCustomer(services, {
 *   actor, customerId, origin,
 *   commands: [{ type: 'EditCustomerDetails', changes: { title: 'Mrs' } }, { type: 'MakeCustomerPreferred' }],
 * });
 * result.outcomes; // [{ command: 'EditCustomerDetails', status: 'applied' }, { command: 'MakeCustomerPreferred', status: 'rejected', … }]
 * ```
 */
export function changeCustomer(services: Services, request: ChangeCustomerRequest): Promise<ChangeCustomerResult> {
  return applyCommands(services, request, decide);
}

/**
 * {@link changeCustomer} for a route whose commands are all of the kinds `steps` names: its
 * bundle keeps only those commands' rules and event contracts.
 *
 * @example
 * ```ts
 * await changeCustomerWith({ MakeCustomerPreferred: makePreferredStep }, services, { actor, customerId, origin, commands: [{ type: 'MakeCustomerPreferred' }] });
 * ```
 */
export function changeCustomerWith(steps: CommandSteps, services: Services, request: ChangeCustomerRequest): Promise<ChangeCustomerResult> {
  return applyCommands(services, request, (customer, commands, context) => decideWith(steps, customer, commands, context));
}

async function applyCommands(services: Services, request: ChangeCustomerRequest, decideOn: typeof decide): Promise<ChangeCustomerResult> {
  for (const command of request.commands) {
    const verdict = authorize(request.actor, command.type, request.customerId);
    if (!verdict.allowed) throw new ForbiddenError(verdict.reason);
  }
  const pinned = request.precondition?.kind === 'versions';
  const attempts = pinned ? 1 : MAX_ATTEMPTS;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const current = await services.customers.get(request.customerId);
    if (current === undefined) throw new CustomerNotFoundError(request.customerId);
    if (!matches(request.precondition, current.version)) throw new PreconditionFailedError(request.customerId, current.version);

    const decision: Decision = decideOn(current, request.commands, { now: services.clock().toISOString() });
    if (!decision.changed) return { customer: current, outcomes: decision.outcomes, changed: false };
    try {
      const operation = request.operation ?? request.commands.map((command) => command.type).join('+');
      await services.customers.save(decision, current.version, request.origin, operation);
      return { customer: decision.customer, outcomes: decision.outcomes, changed: true };
    } catch (error) {
      if (error instanceof ItemNotFoundError) throw new CustomerNotFoundError(request.customerId);
      if (!(error instanceof StaleVersionError)) throw error;
      if (pinned) throw new PreconditionFailedError(request.customerId, error.actualVersion ?? current.version);
      // Someone else wrote first: decide again on what they wrote.
    }
  }
  throw new ConcurrentModificationError(request.customerId, attempts);
}

export interface CreateCustomerRequest {
  readonly actor: Actor;
  readonly customer: Omit<NewCustomer, 'origin'>;
  readonly origin: EventOrigin;
}

function originOf(actor: Actor): Origin {
  if (actor.kind === 'staff') return 'staff';
  if (actor.kind === 'customer') return 'self-service';
  return 'registration';
}

/**
 * CreateCustomer: a new profile at version 1 with its `CustomerCreated` event.
 *
 * @throws ForbiddenError when a customer creates a profile for another id; CustomerExistsError when the id is taken.
 */
export async function createCustomer(services: Services, request: CreateCustomerRequest): Promise<Customer> {
  const verdict = authorize(request.actor, 'CreateCustomer', request.customer.customerId);
  if (!verdict.allowed) throw new ForbiddenError(verdict.reason);
  const created = newCustomer({ ...request.customer, origin: originOf(request.actor) }, { now: services.clock().toISOString() });
  try {
    await services.customers.create(created, request.origin);
  } catch (error) {
    if (error instanceof AlreadyExistsError) throw new CustomerExistsError(request.customer.customerId);
    throw error;
  }
  return created.customer;
}

/**
 * CreateCustomer for a user identity registered. Idempotent by user id: the profile's key IS the
 * user id and the create is conditional, so however often the event is delivered (EventBridge
 * delivers at least once; retries after a timeout deliver again) exactly one profile and one
 * `CustomerCreated` exist. A profile that already exists — from an earlier delivery, or because
 * the customer created it through the API first — is left as it is.
 *
 * @example
 * ```ts
 * const { created } = await registerCustomer(services, event.detail.data, observability.eventMetadata());
 * ```
 */
export async function registerCustomer(services: Services, registration: Registration, origin: EventOrigin): Promise<{ created: boolean }> {
  const input = fromRegistration(registration);
  const created = newCustomer(input, { now: services.clock().toISOString() });
  try {
    await services.customers.create(created, origin);
    return { created: true };
  } catch (error) {
    if (error instanceof AlreadyExistsError) return { created: false };
    throw error;
  }
}
