/**
 * A local function's structured log lines, read from the local cloud's per-function log file
 * (`<dataDir>/lambda/logs/<function>.log`, one Lambda log record per line). The handlers log
 * through `@kestrel/observability`, whose JSON line is the record's `message` (kept as an object by
 * the local cloud), so tests can read `correlation_id`, `function`, `message` as Datadog would index them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One structured line as the observability logger wrote it (only the fields tests read are typed). */
export interface StructuredLogLine {
  message?: string;
  level?: string;
  service?: string;
  function?: string;
  correlation_id?: string;
  correlation_ids?: string[];
  [field: string]: unknown;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every structured application line the function has logged so far (platform records and plain
 * text lines are left out).
 *
 * @example
 * const lines = structuredLogLines(cloud.dataDir, 'kestrel-staging-customers-on-user-registered');
 * lines.filter((line) => line.correlation_id === correlationId);
 */
export function structuredLogLines(dataDir: string, functionName: string): StructuredLogLine[] {
  const file = join(dataDir, 'lambda', 'logs', `${functionName}.log`);
  if (!existsSync(file)) return [];
  const lines: StructuredLogLine[] = [];
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    const record = parseObject(text);
    if (!record || 'type' in record) continue;
    const inner = record.message;
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) lines.push(inner as StructuredLogLine);
  }
  return lines;
}

/** True when the line belongs to the flow: its correlation id, or one of a batch's (`correlation_ids`). */
export function inFlow(line: StructuredLogLine, correlationId: string): boolean {
  return line.correlation_id === correlationId || (Array.isArray(line.correlation_ids) && line.correlation_ids.includes(correlationId));
}
