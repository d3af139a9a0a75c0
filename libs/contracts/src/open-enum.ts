// zod/mini, like every module a handler bundles (see envelope.ts).
import * as z from 'zod/mini';
import './zod-english';

// The tolerant reader. Producers deploy first and consumers lag, so a value a producer starts
// sending must already be readable by the consumer code deployed before it. An open enum is
// strict where values are made (publishing, contract examples) and tolerant where they are read
// (parseEvent): a value unknown to the reader arrives as an `Unrecognised` string instead of
// failing the event into its dead-letter queue. Adding a value to an open enum is therefore safe
// by construction, and the compatibility gate knows it (the lock marks the node `x-kestrel-open-enum`).

declare const unrecognisedBrand: unique symbol;

/**
 * A value of an open enum this code did not know when it was built. Still the string the producer
 * sent (stores and forwards unchanged); typed apart so `switch` over the known values needs a
 * `default` branch.
 */
export type Unrecognised = string & { readonly [unrecognisedBrand]: true };

/** Keyword marking an enum the reader tolerates unknown values of, in the published JSON Schema. */
export const OPEN_ENUM_KEYWORD = 'x-kestrel-open-enum';

// Depth of nested producer-side parses in progress; parsing is synchronous, so a counter is enough.
let producing = 0;

/**
 * Runs `parse` with producer-side strictness: open enums refuse values they do not list. Used by
 * `buildPutEventsEntry` and the contract example checks; consumers never call it.
 */
export function asProducer<T>(parse: () => T): T {
  producing += 1;
  try {
    return parse();
  } finally {
    producing -= 1;
  }
}

/**
 * An enum consumers read tolerantly: producers may only send `values` (type- and run-time
 * checked when publishing), while readers accept any string and see values they do not know as
 * {@link Unrecognised}. Use it for every enum that may grow; a closed `z.enum` can never gain a
 * value within a version, because deployed consumers would reject it.
 *
 * @example
 * ```ts
 * const channel = openEnum(['web', 'app']);
 * // consumer
 * switch (event.detail.data.channel) {
 *   case 'web': ...; break;
 *   case 'app': ...; break;
 *   default: logger.info('unrecognised channel', { channel: event.detail.data.channel }); // a later value
 * }
 * ```
 */
export function openEnum<const T extends readonly [string, ...string[]]>(values: T): z.ZodMiniType<T[number] | Unrecognised, T[number]> {
  const known = new Set<string>(values);
  const schema = z.string().check(
    (ctx) => {
      if (producing > 0 && !known.has(ctx.value)) {
        ctx.issues.push({
          code: 'invalid_value',
          values: [...values],
          input: ctx.value,
          message: `Invalid option: expected one of ${values.map((v) => JSON.stringify(v)).join('|')}`,
        });
      }
    },
    z.meta({ openEnum: [...values] }),
  );
  return schema as unknown as z.ZodMiniType<T[number] | Unrecognised, T[number]>;
}

/**
 * Narrows an open enum's value to the values this code knows.
 *
 * @example
 * ```ts
 * if (isKnownValue(['web', 'app'], data.channel)) route(data.channel); // 'web' | 'app'
 * ```
 */
export function isKnownValue<const T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
