/**
 * The Lambda function logs (`<dataDir>/lambda/logs/<function>.log`, written
 * by the Lambda module) seen as CloudWatch Logs: one log group
 * `/aws/lambda/<function>` per function that has logged, one log stream per
 * function and UTC day (`YYYY/MM/DD/[$LATEST]<32 hex>`; Lambda makes one per
 * execution environment, which the log files do not record), one event per
 * record. Read-only: files are read on each call, so new lines show up at once.
 */
import { createHash } from 'node:crypto';
import { functionLogDir, loggedFunctions, readLogRecords, textLine } from '../lambda/function-logs';
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
  functionName: string;
  creationTime: number;
  storedBytes: number;
  path: string;
}

/**
 * The message of an event as Lambda's JSON log format writes it: an
 * application record as its JSON object, raw process output and platform
 * lines (`START`, `END`, `REPORT`…) as their text.
 */
export function eventMessage(record: ApplicationLogRecord | PlatformLogRecord): string {
  if ('type' in record) return record.message;
  if (record.stream) return textLine(record);
  return JSON.stringify({ timestamp: record.timestamp, level: record.level, requestId: record.requestId, message: record.message });
}

export function streamNameFor(functionName: string, timestamp: number): string {
  const day = new Date(timestamp).toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${createHash('md5').update(`${functionName}\u0000${day}`).digest('hex')}`;
}

export class LambdaLogStore {
  private readonly logDir: string;

  constructor(dataDir: string) {
    this.logDir = functionLogDir(dataDir);
  }

  groups(): LogGroup[] {
    return loggedFunctions(this.logDir)
      .map(({ functionName, path, createdAt, size }) => ({ logGroupName: `${LAMBDA_LOG_GROUP_PREFIX}${functionName}`, functionName, creationTime: createdAt, storedBytes: size, path }))
      .sort((a, b) => a.logGroupName.localeCompare(b.logGroupName));
  }

  group(logGroupName: string): LogGroup | undefined {
    return this.groups().find((group) => group.logGroupName === logGroupName);
  }

  /** Every event of a group, oldest first. */
  events(group: LogGroup): LogEvent[] {
    return readLogRecords(group.path).map(({ offset, record }) => {
      const timestamp = Date.parse(record.timestamp);
      return {
        logStreamName: streamNameFor(group.functionName, timestamp),
        timestamp,
        message: eventMessage(record),
        // The file is written as records arrive, so ingestion is the record's own time.
        ingestionTime: timestamp,
        eventId: `${String(timestamp).padStart(16, '0')}${String(offset).padStart(20, '0')}`,
      };
    });
  }

  streams(group: LogGroup): LogStream[] {
    const byName = new Map<string, LogStream>();
    for (const event of this.events(group)) {
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
