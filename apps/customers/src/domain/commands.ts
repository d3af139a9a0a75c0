// Task-based commands on the customer aggregate (design article 000): each command says what
// the person meant ("make this customer preferred"), never "save this document", so each can be
// checked against the CURRENT state on its own. A request may carry several independent commands;
// `decide` applies them in order to the evolving state, keeps the ones that hold and reports the
// ones a rule refuses (a delinquent customer is not made preferred, while their new address is
// still saved). Pure: time comes in through the context, nothing is read or written here.
import { DETAIL_FIELDS, type Customer, type DetailField } from './customer';
import {
  customerCreated,
  customerDelinquencyChanged,
  customerDetailsEdited,
  customerLocaleChanged,
  customerPreferredStatusChanged,
  type DetailChanges,
  type DomainEvent,
} from './events';
import type { Address, MaritalStatus, Origin, Title } from './values';

/** What a command needs from the outside world. */
export interface CommandContext {
  /** The current time, ISO-8601 UTC. */
  readonly now: string;
}

/** Values of the personal details; `null` in a change clears the field. */
export interface CustomerDetails {
  title: Title;
  givenName: string;
  familyName: string;
  phoneNumber: string;
  address: Address;
  maritalStatus: MaritalStatus;
}
export type DetailsChange = { readonly [Field in DetailField]?: CustomerDetails[Field] | null };

export type CustomerCommand =
  | { readonly type: 'EditCustomerDetails'; readonly changes: DetailsChange }
  | { readonly type: 'ChangeCustomerLocale'; readonly locale: string }
  | { readonly type: 'MakeCustomerPreferred' }
  | { readonly type: 'RevokePreferredStatus' }
  | { readonly type: 'MarkCustomerDelinquent'; readonly reason: string }
  | { readonly type: 'ClearDelinquency' };

export type CommandName = CustomerCommand['type'] | 'CreateCustomer';

/** Why a rule refused a command; `code` is stable (clients branch on it), `message` is for people. */
export interface Rejection {
  readonly code: 'customer-delinquent';
  readonly message: string;
}

/** What became of one command of a request. */
export type Outcome =
  | { readonly command: CustomerCommand['type']; readonly status: 'applied' | 'unchanged' }
  | { readonly command: CustomerCommand['type']; readonly status: 'rejected'; readonly rejection: Rejection };

export interface Decision {
  /** The customer after the applied commands (the input itself when nothing changed). */
  readonly customer: Customer;
  /** Events to publish with the write, in command order; empty when nothing changed. */
  readonly events: readonly DomainEvent[];
  readonly outcomes: readonly Outcome[];
  /** True when at least one command changed the customer, i.e. there is something to write. */
  readonly changed: boolean;
}

type PendingEvent = (customerVersion: number) => DomainEvent;
/** What one command decides on the current state. */
export type Step =
  | { readonly status: 'applied'; readonly state: Customer; readonly events: readonly PendingEvent[] }
  | { readonly status: 'unchanged' }
  | { readonly status: 'rejected'; readonly rejection: Rejection };

/** Structural equality for detail values (strings, enums, address objects; undefined = absent). */
function sameValue(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  const leftEntries = Object.entries(left).filter(([, value]) => value !== undefined);
  const rightEntries = Object.entries(right).filter(([, value]) => value !== undefined);
  if (leftEntries.length !== rightEntries.length) return false;
  return leftEntries.every(([key, value]) => sameValue(value, (right as Record<string, unknown>)[key]));
}

function withField<K extends DetailField>(state: Customer, field: K, value: CustomerDetails[K] | null): Customer {
  const next: Record<string, unknown> = { ...state };
  if (value === null) delete next[field];
  else next[field] = value;
  return next as unknown as Customer;
}

function editDetails(state: Customer, changes: DetailsChange): Step {
  let next = state;
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of DETAIL_FIELDS) {
    if (!(field in changes) || changes[field] === undefined) continue;
    const to = changes[field] ?? null;
    const from = state[field] ?? null;
    if (sameValue(from, to)) continue;
    changed[field] = { from, to };
    next = withField(next, field, to as CustomerDetails[typeof field] | null);
  }
  if (Object.keys(changed).length === 0) return { status: 'unchanged' };
  return {
    status: 'applied',
    state: next,
    events: [(customerVersion) => customerDetailsEdited({ customerId: state.customerId, customerVersion, changes: changed as DetailChanges })],
  };
}

function changeLocale(state: Customer, locale: string): Step {
  if (state.locale === locale) return { status: 'unchanged' };
  return {
    status: 'applied',
    state: { ...state, locale },
    events: [(customerVersion) => customerLocaleChanged({ customerId: state.customerId, customerVersion, previousLocale: state.locale, locale })],
  };
}

function makePreferred(state: Customer, context: CommandContext): Step {
  // The rule from the design articles: checked against the current state, whatever the
  // person saw on their screen when they asked.
  if (state.delinquent) {
    return {
      status: 'rejected',
      rejection: { code: 'customer-delinquent', message: 'A delinquent customer cannot be made preferred; clear the delinquency first.' },
    };
  }
  if (state.preferred) return { status: 'unchanged' };
  return {
    status: 'applied',
    state: { ...state, preferred: true, preferredSince: context.now },
    events: [(customerVersion) => customerPreferredStatusChanged({ customerId: state.customerId, customerVersion, preferred: true })],
  };
}

function revokePreferred(state: Customer): Step {
  if (!state.preferred) return { status: 'unchanged' };
  const { preferredSince: _since, ...rest } = state;
  return {
    status: 'applied',
    state: { ...rest, preferred: false },
    events: [(customerVersion) => customerPreferredStatusChanged({ customerId: state.customerId, customerVersion, preferred: false })],
  };
}

function markDelinquent(state: Customer, reason: string): Step {
  // Already delinquent: the first reason stands (billing chases one debt at a time).
  if (state.delinquent) return { status: 'unchanged' };
  return {
    status: 'applied',
    state: { ...state, delinquent: true, delinquencyReason: reason },
    events: [(customerVersion) => customerDelinquencyChanged({ customerId: state.customerId, customerVersion, delinquent: true, reason })],
  };
}

function clearDelinquency(state: Customer): Step {
  if (!state.delinquent) return { status: 'unchanged' };
  const { delinquencyReason: _reason, ...rest } = state;
  return {
    status: 'applied',
    state: { ...rest, delinquent: false },
    events: [(customerVersion) => customerDelinquencyChanged({ customerId: state.customerId, customerVersion, delinquent: false })],
  };
}

/** How one kind of command decides on the current state. */
export type CommandStep<T extends CustomerCommand['type']> = (state: Customer, command: Extract<CustomerCommand, { type: T }>, context: CommandContext) => Step;

/** The steps of some command kinds, by command type. */
export type CommandSteps = { readonly [T in CustomerCommand['type']]?: CommandStep<T> };

// One export per command kind (not one object of them all), so a route that only ever gives one
// kind imports its step alone and its bundle keeps only that command's rules and event contract.
export const editDetailsStep: CommandStep<'EditCustomerDetails'> = (state, command) => editDetails(state, command.changes);
export const changeLocaleStep: CommandStep<'ChangeCustomerLocale'> = (state, command) => changeLocale(state, command.locale);
export const makePreferredStep: CommandStep<'MakeCustomerPreferred'> = (state, _command, context) => makePreferred(state, context);
export const revokePreferredStep: CommandStep<'RevokePreferredStatus'> = (state) => revokePreferred(state);
export const markDelinquentStep: CommandStep<'MarkCustomerDelinquent'> = (state, command) => markDelinquent(state, command.reason);
export const clearDelinquencyStep: CommandStep<'ClearDelinquency'> = (state) => clearDelinquency(state);

/** Every command kind's step. */
export const ALL_STEPS: Required<CommandSteps> = {
  EditCustomerDetails: editDetailsStep,
  ChangeCustomerLocale: changeLocaleStep,
  MakeCustomerPreferred: makePreferredStep,
  RevokePreferredStatus: revokePreferredStep,
  MarkCustomerDelinquent: markDelinquentStep,
  ClearDelinquency: clearDelinquencyStep,
};

/**
 * Applies independent commands in order to the current customer. Each either applies, changes
 * nothing (already so: no write, no event) or is rejected by a rule; the others are unaffected.
 * When anything applied, the result is one new version and its events, all stamped with it.
 *
 * @example
 * ```ts
 * const decision = decide(customer, [
 *   { type: 'EditCustomerDetails', changes: { title: 'Mrs', familyName: 'Lovelace', maritalStatus: 'married' } },
 *   { type: 'MakeCustomerPreferred' },
 * ], { now: '2026-01-15T09:30:00.000Z' });
 * // customer delinquent: details applied, MakeCustomerPreferred rejected with code 'customer-delinquent'
 * ```
 */
export function decide(customer: Customer, commands: readonly CustomerCommand[], context: CommandContext): Decision {
  return decideWith(ALL_STEPS, customer, commands, context);
}

/**
 * {@link decide} with only the steps given: for a route whose commands are all of those kinds.
 *
 * @throws TypeError when a command has no step in `steps` (a wiring bug).
 */
export function decideWith(steps: CommandSteps, customer: Customer, commands: readonly CustomerCommand[], context: CommandContext): Decision {
  let state = customer;
  const pending: PendingEvent[] = [];
  const outcomes: Outcome[] = [];
  for (const command of commands) {
    const step = steps[command.type] as CommandStep<typeof command.type> | undefined;
    if (step === undefined) throw new TypeError(`no step for ${command.type}`);
    const result = step(state, command, context);
    if (result.status === 'applied') {
      state = result.state;
      pending.push(...result.events);
      outcomes.push({ command: command.type, status: 'applied' });
    } else if (result.status === 'rejected') {
      outcomes.push({ command: command.type, status: 'rejected', rejection: result.rejection });
    } else {
      outcomes.push({ command: command.type, status: 'unchanged' });
    }
  }
  if (pending.length === 0) return { customer, events: [], outcomes, changed: false };
  const version = customer.version + 1;
  return {
    customer: { ...state, version, updatedAt: context.now },
    events: pending.map((event) => event(version)),
    outcomes,
    changed: true,
  };
}

/** What `CreateCustomer` takes: the facts `CustomerCreated` reports. Other details come by `EditCustomerDetails`. */
export interface NewCustomer {
  readonly customerId: string;
  readonly email: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly phoneNumber?: string;
  readonly locale: string;
  readonly origin: Origin;
}

/**
 * A new customer at version 1, neither preferred nor delinquent, and its `CustomerCreated` event.
 * Whether the id is still free is the repository's to check (a conditional write).
 *
 * @example
 * ```ts
 * const { customer, events } = createCustomer(
 *   { customerId, email: 'ada@example.com', givenName: 'Ada', locale: 'en-GB', origin: 'registration' },
 *   { now: '2026-01-15T09:30:00.000Z' },
 * );
 * ```
 */
export function createCustomer(input: NewCustomer, context: CommandContext): { customer: Customer; events: DomainEvent[] } {
  const optional = <K extends 'givenName' | 'familyName' | 'phoneNumber'>(key: K) =>
    input[key] === undefined ? {} : ({ [key]: input[key] } as Record<K, string>);
  const customer: Customer = {
    customerId: input.customerId,
    version: 1,
    email: input.email,
    ...optional('givenName'),
    ...optional('familyName'),
    ...optional('phoneNumber'),
    locale: input.locale,
    preferred: false,
    delinquent: false,
    origin: input.origin,
    createdAt: context.now,
    updatedAt: context.now,
  };
  const event = customerCreated({
    customerId: customer.customerId,
    customerVersion: 1,
    email: customer.email,
    ...optional('givenName'),
    ...optional('familyName'),
    ...optional('phoneNumber'),
    locale: customer.locale,
    origin: customer.origin,
  });
  return { customer, events: [event] };
}
