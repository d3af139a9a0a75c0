// The EventBridge pattern engine of the local cloud (validation and matching faithful to AWS and
// aws/event-ruler), reused so the catalog and the check judge patterns exactly as the bus does.
import * as engine from '@kestrel/local-cloud/event-pattern';

/** A pattern compiled once and matched against many events. */
export interface CompiledPattern {
  matches(event: object): boolean;
}

/** AWS's reason for refusing a pattern and where in the pattern it applies. */
export type PatternValidation = { readonly valid: true } | { readonly valid: false; readonly error: { readonly reason: string; readonly path: string } };

/**
 * Validates and compiles an EventBridge pattern.
 *
 * @throws the engine's InvalidEventPatternError (with `reason` and `path`) for an invalid pattern.
 * @example
 * ```ts
 * compileEventPattern({ source: [{ prefix: 'kestrel.' }] }).matches({ source: 'kestrel.customers' }); // true
 * ```
 */
export function compileEventPattern(pattern: string | object): CompiledPattern {
  return engine.compileEventPattern(pattern);
}

/**
 * Checks a pattern without throwing.
 *
 * @example
 * ```ts
 * validateEventPattern({ source: [] }); // { valid: false, error: { reason: 'Empty arrays are not allowed', path: 'source' } }
 * ```
 */
export function validateEventPattern(pattern: string | object): PatternValidation {
  return engine.validateEventPattern(pattern);
}
