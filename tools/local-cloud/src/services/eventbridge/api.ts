/**
 * EventBridge's wire API: AWS JSON 1.1 (`X-Amz-Target: AWSEvents.<Op>`),
 * timestamps as epoch seconds.
 */
import { offsetOf, pageFrom } from '../../core/paging';
import { jsonResponse, parseJsonBody } from '../../core/protocol';
import { AwsServiceError, type AwsRequest, type AwsResponse, type PutEventsEntry, type ServiceHandler } from '../../core/types';
import type { EventBridgeService } from './eventbridge-service';
import { busNameOf, EventsErrors, type ArchiveRecord, type BusRecord, type ReplayRecord, type RuleRecord, type RuleState, type Target } from './model';

type Input = Record<string, unknown>;

const ok = (body: unknown = {}): AwsResponse => jsonResponse(body, { protocol: 'awsJson1_1' });

const parseInput = (request: AwsRequest): Input => parseJsonBody<Input>(request, { errorMessage: 'The request body is not a JSON object.' });

function required(input: Input, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') {
    throw EventsErrors.validation(`1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  return typeof value === 'string' ? value : undefined;
}

function seconds(epochMs: number | undefined): number | undefined {
  return epochMs === undefined ? undefined : epochMs / 1000;
}

/** Pages a sorted list with an opaque offset token. */
function page<T>(items: T[], input: Input): { items: T[]; NextToken?: string } {
  const limit = typeof input.Limit === 'number' ? input.Limit : 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw EventsErrors.validation('Limit must be from 1 to 100.');
  const start = typeof input.NextToken === 'string' ? (offsetOf(input.NextToken) ?? 0) : 0;
  const { items: slice, nextToken } = pageFrom(items, start, limit);
  return nextToken ? { items: slice, NextToken: nextToken } : { items: slice };
}

function toEpochMs(value: unknown, name: string): number {
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  throw EventsErrors.validation(`1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must not be null`);
}

export class EventBridgeApi implements ServiceHandler {
  readonly serviceNames = ['events'] as const;

  constructor(private readonly events: EventBridgeService) {}

  async handle(request: AwsRequest): Promise<AwsResponse> {
    const operation = request.operation;
    if (!operation) throw new AwsServiceError('UnknownOperationException', 'Missing X-Amz-Target: the local EventBridge speaks AWS JSON 1.1 only.');
    const input = parseInput(request);
    const events = this.events;
    switch (operation) {
      case 'PutEvents': {
        if (input.EndpointId !== undefined) throw EventsErrors.validation('Global endpoints (EndpointId) are not emulated by the local cloud.');
        const entries = (input.Entries ?? []) as Array<Omit<PutEventsEntry, 'Time'> & { Time?: number | string }>;
        if (!Array.isArray(entries)) throw EventsErrors.validation("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must not be null");
        return ok(await events.putEvents(entries.map((entry) => ({ ...entry, Time: typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : entry.Time }))));
      }
      case 'PutRule': {
        const rule = events.putRule({
          Name: required(input, 'Name'),
          EventBusName: optionalString(input, 'EventBusName'),
          EventPattern: optionalString(input, 'EventPattern'),
          ScheduleExpression: optionalString(input, 'ScheduleExpression'),
          State: optionalString(input, 'State'),
          Description: optionalString(input, 'Description'),
          RoleArn: optionalString(input, 'RoleArn'),
          Tags: input.Tags as Array<{ Key: string; Value: string }> | undefined,
        });
        return ok({ RuleArn: events.ruleArn(rule) });
      }
      case 'DescribeRule':
        return ok({ ...this.renderRule(events.rule(required(input, 'Name'), optionalString(input, 'EventBusName'))), CreatedBy: request.accountId });
      case 'ListRules': {
        const prefix = optionalString(input, 'NamePrefix') ?? '';
        const listed = page(events.rulesOf(optionalString(input, 'EventBusName')).filter((rule) => rule.name.startsWith(prefix)), input);
        return ok({ Rules: listed.items.map((rule) => this.renderRule(rule)), ...(listed.NextToken ? { NextToken: listed.NextToken } : {}) });
      }
      case 'DeleteRule':
        events.deleteRule(required(input, 'Name'), optionalString(input, 'EventBusName'));
        return ok();
      case 'EnableRule':
      case 'DisableRule':
        events.setRuleState(required(input, 'Name'), optionalString(input, 'EventBusName'), (operation === 'EnableRule' ? 'ENABLED' : 'DISABLED') as RuleState);
        return ok();
      case 'PutTargets': {
        const failed = events.putTargets(required(input, 'Rule'), optionalString(input, 'EventBusName'), input.Targets as Target[]);
        return ok({ FailedEntryCount: failed.length, FailedEntries: failed });
      }
      case 'RemoveTargets': {
        const ids = input.Ids;
        if (!Array.isArray(ids) || ids.length === 0) throw EventsErrors.validation("1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length greater than or equal to 1");
        const failed = events.removeTargets(required(input, 'Rule'), optionalString(input, 'EventBusName'), ids.map(String));
        return ok({ FailedEntryCount: failed.length, FailedEntries: failed });
      }
      case 'ListTargetsByRule': {
        const listed = page(events.rule(required(input, 'Rule'), optionalString(input, 'EventBusName')).targets, input);
        return ok({ Targets: listed.items, ...(listed.NextToken ? { NextToken: listed.NextToken } : {}) });
      }
      case 'ListRuleNamesByTarget': {
        const targetArn = required(input, 'TargetArn');
        const names = events.rulesOf(optionalString(input, 'EventBusName')).filter((rule) => rule.targets.some((target) => target.Arn === targetArn));
        const listed = page(names, input);
        return ok({ RuleNames: listed.items.map((rule) => rule.name), ...(listed.NextToken ? { NextToken: listed.NextToken } : {}) });
      }
      case 'CreateEventBus': {
        const bus = events.createBus({
          Name: required(input, 'Name'),
          Description: optionalString(input, 'Description'),
          DeadLetterConfig: input.DeadLetterConfig as { Arn?: string } | undefined,
          Tags: input.Tags as Array<{ Key: string; Value: string }> | undefined,
        });
        return ok({ EventBusArn: events.arns.bus(bus.name), ...(bus.description ? { Description: bus.description } : {}) });
      }
      case 'DescribeEventBus':
        return ok(this.renderBus(events.bus(optionalString(input, 'Name'))));
      case 'ListEventBuses': {
        const listed = page(events.listBuses(optionalString(input, 'NamePrefix')), input);
        return ok({ EventBuses: listed.items.map((bus) => this.renderBus(bus)), ...(listed.NextToken ? { NextToken: listed.NextToken } : {}) });
      }
      case 'DeleteEventBus':
        events.deleteBus(busNameOf(required(input, 'Name')));
        return ok();
      case 'PutPermission': {
        // Only the whole-policy form; the edge judges callers of other accounts by it (PutEvents).
        const policy = optionalString(input, 'Policy');
        if (!policy) throw EventsErrors.validation('The local cloud supports PutPermission with a Policy document only.');
        events.setBusPolicy(optionalString(input, 'EventBusName') ?? 'default', policy);
        return ok();
      }
      case 'TestEventPattern':
        return ok({ Result: events.testEventPattern(required(input, 'EventPattern'), required(input, 'Event')) });
      case 'CreateArchive': {
        const archive = events.createArchive({
          ArchiveName: required(input, 'ArchiveName'),
          EventSourceArn: required(input, 'EventSourceArn'),
          Description: optionalString(input, 'Description'),
          EventPattern: optionalString(input, 'EventPattern'),
          RetentionDays: typeof input.RetentionDays === 'number' ? input.RetentionDays : undefined,
        });
        return ok(this.archiveChange(archive));
      }
      case 'DescribeArchive':
        return ok(this.renderArchive(events.archive(required(input, 'ArchiveName'))));
      case 'ListArchives': {
        const listed = page(
          events.listArchives({ NamePrefix: optionalString(input, 'NamePrefix'), EventSourceArn: optionalString(input, 'EventSourceArn'), State: optionalString(input, 'State') }),
          input,
        );
        return ok({ Archives: listed.items.map((archive) => this.renderArchive(archive)), ...(listed.NextToken ? { NextToken: listed.NextToken } : {}) });
      }
      case 'UpdateArchive': {
        const archive = events.updateArchive({
          ArchiveName: required(input, 'ArchiveName'),
          Description: optionalString(input, 'Description'),
          EventPattern: optionalString(input, 'EventPattern'),
          RetentionDays: typeof input.RetentionDays === 'number' ? input.RetentionDays : undefined,
        });
        return ok(this.archiveChange(archive));
      }
      case 'DeleteArchive':
        await events.deleteArchive(required(input, 'ArchiveName'));
        return ok();
      case 'StartReplay': {
        const destination = input.Destination as { Arn?: string; FilterArns?: string[] } | undefined;
        if (!destination?.Arn) throw EventsErrors.validation("1 validation error detected: Value null at 'destination.arn' failed to satisfy constraint: Member must not be null");
        const replay = events.startReplay({
          ReplayName: required(input, 'ReplayName'),
          Description: optionalString(input, 'Description'),
          EventSourceArn: required(input, 'EventSourceArn'),
          EventStartTime: toEpochMs(input.EventStartTime, 'eventStartTime'),
          EventEndTime: toEpochMs(input.EventEndTime, 'eventEndTime'),
          Destination: { Arn: destination.Arn, FilterArns: destination.FilterArns },
        });
        return ok({ ReplayArn: events.arns.replay(replay.name), State: replay.state, ReplayStartTime: seconds(replay.replayStartTime) });
      }
      case 'DescribeReplay':
        return ok(this.renderReplay(events.replay(required(input, 'ReplayName'))));
      case 'ListReplays': {
        const listed = page(
          events.listReplays({ NamePrefix: optionalString(input, 'NamePrefix'), State: optionalString(input, 'State'), EventSourceArn: optionalString(input, 'EventSourceArn') }),
          input,
        );
        return ok({ Replays: listed.items.map((replay) => this.renderReplay(replay)), ...(listed.NextToken ? { NextToken: listed.NextToken } : {}) });
      }
      case 'CancelReplay': {
        const replay = events.cancelReplay(required(input, 'ReplayName'));
        return ok({ ReplayArn: events.arns.replay(replay.name), State: replay.state });
      }
      default:
        throw new AwsServiceError('UnknownOperationException', `The local EventBridge does not implement ${operation}.`);
    }
  }

  /** What CreateArchive and UpdateArchive answer. */
  private archiveChange(archive: ArchiveRecord) {
    return { ArchiveArn: this.events.arns.archive(archive.name), State: archive.state, CreationTime: seconds(archive.createdAt) };
  }

  private renderRule(rule: RuleRecord) {
    return {
      Name: rule.name,
      Arn: this.events.ruleArn(rule),
      ...(rule.eventPattern ? { EventPattern: rule.eventPattern } : {}),
      ...(rule.scheduleExpression ? { ScheduleExpression: rule.scheduleExpression } : {}),
      State: rule.state,
      ...(rule.description ? { Description: rule.description } : {}),
      ...(rule.roleArn ? { RoleArn: rule.roleArn } : {}),
      EventBusName: rule.busName,
    };
  }

  private renderBus(bus: BusRecord) {
    return {
      Name: bus.name,
      Arn: this.events.arns.bus(bus.name),
      ...(bus.description ? { Description: bus.description } : {}),
      ...(bus.policy ? { Policy: bus.policy } : {}),
      ...(bus.deadLetterArn ? { DeadLetterConfig: { Arn: bus.deadLetterArn } } : {}),
      CreationTime: seconds(bus.createdAt),
      LastModifiedTime: seconds(bus.lastModifiedAt),
    };
  }

  private renderArchive(archive: ArchiveRecord) {
    return {
      ArchiveArn: this.events.arns.archive(archive.name),
      ArchiveName: archive.name,
      EventSourceArn: archive.eventSourceArn,
      ...(archive.description ? { Description: archive.description } : {}),
      ...(archive.eventPattern ? { EventPattern: archive.eventPattern } : {}),
      State: archive.state,
      RetentionDays: archive.retentionDays,
      SizeBytes: archive.sizeBytes,
      EventCount: archive.eventCount,
      CreationTime: seconds(archive.createdAt),
    };
  }

  private renderReplay(replay: ReplayRecord) {
    return {
      ReplayName: replay.name,
      ReplayArn: this.events.arns.replay(replay.name),
      ...(replay.description ? { Description: replay.description } : {}),
      State: replay.state,
      ...(replay.stateReason ? { StateReason: replay.stateReason } : {}),
      EventSourceArn: replay.eventSourceArn,
      Destination: replay.destination,
      EventStartTime: seconds(replay.eventStartTime),
      EventEndTime: seconds(replay.eventEndTime),
      ...(replay.eventLastReplayedTime !== undefined ? { EventLastReplayedTime: seconds(replay.eventLastReplayedTime) } : {}),
      ReplayStartTime: seconds(replay.replayStartTime),
      ...(replay.replayEndTime !== undefined ? { ReplayEndTime: seconds(replay.replayEndTime) } : {}),
    };
  }
}
