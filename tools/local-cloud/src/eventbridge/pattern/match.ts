import type { Condition, SubRule } from './compile';
import { isConsistent, type EventView, type Leaf, type Membership } from './event-view';

const NONE: Membership = [];

/** True when some sub-rule of the pattern holds for the event. */
export function matchesAnySubRule(subRules: readonly SubRule[], view: EventView): boolean {
  for (const subRule of subRules) {
    if (mayHold(subRule, view) && satisfies(subRule.conditions, 0, view, NONE)) return true;
  }
  return false;
}

/** True when every condition of one sub-rule holds for the event (with array-consistent choices). */
export function subRuleHolds(subRule: SubRule, view: EventView): boolean {
  return satisfies(subRule.conditions, 0, view, NONE);
}

/** True when some value of the field passes one of the field's tests (array consistency aside). */
export function someLeafPasses(condition: Condition, view: EventView): boolean {
  return view.leaves(condition.path, condition.cacheKey).some((leaf) => passesAnyTest(condition, leaf));
}

// A cheap necessary condition checked first: every field that must have a value has some leaf
// passing one of its tests, ignoring array elements. Shallow paths (source, detail-type) come
// first as they are the most selective, so most non-matching rules stop after one lookup.
function mayHold(subRule: SubRule, view: EventView): boolean {
  for (const condition of subRule.required) {
    let found = false;
    for (const leaf of view.leaves(condition.path, condition.cacheKey)) {
      if (passesAnyTest(condition, leaf)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

// Conditions are taken in name order, each choosing one leaf that agrees with the array elements
// chosen so far; `exists: false` holds when no such agreeing leaf exists at that point. This is
// the order-sensitive way EventBridge evaluates absence inside arrays of objects.
function satisfies(conditions: readonly Condition[], index: number, view: EventView, chosen: Membership): boolean {
  const condition = conditions[index];
  if (condition === undefined) return true;
  const leaves = view.leaves(condition.path, condition.cacheKey);
  if (condition.absentAllowed && !leaves.some((leaf) => isConsistent(chosen, leaf.membership))) {
    if (satisfies(conditions, index + 1, view, chosen)) return true;
  }
  for (const leaf of leaves) {
    if (!isConsistent(chosen, leaf.membership) || !passesAnyTest(condition, leaf)) continue;
    const next = leaf.membership.length === 0 ? chosen : [...chosen, ...leaf.membership];
    if (satisfies(conditions, index + 1, view, next)) return true;
  }
  return false;
}

function passesAnyTest(condition: Condition, leaf: Leaf): boolean {
  for (const test of condition.tests) {
    if (test(leaf)) return true;
  }
  return false;
}
