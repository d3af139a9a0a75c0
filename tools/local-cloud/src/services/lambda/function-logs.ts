/**
 * Per-function logs, as CloudWatch Logs would hold them: one JSON object per
 * line in `<dataDir>/lambda/logs/<function>.log`. Application lines carry
 * `timestamp`, `level`, `requestId` and `message` (Lambda's JSON log format);
 * a message that is itself a JSON object (what `@kestrel/observability`'s
 * logger writes) is kept as that object, not as a string holding it, so a
 * line is one JSON document a program reads with one `JSON.parse`;
 * platform lines (`platform.start`, `platform.end`, `platform.report`…) also
 * carry the text line Lambda prints (`REPORT RequestId: … Duration: …`) in
 * `message`, so a person can grep them and a program can read the metrics.
 */
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

/** A structured log line as the function wrote it. */
export type StructuredMessage = Record<string, unknown>;

export interface ApplicationLogRecord {
  timestamp: string;
  level: LogLevel;
  requestId?: string;
  /** The text the function logged, or the object when that text was one JSON object. */
  message: string | StructuredMessage;
  /** Set for raw process output (not through console), which Lambda also captures. */
  stream?: 'stdout' | 'stderr';
}

export interface ReportMetrics {
  durationMs: number;
  billedDurationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  initDurationMs?: number;
}

export interface PlatformLogRecord {
  timestamp: string;
  type: 'platform.start' | 'platform.end' | 'platform.report' | 'platform.initReport' | 'platform.timeout';
  requestId?: string;
  message: string;
  metrics?: ReportMetrics;
  status?: 'success' | 'error' | 'timeout';
  errorType?: string;
}

/**
 * The message as it goes in a record: a line that is one JSON object (a
 * structured logger's output) as that object, anything else as the text.
 *
 * @example
 * structuredMessage('{"level":"INFO","message":"created"}') // { level: 'INFO', message: 'created' }
 * structuredMessage('plain text') // 'plain text'
 */
export function structuredMessage(text: string): string | StructuredMessage {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return text;
  try {
    const value = JSON.parse(trimmed) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as StructuredMessage) : text;
  } catch {
    return text;
  }
}

/** The message as text: a structured one as the JSON line the function wrote. */
export function messageText(message: string | StructuredMessage): string {
  return typeof message === 'string' ? message : JSON.stringify(message);
}

/** The text line Lambda's Text log format prints for an application record. */
export function textLine(record: ApplicationLogRecord): string {
  if (record.stream) return messageText(record.message);
  return `${record.timestamp}\t${record.requestId ?? 'undefined'}\t${record.level}\t${messageText(record.message)}`;
}

/**
 * The `REPORT` line, field for field as Lambda prints it.
 *
 * @example
 * reportLine('8f5…', { durationMs: 2.5, billedDurationMs: 3, memorySizeMB: 128, maxMemoryUsedMB: 51 })
 * // 'REPORT RequestId: 8f5…\tDuration: 2.50 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 51 MB\t'
 */
export function reportLine(requestId: string, metrics: ReportMetrics, status?: { status: 'error' | 'timeout'; errorType?: string }): string {
  let line =
    `REPORT RequestId: ${requestId}\tDuration: ${metrics.durationMs.toFixed(2)} ms\tBilled Duration: ${metrics.billedDurationMs} ms\t` +
    `Memory Size: ${metrics.memorySizeMB} MB\tMax Memory Used: ${metrics.maxMemoryUsedMB} MB\t`;
  if (metrics.initDurationMs !== undefined) line += `Init Duration: ${metrics.initDurationMs.toFixed(2)} ms\t`;
  if (status) line += `Status: ${status.status}\t${status.errorType ? `Error Type: ${status.errorType}\t` : ''}`;
  return line;
}

/** Appends one function's records to its log file. */
export class FunctionLog {
  private stream: WriteStream | undefined;

  constructor(readonly path: string) {}

  write(record: ApplicationLogRecord | PlatformLogRecord): void {
    if (!this.stream) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.stream = createWriteStream(this.path, { flags: 'a' });
    }
    this.stream.write(`${JSON.stringify(record)}\n`);
  }

  /** Resolves once everything written so far is on disk. */
  flush(): Promise<void> {
    const stream = this.stream;
    if (!stream || stream.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => stream.write('', () => resolve()));
  }

  close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (!stream) return Promise.resolve();
    return new Promise((resolve) => stream.end(() => resolve()));
  }
}

// ---- Reading (the CloudWatch Logs emulation in `services/logs` serves these files) ----

/** Where the Lambda module writes each function's log file: `<dataDir>/lambda/logs`. */
export function functionLogDir(dataDir: string): string {
  return join(dataDir, 'lambda', 'logs');
}

/** One line of a function's log file and where it starts (a stable id for the record). */
export interface StoredLogRecord {
  offset: number;
  record: ApplicationLogRecord | PlatformLogRecord;
}

/** The function names that have a log file (functions invoked at least once). */
export function loggedFunctions(logDir: string): Array<{ functionName: string; path: string; createdAt: number; size: number }> {
  if (!existsSync(logDir)) return [];
  return readdirSync(logDir)
    .filter((file) => file.endsWith('.log'))
    .map((file) => {
      const path = join(logDir, file);
      const stats = statSync(path);
      return { functionName: file.slice(0, -'.log'.length), path, createdAt: Math.floor(stats.birthtimeMs || stats.ctimeMs), size: stats.size };
    });
}

/**
 * The complete records of a log file from byte `fromOffset` on, oldest first,
 * and the offset to continue from next time (the end of the last complete
 * line: a line still being written is left for the next read). A line that is
 * not JSON (never written by `FunctionLog`) is skipped.
 */
export function readLogRecords(path: string, fromOffset = 0): { records: StoredLogRecord[]; nextOffset: number } {
  let text: Buffer;
  try {
    const size = statSync(path).size;
    if (size <= fromOffset) return { records: [], nextOffset: fromOffset };
    text = Buffer.alloc(size - fromOffset);
    const descriptor = openSync(path, 'r');
    try {
      readSync(descriptor, text, 0, text.length, fromOffset);
    } finally {
      closeSync(descriptor);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], nextOffset: 0 };
    throw error;
  }
  const records: StoredLogRecord[] = [];
  let start = 0;
  for (let end = text.indexOf(10, start); end !== -1; start = end + 1, end = text.indexOf(10, start)) {
    try {
      records.push({ offset: fromOffset + start, record: JSON.parse(text.subarray(start, end).toString('utf8')) as ApplicationLogRecord | PlatformLogRecord });
    } catch {
      // not a record of ours
    }
  }
  return { records, nextOffset: fromOffset + start };
}
