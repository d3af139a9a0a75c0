import type * as z from 'zod/mini';

/** One problem found while validating an event, located by its field path. */
export interface ContractIssue {
  /** Dotted path from the event root, e.g. `detail.data.items[0].email`; empty for the root itself. */
  readonly path: string;
  readonly message: string;
  /** The zod issue code (e.g. `invalid_type`), or `unknown_event` when no contract matches. */
  readonly code: string;
}

/**
 * Turns a zod issue path into the dotted form used in error messages:
 * `['detail', 'data', 'items', 0, 'email']` becomes `detail.data.items[0].email`.
 */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** Converts zod issues into {@link ContractIssue}s, prefixing each path (e.g. with `detail.data`). */
export function toContractIssues(issues: ReadonlyArray<z.core.$ZodIssue>, prefix: ReadonlyArray<PropertyKey> = []): ContractIssue[] {
  return issues.map((issue) => ({
    path: formatIssuePath([...prefix, ...issue.path]),
    message: issue.message,
    code: issue.code,
  }));
}

function describeIssues(issues: ReadonlyArray<ContractIssue>): string {
  return issues.map((issue) => `  ${issue.path === '' ? '(event)' : issue.path}: ${issue.message}`).join('\n');
}

/**
 * An event (or the data a producer tried to publish) does not satisfy its contract.
 * `issues` lists every problem with its field path; the message repeats them one per line.
 */
export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';
  readonly issues: readonly ContractIssue[];

  constructor(summary: string, issues: readonly ContractIssue[]) {
    super(`${summary}\n${describeIssues(issues)}`);
    this.issues = issues;
  }
}

/** A contract definition is itself wrong (bad name, invalid example, unknown PII kind...). Thrown at definition time. */
export class ContractDefinitionError extends Error {
  override readonly name = 'ContractDefinitionError';
  readonly issues: readonly ContractIssue[];

  constructor(summary: string, issues: readonly ContractIssue[] = []) {
    super(issues.length === 0 ? summary : `${summary}\n${describeIssues(issues)}`);
    this.issues = issues;
  }
}

/** A PutEvents entry would exceed EventBridge's per-entry size limit; raised before any network call. */
export class EventTooLargeError extends Error {
  override readonly name = 'EventTooLargeError';

  constructor(
    readonly eventName: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `${eventName} entry is ${sizeBytes} bytes, over the EventBridge limit of ${limitBytes} bytes ` +
        `(Source + DetailType + Detail + Resources, +14 with Time). Publish a reference (e.g. an S3 key) instead of the payload.`,
    );
  }
}
