/**
 * The persisted shapes of the local EventBridge (buses, rules, targets,
 * archives, replays), the event envelope, ARNs and the errors the API uses.
 */
import { AwsServiceError } from '../../core/types';
import type { InputTransformer } from './input-transform';

export interface RetryPolicy {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
}

/** A target as PutTargets takes it; fields the local cloud doesn't act on are kept and echoed back. */
export interface Target {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
  RetryPolicy?: RetryPolicy;
  DeadLetterConfig?: { Arn?: string };
  SqsParameters?: { MessageGroupId?: string };
  [other: string]: unknown;
}

export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface RuleRecord {
  name: string;
  busName: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: RuleState;
  description?: string;
  roleArn?: string;
  tags: Record<string, string>;
  targets: Target[];
  /** When the rule was created or last enabled: rate schedules count from here. */
  scheduleAnchor: number;
  /** Last scheduled firing, so a restart neither skips nor repeats one. */
  lastFiredAt?: number;
}

export interface BusRecord {
  name: string;
  description?: string;
  policy?: string;
  deadLetterArn?: string;
  tags: Record<string, string>;
  createdAt: number;
  lastModifiedAt: number;
}

export interface ArchiveRecord {
  name: string;
  eventSourceArn: string;
  description?: string;
  eventPattern?: string;
  retentionDays: number;
  state: 'ENABLED' | 'DISABLED';
  createdAt: number;
  eventCount: number;
  sizeBytes: number;
}

export interface ReplayRecord {
  name: string;
  description?: string;
  eventSourceArn: string;
  destination: { Arn: string; FilterArns?: string[] };
  eventStartTime: number;
  eventEndTime: number;
  state: 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';
  stateReason?: string;
  replayStartTime: number;
  replayEndTime?: number;
  eventLastReplayedTime?: number;
}

/** The event as targets receive it (key order as AWS sends it). */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  'replay-name'?: string;
}

/** An event as an archive keeps it: the envelope plus when EventBridge received it. */
export interface ArchivedEvent {
  receivedAt: number;
  event: EventEnvelope;
}

export class Arns {
  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  private base(resource: string): string {
    return `arn:aws:events:${this.region}:${this.accountId}:${resource}`;
  }

  bus(name: string): string {
    return this.base(`event-bus/${name}`);
  }

  /** Rules on the default bus have no bus segment in their ARN. */
  rule(busName: string, ruleName: string): string {
    return this.base(busName === 'default' ? `rule/${ruleName}` : `rule/${busName}/${ruleName}`);
  }

  archive(name: string): string {
    return this.base(`archive/${name}`);
  }

  replay(name: string): string {
    return this.base(`replay/${name}`);
  }
}

/** A bus given by name or ARN → its name. */
export function busNameOf(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  const match = /^arn:aws[\w-]*:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
  return match ? (match[1] as string) : nameOrArn;
}

/** The bus a rule ARN names (`rule/<name>` is on the default bus, `rule/<bus>/<name>` on another). */
export function busOfRuleArn(ruleArn: string): string {
  const resource = ruleArn.split(':rule/')[1] ?? '';
  const slash = resource.indexOf('/');
  return slash < 0 ? 'default' : resource.slice(0, slash);
}

/** `2026-01-01T10:00:00Z`: EventBridge's event time has whole seconds. */
export function eventTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const EventsErrors = {
  validation: (message: string) => new AwsServiceError('ValidationException', message),
  notFound: (message: string) => new AwsServiceError('ResourceNotFoundException', message),
  alreadyExists: (message: string) => new AwsServiceError('ResourceAlreadyExistsException', message),
  limitExceeded: (message: string) => new AwsServiceError('LimitExceededException', message),
  invalidPattern: (message: string) => new AwsServiceError('InvalidEventPatternException', message),
  illegalStatus: (message: string) => new AwsServiceError('IllegalStatusException', message),
  busNotFound: (name: string) => new AwsServiceError('ResourceNotFoundException', `Event bus ${name} does not exist.`),
  ruleNotFound: (rule: string, bus: string) => new AwsServiceError('ResourceNotFoundException', `Rule ${rule} does not exist on EventBus ${bus}.`),
};
