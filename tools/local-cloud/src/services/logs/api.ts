/**
 * CloudWatch Logs' wire API (AWS JSON 1.1, `X-Amz-Target: Logs_20140328.<Op>`),
 * read-only over the function logs: `DescribeLogGroups`, `DescribeLogStreams`,
 * `GetLogEvents`, `FilterLogEvents` (which `aws logs tail`, with or without
 * `--follow`, polls).
 */
import { offsetOf, pageFrom } from '../../core/paging';
import { jsonResponse, parseJsonBody } from '../../core/protocol';
import { AwsServiceError, type AwsRequest, type AwsResponse, type ServiceHandler } from '../../core/types';
import { compileFilterPattern, FilterPatternError } from './filter-pattern';
import type { LambdaLogStore, LogEvent, LogGroup } from './log-store';

type Input = Record<string, unknown>;

const invalidParameter = (message: string) => new AwsServiceError('InvalidParameterException', message);

function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${name} must be a string.`);
  return value;
}

function optionalNumber(input: Input, name: string, min: number, max: number): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`1 validation error detected: Value '${String(value)}' at '${name}' failed to satisfy constraint: Member must be an integer from ${min} to ${max}`);
  }
  return value;
}

function page<T>(items: T[], token: string | undefined, limit: number): { items: T[]; nextToken?: string } {
  const start = token === undefined ? 0 : offsetOf(token);
  if (start === undefined) throw invalidParameter(`The specified nextToken is invalid: ${token}`);
  return pageFrom(items, start, limit);
}

export class LogsApi implements ServiceHandler {
  readonly serviceNames = ['logs'] as const;

  constructor(
    private readonly store: LambdaLogStore,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  async handle(request: AwsRequest): Promise<AwsResponse> {
    const input = parseJsonBody<Input>(request);
    switch (request.operation) {
      case 'DescribeLogGroups':
        return jsonResponse(this.describeLogGroups(input));
      case 'DescribeLogStreams':
        return jsonResponse(this.describeLogStreams(input));
      case 'GetLogEvents':
        return jsonResponse(this.getLogEvents(input));
      case 'FilterLogEvents':
        return jsonResponse(this.filterLogEvents(input));
      default:
        throw new AwsServiceError(
          'UnknownOperationException',
          `The local CloudWatch Logs emulates DescribeLogGroups, DescribeLogStreams, GetLogEvents and FilterLogEvents over the Lambda function logs; ${request.operation ?? 'this request'} is not emulated.`,
        );
    }
  }

  private groupArn(name: string): string {
    return `arn:aws:logs:${this.region}:${this.accountId}:log-group:${name}`;
  }

  /** The group named by `logGroupName` or `logGroupIdentifier` (a name or an ARN). */
  private requiredGroup(input: Input): LogGroup {
    const identifier = optionalString(input, 'logGroupIdentifier');
    const name = optionalString(input, 'logGroupName') ?? identifier?.replace(/^arn:aws[\w-]*:logs:[^:]*:\d*:log-group:/, '').replace(/:\*$/, '');
    if (!name) throw invalidParameter('Either logGroupName or logGroupIdentifier must be given.');
    const group = this.store.group(name);
    if (!group) {
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `The specified log group does not exist: ${name} (local log groups are those the stacks declare and /aws/lambda/<function> of functions that have run)`,
      );
    }
    return group;
  }

  private describeLogGroups(input: Input) {
    const prefix = optionalString(input, 'logGroupNamePrefix') ?? '';
    const pattern = optionalString(input, 'logGroupNamePattern');
    if (prefix && pattern) throw invalidParameter('LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.');
    const limit = optionalNumber(input, 'limit', 1, 50) ?? 50;
    const groups = this.store
      .groups()
      .filter((group) => group.logGroupName.startsWith(prefix) && (!pattern || group.logGroupName.toLowerCase().includes(pattern.toLowerCase())));
    const { items, nextToken } = page(groups, optionalString(input, 'nextToken'), limit);
    return {
      logGroups: items.map((group) => ({
        logGroupName: group.logGroupName,
        creationTime: group.creationTime,
        metricFilterCount: 0,
        arn: `${this.groupArn(group.logGroupName)}:*`,
        logGroupArn: this.groupArn(group.logGroupName),
        storedBytes: group.storedBytes,
        ...(group.retentionInDays !== undefined ? { retentionInDays: group.retentionInDays } : {}),
        logGroupClass: 'STANDARD',
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private describeLogStreams(input: Input) {
    const group = this.requiredGroup(input);
    const prefix = optionalString(input, 'logStreamNamePrefix') ?? '';
    const orderBy = optionalString(input, 'orderBy') ?? 'LogStreamName';
    if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') throw invalidParameter(`orderBy must be LogStreamName or LastEventTime, got '${orderBy}'.`);
    if (orderBy === 'LastEventTime' && prefix) throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
    const limit = optionalNumber(input, 'limit', 1, 50) ?? 50;
    const streams = this.store
      .streams(group)
      .filter((stream) => stream.logStreamName.startsWith(prefix))
      .sort((a, b) => (orderBy === 'LastEventTime' ? a.lastEventTimestamp - b.lastEventTimestamp : a.logStreamName.localeCompare(b.logStreamName)));
    if (input.descending === true) streams.reverse();
    const { items, nextToken } = page(streams, optionalString(input, 'nextToken'), limit);
    return {
      logStreams: items.map((stream) => ({ ...stream, arn: `${this.groupArn(group.logGroupName)}:log-stream:${stream.logStreamName}` })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private inTimeRange(input: Input): (event: LogEvent) => boolean {
    const startTime = optionalNumber(input, 'startTime', 0, Number.MAX_SAFE_INTEGER);
    const endTime = optionalNumber(input, 'endTime', 0, Number.MAX_SAFE_INTEGER);
    return (event) => (startTime === undefined || event.timestamp >= startTime) && (endTime === undefined || event.timestamp <= endTime);
  }

  /**
   * One stream's events. Tokens are `f/<n>` (forward from event n) and
   * `b/<n>` (backward from it); without one, the newest `limit` events unless
   * `startFromHead`. At the end the same forward token comes back, which is
   * how clients know to stop.
   */
  private getLogEvents(input: Input) {
    const group = this.requiredGroup(input);
    const streamName = optionalString(input, 'logStreamName');
    if (!streamName) throw invalidParameter('logStreamName is required.');
    if (!this.store.streams(group).some((stream) => stream.logStreamName === streamName)) {
      throw new AwsServiceError('ResourceNotFoundException', `The specified log stream does not exist: ${streamName}`);
    }
    const limit = optionalNumber(input, 'limit', 1, 10_000) ?? 10_000;
    const inRange = this.inTimeRange(input);
    const events = this.store.events(group).filter((event) => event.logStreamName === streamName && inRange(event));
    const token = optionalString(input, 'nextToken');
    let start: number;
    let end: number;
    const parsed = token === undefined ? undefined : /^([fb])\/(\d+)$/.exec(token);
    if (token !== undefined && !parsed) throw invalidParameter(`The specified nextToken is invalid: ${token}`);
    if (parsed?.[1] === 'f') {
      start = Math.min(Number(parsed[2]), events.length);
      end = Math.min(start + limit, events.length);
    } else if (parsed?.[1] === 'b') {
      end = Math.min(Number(parsed[2]), events.length);
      start = Math.max(0, end - limit);
    } else if (input.startFromHead === true) {
      start = 0;
      end = Math.min(limit, events.length);
    } else {
      end = events.length;
      start = Math.max(0, end - limit);
    }
    return {
      events: events.slice(start, end).map(({ timestamp, message, ingestionTime }) => ({ timestamp, message, ingestionTime })),
      nextForwardToken: `f/${String(end).padStart(20, '0')}`,
      nextBackwardToken: `b/${String(start).padStart(20, '0')}`,
    };
  }

  private filterLogEvents(input: Input) {
    const group = this.requiredGroup(input);
    const streamNames = input.logStreamNames;
    if (streamNames !== undefined && !(Array.isArray(streamNames) && streamNames.every((name) => typeof name === 'string'))) {
      throw invalidParameter('logStreamNames must be a list of strings.');
    }
    const prefix = optionalString(input, 'logStreamNamePrefix');
    if (streamNames && prefix !== undefined) throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
    let matches;
    try {
      matches = compileFilterPattern(optionalString(input, 'filterPattern'));
    } catch (error) {
      if (error instanceof FilterPatternError) throw invalidParameter(`Invalid filter pattern: ${error.message}`);
      throw error;
    }
    const limit = optionalNumber(input, 'limit', 1, 10_000) ?? 10_000;
    const inRange = this.inTimeRange(input);
    const all = this.store.events(group);
    const streams = this.store
      .streams(group, all)
      .map((stream) => stream.logStreamName)
      .filter((name) => (streamNames ? (streamNames as string[]).includes(name) : name.startsWith(prefix ?? '')));
    const wanted = new Set(streams);
    const events = all.filter((event) => wanted.has(event.logStreamName) && inRange(event) && matches(event.message));
    const { items, nextToken } = page(events, optionalString(input, 'nextToken'), limit);
    return {
      events: items,
      searchedLogStreams: streams.map((logStreamName) => ({ logStreamName, searchedCompletely: nextToken === undefined })),
      ...(nextToken ? { nextToken } : {}),
    };
  }
}
