// The EventBridge pattern engine of the local cloud (validation and matching faithful to AWS and
// aws/event-ruler), reused so the catalog and the check judge patterns exactly as the bus does.
// @kestrel/local-cloud's entry point does not export it yet and Nx forbids relative imports into
// another project, so it is loaded by file URL; once `compileEventPattern` and
// `validateEventPattern` are exported from '@kestrel/local-cloud', import them from there instead.

/** A pattern compiled once and matched against many events. */
export interface CompiledPattern {
  matches(event: object): boolean;
}

/** AWS's reason for refusing a pattern and where in the pattern it applies. */
export type PatternValidation = { readonly valid: true } | { readonly valid: false; readonly error: { readonly reason: string; readonly path: string } };

interface PatternEngine {
  compileEventPattern(pattern: string | object): CompiledPattern;
  validateEventPattern(pattern: string | object): PatternValidation;
}

const ENGINE_MODULE = new URL('../../local-cloud/src/eventbridge/pattern/index.ts', import.meta.url);
const engine = (await import(ENGINE_MODULE.href)) as PatternEngine;

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
