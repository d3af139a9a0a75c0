import '@kestrel/contracts/zod-english';
import * as z from 'zod/mini';
import { MAX_ITEM_BYTES, readCapacityUnits, type ReadConsistency } from './capacity';
import { indexNames } from './table';

const nonEmpty = z.string().check(z.minLength(1));
const accessPatternInput = z
  .object({
    name: z.string().check(z.trim(), z.minLength(1, 'name the access pattern (e.g. "Get customer by id")')),
    entity: z.pipe(
      z.union([nonEmpty, z.object({ name: nonEmpty })]),
      z.transform((entity: string | { name: string }) => (typeof entity === 'string' ? entity : entity.name)),
    ),
    index: z.enum(['table', ...indexNames]),
    keyCondition: z.string().check(z.trim(), z.minLength(1, 'describe the key condition, e.g. "PK = CUSTOMER#<id> AND SK = PROFILE"')),
    operation: z.enum(['GetItem', 'Query']),
    expectedItemBytes: z.int().check(z.positive(), z.maximum(MAX_ITEM_BYTES, `DynamoDB items are at most ${MAX_ITEM_BYTES} bytes`)),
    /** Items a Query returns in the expected case; GetItem reads one. */
    expectedItems: z._default(z.int().check(z.positive()), 1),
    consistency: z._default(z.enum(['eventual', 'strong']), 'eventual'),
    notes: z._default(z.string(), ''),
  })
  .check(z.superRefine((pattern, context) => {
    if (pattern.operation === 'GetItem' && pattern.index !== 'table') {
      context.addIssue({ code: 'custom', path: ['index'], message: 'GetItem reads the table only; use Query on a GSI' });
    }
    if (pattern.operation === 'GetItem' && pattern.expectedItems !== 1) {
      context.addIssue({ code: 'custom', path: ['expectedItems'], message: 'GetItem returns at most one item' });
    }
    if (pattern.index !== 'table' && pattern.consistency === 'strong') {
      context.addIssue({ code: 'custom', path: ['consistency'], message: 'global secondary indexes support eventually consistent reads only' });
    }
  }));

/** What a service declares about one way it reads its table. */
export type AccessPatternDefinition = z.input<typeof accessPatternInput>;

/** A validated access pattern with its read cost. */
export type AccessPattern = z.output<typeof accessPatternInput> & {
  /** Read capacity units one call costs in the expected case (all items read in one request). */
  readonly readCapacityUnits: number;
};

/** An access-pattern definition is incomplete or contradictory; `issues` name the fields. */
export class AccessPatternError extends Error {
  constructor(
    readonly pattern: string,
    readonly issues: readonly { field: string; message: string }[],
  ) {
    super(`Access pattern ${JSON.stringify(pattern)}: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}`);
    this.name = 'AccessPatternError';
  }
}

/**
 * Declares an access pattern: plan them first, then design keys to serve each with one
 * GetItem or Query. The declaration documents the service (see {@link accessPatternTable})
 * and carries the expected read cost.
 *
 * @example
 * ```ts
 * const getCustomer = defineAccessPattern({
 *   name: 'Get customer by id',
 *   entity: Customer,
 *   index: 'table',
 *   keyCondition: 'PK = CUSTOMER#<customerId> AND SK = PROFILE',
 *   operation: 'GetItem',
 *   expectedItemBytes: 600,
 * });
 * getCustomer.readCapacityUnits; // 0.5
 * ```
 */
export function defineAccessPattern(definition: AccessPatternDefinition): AccessPattern {
  const result = accessPatternInput.safeParse(definition);
  if (!result.success) {
    const label = typeof definition?.name === 'string' && definition.name.trim() !== '' ? definition.name : '(unnamed)';
    throw new AccessPatternError(
      label,
      result.error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(pattern)', message: issue.message })),
    );
  }
  const pattern = result.data;
  const consistency: ReadConsistency = pattern.consistency;
  return Object.freeze({
    ...pattern,
    readCapacityUnits: readCapacityUnits(pattern.expectedItemBytes * pattern.expectedItems, { consistency }),
  });
}

function cell(text: string): string {
  // A pipe would end the cell; newlines would end the row.
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * Renders access patterns as a Markdown table for a service README.
 *
 * @example
 * ```ts
 * console.log(accessPatternTable([getCustomer, customersByEmail]));
 * // | Access pattern | Entity | Index | Key condition | Operation | Item size | RCU per call | Notes |
 * // | --- | --- | ...
 * ```
 */
export function accessPatternTable(patterns: readonly AccessPattern[]): string {
  const seen = new Set<string>();
  for (const pattern of patterns) {
    if (seen.has(pattern.name)) {
      throw new AccessPatternError(pattern.name, [{ field: 'name', message: 'is declared twice' }]);
    }
    seen.add(pattern.name);
  }
  const header = ['Access pattern', 'Entity', 'Index', 'Key condition', 'Operation', 'Item size', 'RCU per call', 'Notes'];
  const rows = patterns.map((pattern) => [
    pattern.name,
    pattern.entity,
    pattern.index,
    `\`${pattern.keyCondition}\``,
    pattern.operation === 'Query' && pattern.expectedItems > 1 ? `Query (~${pattern.expectedItems} items)` : pattern.operation,
    `${pattern.expectedItemBytes} B`,
    `${pattern.readCapacityUnits} (${pattern.consistency})`,
    pattern.notes,
  ]);
  return [header, header.map(() => '---'), ...rows].map((row) => `| ${row.map(cell).join(' | ')} |`).join('\n') + '\n';
}
