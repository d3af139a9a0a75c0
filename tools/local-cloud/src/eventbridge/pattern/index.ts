// EventBridge event patterns: validation and matching, faithful to the AWS documentation
// ("Creating event patterns", "Content filtering", "Comparison operators") and, where the docs
// are silent, to aws/event-ruler, the open-source engine EventBridge runs.

import { compileSubRules, parsePatternInput, type SubRule } from './compile';
import { InvalidEventPatternError } from './errors';
import { EventView } from './event-view';
import { matchesAnySubRule } from './match';

export { InvalidEventPatternError } from './errors';
export { EventView } from './event-view';

/** An event pattern as parsed JSON. */
export type EventPattern = Readonly<Record<string, unknown>>;

/** An event as parsed JSON (EventBridge events are JSON objects). */
export type EventObject = object;

/** A pattern validated and compiled once, to be matched against many events. */
export interface CompiledEventPattern {
  /** The pattern as parsed. */
  readonly pattern: EventPattern;
  /** How many alternatives the pattern's `$or` expressions expand to (1 without `$or`). */
  readonly alternatives: number;
  /** True when the event matches; pass an EventView to share work across many patterns. */
  matches(event: EventObject | EventView): boolean;
}

export type EventPatternValidation =
  | { readonly valid: true }
  | { readonly valid: false; readonly error: InvalidEventPatternError };

/**
 * Validates and compiles an event pattern. Compile once per rule; matching is then allocation-light.
 *
 * @throws InvalidEventPatternError with AWS's reason when the pattern is not valid.
 * @example
 * ```ts
 * const rule = compileEventPattern({ source: ['kestrel.customers'], detail: { data: { tier: [{ prefix: 'gold' }] } } });
 * rule.matches(event); // true or false
 * ```
 */
export function compileEventPattern(pattern: string | object): CompiledEventPattern {
  const parsed = parsePatternInput(pattern);
  const subRules: readonly SubRule[] = compileSubRules(parsed);
  return {
    pattern: parsed,
    alternatives: subRules.length,
    matches(event) {
      const view = event instanceof EventView ? event : new EventView(requireEventObject(event));
      return matchesAnySubRule(subRules, view);
    },
  };
}

/**
 * Checks a pattern without throwing.
 *
 * @example
 * ```ts
 * const result = validateEventPattern('{"detail": {"price": [{"numeric": [">", 10, ">", 20]}]}}');
 * if (!result.valid) console.log(result.error.message);
 * // Event pattern is not valid. Reason: Bad numeric range operator: >
 * //  at [path: detail.price[0]]
 * ```
 */
export function validateEventPattern(pattern: string | object): EventPatternValidation {
  try {
    compileEventPattern(pattern);
    return { valid: true };
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return { valid: false, error };
    throw error;
  }
}

/**
 * Tests one event against one pattern, like the TestEventPattern API. Both may be JSON text.
 *
 * @throws InvalidEventPatternError for an invalid pattern; TypeError when the event is not a JSON object.
 * @example
 * ```ts
 * matchesEventPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, event);
 * ```
 */
export function matchesEventPattern(pattern: string | object, event: string | object): boolean {
  return compileEventPattern(pattern).matches(requireEventObject(event));
}

function requireEventObject(event: unknown): EventObject {
  let parsed = event;
  if (typeof event === 'string') {
    try {
      parsed = JSON.parse(event);
    } catch (error) {
      throw new TypeError(`Event is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TypeError('Event must be a JSON object');
  }
  return parsed as EventObject;
}

export { explainEventPattern, type AlternativeExplanation, type FieldExplanation, type PatternExplanation } from './explain';
