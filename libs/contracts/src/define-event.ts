import type * as z from 'zod/mini';
import { namingProblems, SOURCE_PREFIX } from './envelope';
import { ContractDefinitionError, toContractIssues } from './errors';
import { asProducer } from './open-enum';

/**
 * The zod schema of an event's `detail.data`: always an object (or a union of objects). The
 * platform's contracts are written with `zod/mini` (what handlers bundle); a classic `zod` schema
 * is accepted too (both share zod's core), for contracts that only tools and tests load.
 */
export type DataSchema = z.core.$ZodType<Record<string, unknown>, Record<string, unknown>> & {
  parse(data: unknown): Record<string, unknown>;
  safeParse(data: unknown): z.core.util.SafeParseResult<Record<string, unknown>>;
};

/** What a producing context writes to declare one version of one event. */
export interface EventDefinition<
  TSource extends string,
  TDetailType extends string,
  TVersion extends number,
  TData extends DataSchema,
> {
  /** `kestrel.<context>`, e.g. `kestrel.customers`. */
  readonly source: TSource;
  /** PascalCase, past tense, no version: `CustomerCreated`. */
  readonly detailType: TDetailType;
  /** Contract major version, starting at 1; a breaking change is a new version published alongside the old. */
  readonly version: TVersion;
  /** The producing bounded context; must match the source (`customers` for `kestrel.customers`). */
  readonly owner: string;
  /** One or two sentences on what happened in the domain, for consumers reading the schema. */
  readonly description: string;
  /** Schema of `detail.data`. Mark personal data with `.check(z.meta({ pii: 'email' | 'name' | 'phone' | 'address' | 'other' }))`. */
  readonly data: TData;
  /** A realistic payload; validated against `data` when the contract is defined and published in the JSON Schema. */
  readonly example: NoInfer<z.input<TData>>;
}

/** One registered version of one event: the published language between services. */
export interface EventContract<
  TSource extends string = string,
  TDetailType extends string = string,
  TVersion extends number = number,
  TData extends DataSchema = DataSchema,
> extends EventDefinition<TSource, TDetailType, TVersion, TData> {
  /** `source/DetailType/vN`, unique across the registry. */
  readonly key: string;
}

/** Any contract, whatever its literal types; what registries and tools work with. */
export type AnyEventContract = EventContract<string, string, number, DataSchema>;

/** The data type a contract's consumers receive (after defaults are applied). */
export type EventData<C extends AnyEventContract> = z.output<C['data']>;
/** The data type a contract's producers pass in (before defaults are applied). */
export type EventDataInput<C extends AnyEventContract> = z.input<C['data']>;

/** The registry key of a contract version: `source/DetailType/vN`. */
export function contractKey(source: string, detailType: string, version: number): string {
  return `${source}/${detailType}/v${version}`;
}

/**
 * Declares one version of one event. Checks the naming rules (source `kestrel.<context>`,
 * PascalCase detail-type without a version, positive integer version, owner matching the source)
 * and validates `example` against `data`, so a wrong contract fails when its module loads.
 *
 * @example
 * ```ts
 * import * as z from 'zod/mini';
 * import { defineEvent } from '@kestrel/contracts';
 *
 * export const CustomerCreatedV1 = defineEvent({
 *   source: 'kestrel.customers',
 *   detailType: 'CustomerCreated',
 *   version: 1,
 *   owner: 'customers',
 *   description: 'A customer record was created after sign-up.',
 *   data: z.object({
 *     customerId: z.uuid(),
 *     email: z.email().check(z.meta({ pii: 'email' })),
 *     name: z.string().check(z.minLength(1), z.meta({ pii: 'name' })),
 *   }),
 *   example: { customerId: '0b5e4b8e-8a3c-4c5e-9a57-1a1d3c0b7e21', email: 'ada@example.com', name: 'Ada' },
 * });
 * ```
 */
export function defineEvent<
  const TSource extends string,
  const TDetailType extends string,
  const TVersion extends number,
  TData extends DataSchema,
>(definition: EventDefinition<TSource, TDetailType, TVersion, TData>): EventContract<TSource, TDetailType, TVersion, TData> {
  const contract = declareEvent(definition);
  const checked = asProducer(() => contract.data.safeParse(contract.example));
  if (!checked.success) {
    throw new ContractDefinitionError(
      `Event contract ${label(contract)}: example does not match the data schema`,
      toContractIssues(checked.error.issues, ['example']),
    );
  }
  return contract;
}

function label({ source, detailType, version }: { source: string; detailType: string; version: number }): string {
  return `${source} ${detailType} v${version}`;
}

/**
 * {@link defineEvent} without validating `example` when the module loads: for the platform's own
 * contracts in `src/events/`, which every function bundle that uses them evaluates at cold start
 * (parsing every example there costs ~0.7 ms per contract). `tests/unit/registered-contracts.test.ts`
 * validates every registered contract's example instead, so a wrong one still fails the build.
 * Naming rules are still checked here (they cost microseconds). Internal: not exported from the package.
 */
export function declareEvent<
  const TSource extends string,
  const TDetailType extends string,
  const TVersion extends number,
  TData extends DataSchema,
>(definition: EventDefinition<TSource, TDetailType, TVersion, TData>): EventContract<TSource, TDetailType, TVersion, TData> {
  const { source, detailType, version, owner, description, data, example } = definition;

  const problems = namingProblems(source, detailType, version);
  if (source.startsWith(SOURCE_PREFIX) && owner !== source.slice(SOURCE_PREFIX.length)) {
    problems.push(`owner "${owner}" must be the context named in the source ("${source.slice(SOURCE_PREFIX.length)}")`);
  }
  if (description.trim() === '') problems.push('description must say what happened');
  if (problems.length > 0) {
    throw new ContractDefinitionError(
      `Event contract ${label(definition)} is malformed`,
      problems.map((message) => ({ path: '', message, code: 'naming' })),
    );
  }

  return Object.freeze({ source, detailType, version, owner, description, data, example, key: contractKey(source, detailType, version) });
}
