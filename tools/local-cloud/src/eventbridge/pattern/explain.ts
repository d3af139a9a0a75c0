// Why an event did (not) match a pattern, field by field, with the same compiled conditions the
// matcher uses: the verdict is the matcher's own, the fields say where it failed.

import { compileSubRules, parsePatternInput } from './compile';
import { EventView, type LeafValue } from './event-view';
import { matchesAnySubRule, someLeafPasses, subRuleHolds } from './match';

/** One field of the pattern against the event. */
export interface FieldExplanation {
  /** Dotted path, e.g. `detail.data.tier`. */
  field: string;
  /** The pattern's value list for the field, as written. */
  expected: readonly unknown[];
  /** The event's values at the path (arrays expanded); empty when the field is absent. */
  actual: LeafValue[];
  passed: boolean;
}

/** One way the pattern can match (one combination of `$or` branches; a pattern without `$or` has one). */
export interface AlternativeExplanation {
  matches: boolean;
  /** In the order EventBridge evaluates them (by name). */
  fields: FieldExplanation[];
  /** The first field that failed, when one did. */
  failedField?: string;
  /** Why the alternative failed although every field passed on its own. */
  note?: string;
}

export interface PatternExplanation {
  /** The matcher's verdict, the same as `compileEventPattern(pattern).matches(event)`. */
  matches: boolean;
  /** How many alternatives the pattern has. */
  alternatives: number;
  /** The first `maxAlternatives` of them, explained. */
  explained: AlternativeExplanation[];
}

const ARRAY_CONSISTENCY_NOTE =
  'Each field matches some value, but not values from the same element of an array of objects (EventBridge matches fields inside one array element together).';

/**
 * Evaluates a pattern against an event field by field.
 *
 * @throws InvalidEventPatternError for an invalid pattern.
 * @example
 * ```ts
 * explainEventPattern({ source: ['kestrel.customers'] }, { source: 'kestrel.identity', ... });
 * // { matches: false, alternatives: 1, explained: [{ matches: false, failedField: 'source',
 * //   fields: [{ field: 'source', expected: ['kestrel.customers'], actual: ['kestrel.identity'], passed: false }] }] }
 * ```
 */
export function explainEventPattern(pattern: string | object, event: object, maxAlternatives = 20): PatternExplanation {
  const subRules = compileSubRules(parsePatternInput(pattern));
  const view = new EventView(event);
  const explained = subRules.slice(0, maxAlternatives).map((subRule): AlternativeExplanation => {
    const matches = subRuleHolds(subRule, view);
    const fields = subRule.conditions.map((condition) => {
      const actual = view.leaves(condition.path, condition.cacheKey).map((leaf) => leaf.value);
      // A matching alternative passed every field, whichever array elements the matcher chose.
      const passed = matches || someLeafPasses(condition, view) || (condition.absentAllowed && actual.length === 0);
      return { field: condition.name, expected: condition.expected, actual, passed };
    });
    const failed = fields.find((field) => !field.passed);
    return {
      matches,
      fields,
      ...(failed ? { failedField: failed.field } : {}),
      ...(!matches && !failed ? { note: ARRAY_CONSISTENCY_NOTE } : {}),
    };
  });
  return { matches: matchesAnySubRule(subRules, view), alternatives: subRules.length, explained };
}
