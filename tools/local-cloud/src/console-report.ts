/**
 * What `npm start` prints, and where the rest goes. The console gets the steps,
 * one line per stack, a summary, and each problem once (a failing function
 * named with its error type and message); every message of every module goes,
 * with all its fields, to `<dataDir>/logs/local-cloud.log`, whose path is
 * printed. A person reads the console; the log file is for digging.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';

/** Messages worth a line on the console: something failed, is missing, or is not what AWS would do. */
const NOTEWORTHY = /\b(WARNING|NOT EMULATED|fail(?:s|ed|ure)?|error|dropped|discarded|cannot|could not|not delivered|taken|crash(?:ed)?)\b/i;

export interface ConsoleReportOptions {
  /** Every message, with its fields, one JSON object per line. */
  logFile: string;
  /** Prints every message on the console too (`--verbose`). */
  verbose?: boolean;
  write?: (text: string) => void;
}

/**
 * One console line for a module's message: the service prefix, then the function (or pipe,
 * queue…) it is about, then the message, then the error's type and message.
 *
 * @example
 * formatMessage('lambda: batch failed: the function returned an error', { function: 'kestrel-staging-analytics-ingest-ingest', errorType: 'KeyError', error: 'no key' })
 * // 'lambda: kestrel-staging-analytics-ingest-ingest: batch failed: the function returned an error (KeyError: no key)'
 */
export function formatMessage(message: string, fields: Record<string, unknown> = {}): string {
  const subject = fields.function ?? fields.pipe;
  let line = message;
  if (typeof subject === 'string' && !message.includes(subject)) {
    const prefix = /^([a-z0-9-]+): /.exec(message);
    line = prefix ? `${prefix[1]}: ${subject}: ${message.slice(prefix[0].length)}` : `${subject}: ${message}`;
  }
  const error = fields.error;
  if (typeof error === 'string' && error !== '' && !line.includes(error)) {
    const type = typeof fields.errorType === 'string' && !error.startsWith(fields.errorType) ? `${fields.errorType}: ` : '';
    line += ` (${type}${error.split('\n')[0]})`;
  }
  return line;
}

/**
 * @example
 * const report = new ConsoleReport({ logFile: '.local-cloud/logs/local-cloud.log' });
 * const cloud = await startLocalCloud({ log: report.log });
 * report.line('✓ platform-staging …');
 */
export class ConsoleReport {
  private readonly printed = new Map<string, number>();
  private readonly write: (text: string) => void;
  /** Noteworthy lines since the last `takeNotes()`, so they can be shown under the stack that caused them. */
  private notes: string[] = [];
  private collecting = false;

  constructor(private readonly options: ConsoleReportOptions) {
    mkdirSync(dirname(options.logFile), { recursive: true });
    // One run per file: the previous run's stays beside it (`local-cloud.previous.log`).
    if (existsSync(options.logFile)) renameSync(options.logFile, options.logFile.replace(/(\.log)?$/, '.previous.log'));
    this.write = options.write ?? ((text) => process.stdout.write(text));
  }

  get logFile(): string {
    return this.options.logFile;
  }

  /** A line on the console (and in the log file). */
  line(text = ''): void {
    this.write(`${text}\n`);
    if (text) this.detail(text.trim());
  }

  /** Only in the log file. */
  detail(message: string, fields: Record<string, unknown> = {}): void {
    try {
      appendFileSync(this.options.logFile, `${JSON.stringify({ time: new Date().toISOString(), message, ...fields })}\n`);
    } catch {
      // A log file that cannot be written must not stop the local cloud.
    }
  }

  /**
   * The local cloud's log sink: everything to the file; noteworthy messages once to the console,
   * and messages a module means for the person at the keyboard (`{ console: true }`, e.g. a
   * confirmation code Cognito would have emailed).
   */
  readonly log = (message: string, fields: Record<string, unknown> = {}): void => {
    this.detail(message, fields);
    const noteworthy = NOTEWORTHY.test(message);
    if (!this.options.verbose && !noteworthy && fields.console !== true) return;
    const text = formatMessage(message, fields);
    const seen = this.printed.get(text) ?? 0;
    this.printed.set(text, seen + 1);
    if (seen > 0) return;
    if (this.collecting) this.notes.push(text);
    else this.write(`      ${noteworthy ? '!' : '·'} ${text}\n`);
  };

  /** From now on, noteworthy messages are held until `takeNotes()` (printed under a stack's line). */
  collectNotes(): void {
    this.collecting = true;
    this.notes = [];
  }

  /** The held messages, and printing resumes as they come. */
  takeNotes(): string[] {
    const notes = this.notes;
    this.notes = [];
    this.collecting = false;
    return notes;
  }
}
