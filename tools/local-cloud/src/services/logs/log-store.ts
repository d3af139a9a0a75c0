/**
 * The Lambda function logs (`<dataDir>/lambda/logs/<function>.log`, written
 * by the Lambda module) seen as CloudWatch Logs: one log group
 * `/aws/lambda/<function>` per function that has logged, one log stream per
 * function and UTC day (`YYYY/MM/DD/[$LATEST]<32 hex>`; Lambda makes one per
 * execution environment, which the log files do not record), one event per
 * record. Read-only: files are read on each call, so new lines show up at once.
 *
 * The log groups the stacks declare (`aws_cloudwatch_log_group`) are listed
 * too, with their retention, events or not (an API's access-log group stays
 * empty: access logs are not written locally).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readFileIfExists, writeFileAtomically } from '../../core/files';
import { functionLogDir, loggedFunctions, messageText, readLogRecords, textLine } from '../lambda/function-logs';
import type { ApplicationLogRecord, PlatformLogRecord } from '../lambda/function-logs';

export const LAMBDA_LOG_GROUP_PREFIX = '/aws/lambda/';

export interface LogEvent {
  logStreamName: string;
  timestamp: number;
  message: string;
  ingestionTime: number;
  /** Stable across reads: the record's timestamp and its byte offset in the file. */
  eventId: string;
}

export interface LogStream {
  logStreamName: string;
  creationTime: number;
  firstEventTimestamp: number;
  lastEventTimestamp: number;
  lastIngestionTime: number;
  storedBytes: number;
}

export interface LogGroup {
  logGroupName: string;
  creationTime: number;
  storedBytes: number;
  retentionInDays?: number;
  /** The function whose log file holds the group's events, when it is `/aws/lambda/<function>`. */
  functionName?: string;
  path?: string;
}

/** A log group a stack declared. */
export interface DeclaredLogGroup {
  name: string;
  retentionInDays?: number;
  createdAt: number;
}

/**
 * The message of an event as Lambda's JSON log format writes it: an
 * application record as its JSON object, raw process output and platform
 * lines (`START`, `END`, `REPORT`…) as their text.
 */
export function eventMessage(record: ApplicationLogRecord | PlatformLogRecord): string {
  if ('type' in record) return record.message;
  if (record.stream) return textLine(record);
  // The file keeps a structured message as its object; Lambda's console capture carries it as the text logged.
  return JSON.stringify({ timestamp: record.timestamp, level: record.level, requestId: record.requestId, message: messageText(record.message) });
}

const streamNames = new Map<string, string>();

/** The stream of a function's records of one UTC day (memoised: every event asks). */
export function streamNameFor(functionName: string, timestamp: number): string {
  const day = new Date(timestamp).toISOString().slice(0, 10).replaceAll('-', '/');
  const key = `${functionName}\u0000${day}`;
  let name = streamNames.get(key);
  if (name === undefined) {
    name = `${day}/[$LATEST]${createHash('md5').update(key).digest('hex')}`;
    streamNames.set(key, name);
  }
  return name;
}

/** Events already read from a file, and where reading resumes: files only grow, so each call reads only what is new. */
interface ReadSoFar {
  events: LogEvent[];
  nextOffset: number;
}

export class LambdaLogStore {
  private readonly logDir: string;
  private readonly declared = new Map<string, DeclaredLogGroup>();
  private readonly declaredPath: string | undefined;
  private readonly read = new Map<string, ReadSoFar>();

  /** `persist`: keep declared groups in `<dataDir>/logs/log-groups.json` across restarts. */
  constructor(dataDir: string, persist: boolean) {
    this.logDir = functionLogDir(dataDir);
    this.declaredPath = persist ? join(dataDir, 'logs', 'log-groups.json') : undefined;
    const saved = this.declaredPath ? readFileIfExists(this.declaredPath) : undefined;
    for (const group of saved ? (JSON.parse(saved) as { groups: DeclaredLogGroup[] }).groups : []) this.declared.set(group.name, group);
  }

  declare(group: Omit<DeclaredLogGroup, 'createdAt'>, now = Date.now()): DeclaredLogGroup {
    const kept = { ...group, createdAt: this.declared.get(group.name)?.createdAt ?? now };
    this.declared.set(group.name, kept);
    this.save();
    return kept;
  }

  forget(name: string): void {
    if (this.declared.delete(name)) this.save();
  }

  private save(): void {
    if (this.declaredPath) writeFileAtomically(this.declaredPath, JSON.stringify({ groups: [...this.declared.values()] }));
  }

  /** Declared groups and the groups of functions that have logged, by name. */
  groups(): LogGroup[] {
    const byName = new Map<string, LogGroup>();
    for (const group of this.declared.values()) {
      byName.set(group.name, { logGroupName: group.name, creationTime: group.createdAt, storedBytes: 0, ...(group.retentionInDays !== undefined ? { retentionInDays: group.retentionInDays } : {}) });
    }
    for (const { functionName, path, createdAt, size } of loggedFunctions(this.logDir)) {
      const logGroupName = `${LAMBDA_LOG_GROUP_PREFIX}${functionName}`;
      const declared = byName.get(logGroupName);
      byName.set(logGroupName, { ...declared, logGroupName, creationTime: declared?.creationTime ?? createdAt, storedBytes: size, functionName, path });
    }
    return [...byName.values()].sort((a, b) => a.logGroupName.localeCompare(b.logGroupName));
  }

  group(logGroupName: string): LogGroup | undefined {
    return this.groups().find((group) => group.logGroupName === logGroupName);
  }

  /** Every event of a group, oldest first (as written). */
  events(group: LogGroup): LogEvent[] {
    const { path, functionName } = group;
    if (!path || !functionName) return [];
    let known = this.read.get(path);
    // A file smaller than what was read was replaced (a reset): read it afresh.
    if (!known || group.storedBytes < known.nextOffset) known = { events: [], nextOffset: 0 };
    const { records, nextOffset } = readLogRecords(path, known.nextOffset);
    for (const { offset, record } of records) {
      const timestamp = Date.parse(record.timestamp);
      known.events.push({
        logStreamName: streamNameFor(functionName, timestamp),
        timestamp,
        message: eventMessage(record),
        // The file is written as records arrive, so ingestion is the record's own time.
        ingestionTime: timestamp,
        eventId: `${String(timestamp).padStart(16, '0')}${String(offset).padStart(20, '0')}`,
      });
    }
    known.nextOffset = nextOffset;
    this.read.set(path, known);
    return known.events;
  }

  /** The streams of a group, from its events (pass them when already read). */
  streams(group: LogGroup, events = this.events(group)): LogStream[] {
    const byName = new Map<string, LogStream>();
    for (const event of events) {
      const stream = byName.get(event.logStreamName);
      const bytes = Buffer.byteLength(event.message, 'utf8');
      if (!stream) {
        byName.set(event.logStreamName, {
          logStreamName: event.logStreamName,
          creationTime: event.timestamp,
          firstEventTimestamp: event.timestamp,
          lastEventTimestamp: event.timestamp,
          lastIngestionTime: event.ingestionTime,
          storedBytes: bytes,
        });
      } else {
        stream.firstEventTimestamp = Math.min(stream.firstEventTimestamp, event.timestamp);
        stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp, event.timestamp);
        stream.lastIngestionTime = Math.max(stream.lastIngestionTime, event.ingestionTime);
        stream.storedBytes += bytes;
      }
    }
    return [...byName.values()];
  }
}
