// AWS refuses event patterns whose wildcards make matching too non-deterministic ("Wildcards and
// event pattern complexity" in the comparison operators page: InvalidEventPatternException when the
// rule is created). The measure is event-ruler's MachineComplexityEvaluator: the largest number of
// wildcard-pattern states a worst-case value can keep active at once in one field's byte machine.
//
// Modelled here per field: each `wildcard` value of the field is a byte automaton over the UTF-8
// value in its quotes (as event-ruler stores it), where `*` is a self-loop on the state that follows
// it; a subset search over the bytes the patterns use (plus one "other" byte) finds the largest sum of
// active states. AWS does not document the threshold; "more than 10" refuses every pattern below that
// AWS is known to refuse and accepts every one known to be accepted (see the cases' comments).

/** The most wildcard states AWS lets one field keep active at once. */
export const WILDCARD_COMPLEXITY_LIMIT = 10;

/** AWS's reason for a pattern over the limit. */
export const TOO_COMPLEX = 'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';

/** Stop searching after this many distinct active sets (a bound on local work, never a refusal). */
const MAX_EXPLORED = 20_000;

const OTHER_BYTE = -1;

/** One literal byte of a pattern and whether a `*` before it lets its state loop on any byte. */
interface Step {
  readonly byte: number;
  readonly loops: boolean;
}

const utf8 = new TextEncoder();

/** The steps of a wildcard value (already validated: escapes are `\*` and `\\` only). */
function stepsOf(wildcard: string): Step[] {
  const steps: Step[] = [];
  let loops = false;
  const literal = (text: string) => {
    for (const byte of utf8.encode(text)) {
      steps.push({ byte, loops });
      loops = false;
    }
  };
  literal('"');
  for (let i = 0; i < wildcard.length; i++) {
    const char = wildcard[i] as string;
    if (char === '\\') literal(wildcard[++i] as string);
    else if (char === '*') loops = true;
    else literal(char);
  }
  literal('"');
  return steps;
}

/**
 * The complexity of one field's wildcard values: the largest total number of states the values'
 * automata can be in at once after some input (the start state not counted, as in event-ruler).
 * Stops early once `limit` is exceeded.
 *
 * @example
 * wildcardComplexity(['*.bif', '*.tif']); // 4
 */
export function wildcardComplexity(wildcards: readonly string[], limit = WILDCARD_COMPLEXITY_LIMIT): number {
  const automata = [...new Set(wildcards)].map(stepsOf);
  if (automata.length === 0) return 0;
  const alphabet = [OTHER_BYTE, ...new Set(automata.flatMap((steps) => steps.map((step) => step.byte)))];
  // A state is "about to take step j" (j = steps.length: matched); a set holds `pattern:j` entries.
  const advance = (active: readonly string[], byte: number): string[] => {
    const next = new Set<string>();
    const take = (pattern: number, j: number) => {
      const step = automata[pattern]?.[j];
      if (!step) return;
      if (step.loops) next.add(`${pattern}:${j}`);
      if (step.byte === byte) next.add(`${pattern}:${j + 1}`);
    };
    for (const entry of active) {
      const [pattern, j] = entry.split(':').map(Number) as [number, number];
      take(pattern, j);
    }
    return [...next].sort();
  };
  const start = automata.map((_, pattern) => `${pattern}:0`);
  const seen = new Set<string>([start.join(' ')]);
  const pending = [start];
  let maximum = 0;
  while (pending.length > 0 && seen.size < MAX_EXPLORED) {
    const active = pending.pop() as string[];
    for (const byte of alphabet) {
      const next = advance(active, byte);
      if (next.length === 0) continue;
      maximum = Math.max(maximum, next.length);
      if (maximum > limit) return maximum;
      const key = next.join(' ');
      if (!seen.has(key)) {
        seen.add(key);
        pending.push(next);
      }
    }
  }
  return maximum;
}
