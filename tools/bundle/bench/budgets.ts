/**
 * The deterministic budgets every bench checks (bundle bytes, synth memory, call counts,
 * capacity units), read from the one checked-in file `budgets.json` beside this module. A budget
 * is the ceiling CI enforces today; a goal is where the issue wants the figure to be, recorded
 * beside it so a report shows the gap. Times are never budgeted: they are reported only.
 */
import { readFileSync } from 'node:fs';

export interface HandlerBudgets {
  /** A function that bundles no AWS client (e.g. a Cognito trigger deciding from its event alone). */
  maxBytesWithoutAws: number;
  /** Per service, the largest bundle allowed. */
  maxBytesPerService: Record<string, number>;
  /** bytes ÷ the bytes of the zod/mini + same-clients reference built in the same run (functions that call AWS). */
  maxBytesOverFloor: number;
}

export interface Budgets {
  handlers: HandlerBudgets;
  /** Peak memory of a stack's synth, whole process tree: repeat synths, and the first one (bundle rebuilt); `exceptions` name a stack's own ceiling (for both) and why. */
  synth: { maxPeakTreeRssMb: number; maxFirstRunPeakTreeRssMb: number; firstRunWhy: string; exceptions: Record<string, { maxPeakTreeRssMb: number; why: string }> };
  firehose: { maxCallsOverMinimum: number };
  /** DynamoDB capacity units an operation consumed ÷ the arithmetic floor of what it must read and write. */
  capacity: { maxMeasuredOverFloor: number };
  goals: Record<string, Record<string, unknown>>;
}

export const BUDGETS_FILE = new URL('./budgets.json', import.meta.url);

export function readBudgets(): Budgets {
  return JSON.parse(readFileSync(BUDGETS_FILE, 'utf8')) as Budgets;
}

/**
 * Every handler figure over its budget, as readable lines (empty when all fit).
 *
 * @example
 * ```ts
 * handlerBudgetViolations([{ service: 'customers', function: 'f', bytes: 400_000, bytesOverFloor: 1.5, reference: 'floor+zod-mini+lib-dynamodb' }], budgets.handlers);
 * // ['customers/f: 400000 bytes > 350000 (customers budget)', 'customers/f: 1.5x its floor > 1.45x']
 * ```
 */
export function handlerBudgetViolations(
  functions: ReadonlyArray<{ service: string; function: string; bytes: number; bytesOverFloor: number; reference: string }>,
  budgets: HandlerBudgets,
): string[] {
  return functions.flatMap((f) => {
    const name = `${f.service}/${f.function}`;
    const violations: string[] = [];
    const serviceBudget = budgets.maxBytesPerService[f.service];
    if (serviceBudget === undefined) violations.push(`${name}: no byte budget for service ${f.service} in budgets.json`);
    else if (f.bytes > serviceBudget) violations.push(`${name}: ${f.bytes} bytes > ${serviceBudget} (${f.service} budget)`);
    if (f.reference === 'floor+zod-mini' && f.bytes > budgets.maxBytesWithoutAws) violations.push(`${name}: ${f.bytes} bytes > ${budgets.maxBytesWithoutAws} (no AWS client)`);
    // The floor ratio binds functions that call AWS; for the others the floor is zod/mini alone (~16 KB), and the byte budget is what counts.
    if (f.reference !== 'floor+zod-mini' && f.bytesOverFloor > budgets.maxBytesOverFloor) violations.push(`${name}: ${f.bytesOverFloor}x its floor > ${budgets.maxBytesOverFloor}x`);
    return violations;
  });
}
