// Proof by generation: the gate's verdicts checked against what parsers actually do. For a
// contract version present at the base and now, events are drawn from one side's schema, kept
// when that side's producer parser accepts them, and parsed with the other side's consumer parser:
//   forward: current producers → consumers deployed with the base (old consumers read new events)
//   replay:  base producers (archives, the lake) → current consumers
// A compatible verdict with a counterexample here is a gate bug.
import fc from 'fast-check';
import * as z from 'zod';
import { asProducer } from '../src/open-enum';
import { eventSchemaFor, safeParseEvent, type AnyEventContract } from '../src/index';
import { arbitraryFromSchema, UngeneratableSchemaError } from './arbitrary';
import type { SchemaNode } from './compare';

/** Issues as one line, or undefined when the event was accepted. */
export type Parser = (event: unknown) => string | undefined;

/** One side of a comparison: the schema events are drawn from and the two parsers it deploys. */
export interface ContractSide {
  /** The lock (JSON Schema) of the whole event. */
  readonly schema: SchemaNode;
  /** What a producer of this side lets through before publishing (strict: open enums list their values). */
  readonly producer: Parser;
  /** What a consumer built with this side accepts (tolerant: open enums take any string). */
  readonly consumer: Parser;
}

export type Direction = 'forward' | 'replay';

export interface GenerationOutcome {
  readonly direction: Direction;
  /** Events drawn and accepted by the producing side, then parsed by the consuming side. */
  readonly parsed: number;
  /** Drawn events the producing side refused (refinements a JSON Schema cannot state). */
  readonly discarded: number;
  /** The smallest event found that the consuming side rejects, with why. */
  readonly counterexample?: { readonly event: unknown; readonly issues: string };
  /** Why the direction could not be generated at all (a keyword the generator cannot honour). */
  readonly skipped?: string;
}

export interface GenerationOptions {
  /** Events per direction; default {@link DEFAULT_EVENTS_PER_CONTRACT}. */
  readonly events?: number;
  /** fast-check seed; fixed by default so CI runs are reproducible. */
  readonly seed?: number;
}

/** Fast enough for every pull request (~0.1 s per contract version and direction); raise it with --events. */
export const DEFAULT_EVENTS_PER_CONTRACT = 100;
const DEFAULT_SEED = 424_242;

function issuesOf(error: z.core.$ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/** Keeps the lock's producer language but lets open enums take any string, as their readers do. */
function relaxOpenEnums(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relaxOpenEnums);
  if (typeof node !== 'object' || node === null) return node;
  const copy: SchemaNode = {};
  for (const [keyword, value] of Object.entries(node)) copy[keyword] = relaxOpenEnums(value);
  if (copy['x-kestrel-open-enum'] === true) delete copy.enum;
  return copy;
}

/**
 * The base side as deployed, rebuilt from its lock: the lock is the JSON Schema zod generated from
 * the base code (input side), so parsing with `z.fromJSONSchema` of it validates what the base
 * parser validated (types, enums, formats by their patterns, lengths, bounds, required fields).
 * Refinements a JSON Schema cannot state are not rebuilt; docs/events.md names that limit.
 */
export function sideFromLock(schema: SchemaNode): ContractSide {
  const producerSchema = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  const consumerSchema = z.fromJSONSchema(relaxOpenEnums(schema) as Parameters<typeof z.fromJSONSchema>[0]);
  const parser = (parse: z.ZodType): Parser => (event) => {
    const result = parse.safeParse(event);
    return result.success ? undefined : issuesOf(result.error);
  };
  return { schema, producer: parser(producerSchema), consumer: parser(consumerSchema) };
}

/** The current side, with the real parsers: `buildPutEventsEntry`'s strictness and `parseEvent`. */
export function sideFromContract(contract: AnyEventContract, schema: SchemaNode): ContractSide {
  return {
    schema,
    producer: (event) => {
      const result = asProducer(() => eventSchemaFor(contract).safeParse(event));
      return result.success ? undefined : issuesOf(result.error);
    },
    consumer: (event) => {
      const result = safeParseEvent(contract, event);
      return result.success ? undefined : result.error.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    },
  };
}

/** Draws events from `from` (kept when its producer accepts them) and parses them with `to`'s consumer. */
export function generateAcross(from: ContractSide, to: ContractSide, direction: Direction, options: GenerationOptions = {}): GenerationOutcome {
  let arbitrary: fc.Arbitrary<unknown>;
  try {
    arbitrary = arbitraryFromSchema(from.schema);
  } catch (error) {
    if (error instanceof UngeneratableSchemaError || error instanceof SyntaxError) {
      return { direction, parsed: 0, discarded: 0, skipped: error.message };
    }
    throw error;
  }
  const details = fc.check(
    fc.property(arbitrary, (event) => {
      fc.pre(from.producer(event) === undefined);
      return to.consumer(event) === undefined;
    }),
    // No shrinking: one counterexample proves the point, and shrinking whole events costs seconds.
    { numRuns: options.events ?? DEFAULT_EVENTS_PER_CONTRACT, seed: options.seed ?? DEFAULT_SEED, endOnFailure: true },
  );
  const parsed = details.numRuns;
  const discarded = details.numSkips;
  if (details.failed && details.counterexample) {
    const event = details.counterexample[0];
    return { direction, parsed, discarded, counterexample: { event, issues: to.consumer(event) ?? '(accepted when parsed again)' } };
  }
  if (details.failed) {
    return { direction, parsed, discarded, skipped: `the producing side refused almost every drawn event (${discarded} refused)` };
  }
  return { direction, parsed, discarded };
}

/**
 * Both directions for one contract version: forward (current producers, base consumers) and replay
 * (base producers, current consumers).
 *
 * @example
 * ```ts
 * const outcomes = generateBothWays(sideFromLock(baseLock), sideFromContract(CustomerCreatedV1, toJsonSchema(CustomerCreatedV1)));
 * outcomes.filter((o) => o.counterexample); // [] when the change is compatible
 * ```
 */
export function generateBothWays(base: ContractSide, current: ContractSide, options: GenerationOptions = {}): GenerationOutcome[] {
  return [generateAcross(current, base, 'forward', options), generateAcross(base, current, 'replay', options)];
}
