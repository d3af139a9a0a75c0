/**
 * The local EventBridge: buses, rules (pattern or schedule), targets,
 * archives and replays, persisted under the data dir. PutEvents routes each
 * event, writes its deliveries (one per matching target) to the journal
 * `deliveries.journal` and its archive lines, waits for the disk, and only
 * then answers; the Dispatcher serves the targets in the background
 * (`idle()` waits for it) and marks each delivery done once the target has
 * it, so `kill -9` loses no acknowledged event.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { compileEventPattern, EventView, InvalidEventPatternError, type CompiledEventPattern } from '../../eventbridge/pattern';
import { Journal } from '../../core/journal';
import type { Telemetry } from '../../core/telemetry';
import type { EventPublisher, Peers, PutEventsEntry, PutEventsResultEntry } from '../../core/types';
import { SnapshotFile } from '../sqs/snapshot-file';
import { ArchiveLog } from './archive-log';
import { DEFAULT_MAXIMUM_EVENT_AGE_SECONDS, DEFAULT_MAXIMUM_RETRY_ATTEMPTS, Dispatcher, type DeliveryJob, type DeliveryStats, type DispatcherOptions } from './delivery';
import { inputConfigProblems } from './input-transform';
import {
  Arns,
  busNameOf,
  busOfRuleArn,
  eventTime,
  EventsErrors,
  type ArchiveRecord,
  type BusRecord,
  type EventEnvelope,
  type ReplayRecord,
  type RuleRecord,
  type RuleState,
  type Target,
} from './model';
import { InvalidScheduleExpressionError, nextFireTime, parseScheduleExpression, type ScheduleExpression } from './schedule-expression';

/** PutEvents request limit on the summed entry sizes (raised from 256 KB to 1 MB in January 2026). */
export const MAX_PUT_EVENTS_BYTES = 1_048_576;
const MAX_TARGETS_PER_RULE = 5;
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const TARGET_ID = /^[.\-_A-Za-z0-9]{1,64}$/;
const ARCHIVE_NAME = /^[.\-_A-Za-z0-9]{1,48}$/;

/** Records whose name starts with `prefix` and that `keep` accepts, in name order (the order the List calls answer in). */
function listedByName<T extends { name: string }>(records: ReadonlyMap<string, T>, prefix: string, keep: (record: T) => boolean = () => true): T[] {
  return [...records.values()].filter((record) => record.name.startsWith(prefix) && keep(record)).sort((a, b) => a.name.localeCompare(b.name));
}

/** The record called `name`, or EventBridge's ResourceNotFoundException saying `<kind> <name> does not exist.` */
function foundByName<T>(records: ReadonlyMap<string, T>, kind: 'Archive' | 'Replay', name: string): T {
  const record = records.get(name);
  if (!record) throw EventsErrors.notFound(`${kind} ${name} does not exist.`);
  return record;
}

export interface EventBridgeServiceOptions {
  /** See `DispatcherOptions.judgeTargetRole`. */
  judgeTargetRole?: DispatcherOptions['judgeTargetRole'];
  accountId: string;
  region: string;
  peers: Peers;
  /** Folder for `state.json` and `archives/`; omit to keep everything in memory. */
  dataDir?: string;
  /** Real ms a recovered delivery waits for its target to be applied again (default 120 s). */
  recoveryGraceMs?: number;
  /** See `LocalCloudContext.awaitingStacks`. */
  awaitingStacks?: () => boolean;
  /** Local ms per AWS ms for retry backoff and event age (default 0.001). */
  retryTimeScale?: number;
  /** Fire scheduled rules on real timers (default true; tests drive `tick()` instead). */
  runSchedules?: boolean;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  now?: () => number;
  random?: () => number;
  /** Where events put and each target's outcome are reported (the console listens). */
  telemetry?: Telemetry;
}

interface PersistedState {
  buses: BusRecord[];
  rules: RuleRecord[];
  archives: ArchiveRecord[];
  replays: ReplayRecord[];
}

export interface PutRuleInput {
  Name: string;
  EventBusName?: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State?: string;
  Description?: string;
  RoleArn?: string;
  Tags?: Array<{ Key: string; Value: string }>;
}

export interface FailedTargetEntry {
  TargetId: string;
  ErrorCode: string;
  ErrorMessage: string;
}

function ruleKey(busName: string, ruleName: string): string {
  return `${busName}\u0000${ruleName}`;
}

/** Bytes PutEvents counts for an entry ("Calculating PutEvents event entry size"). */
export function entrySize(entry: PutEventsEntry): number {
  let size = entry.Time !== undefined ? 14 : 0;
  size += Buffer.byteLength(entry.Source ?? '', 'utf8') + Buffer.byteLength(entry.DetailType ?? '', 'utf8');
  size += Buffer.byteLength(entry.Detail ?? '', 'utf8');
  for (const resource of entry.Resources ?? []) size += Buffer.byteLength(resource ?? '', 'utf8');
  return size;
}

function toEpochMs(value: Date | string | number): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value * 1000;
  return Date.parse(value);
}

/** The flow an event belongs to: Kestrel events carry it in `detail.metadata.correlationId`. */
function correlationOf(event: EventEnvelope): { correlationId?: string } {
  const metadata = (event.detail as { metadata?: { correlationId?: unknown } } | null)?.metadata;
  return typeof metadata?.correlationId === 'string' ? { correlationId: metadata.correlationId } : {};
}

function targetOutcomeReporter(telemetry: Telemetry, now: () => number): NonNullable<DispatcherOptions['report']> {
  return (job, outcome, reason) => {
    if (!telemetry.active) return;
    telemetry.publish({
      type: 'target.outcome',
      at: now(),
      ...correlationOf(job.event),
      eventId: job.event.id,
      bus: busOfRuleArn(job.ruleArn),
      rule: job.ruleName,
      targetArn: job.target.Arn,
      outcome,
      attempt: job.retries + 1,
      ...(reason ? { reason } : {}),
    });
  };
}

export class EventBridgeService implements EventPublisher {
  readonly arns: Arns;
  readonly dispatcher: Dispatcher;
  private readonly buses = new Map<string, BusRecord>();
  private readonly rules = new Map<string, RuleRecord>();
  private readonly archives = new Map<string, ArchiveRecord>();
  private readonly archiveLogs = new Map<string, ArchiveLog>();
  private readonly replays = new Map<string, ReplayRecord>();
  private readonly compiled = new Map<string, CompiledEventPattern>();
  private readonly schedules = new Map<string, ScheduleExpression>();
  private readonly runningReplays = new Set<Promise<void>>();
  private readonly file: SnapshotFile<PersistedState> | undefined;
  private readonly journal: Journal<DeliveryJob>;
  private readonly now: () => number;
  private readonly log: (message: string, fields?: Record<string, unknown>) => void;
  private scheduleTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: EventBridgeServiceOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.arns = new Arns(options.region, options.accountId);
    this.journal = Journal.open<DeliveryJob>(options.dataDir ? join(options.dataDir, 'deliveries.journal') : undefined, {
      label: 'eventbridge deliveries',
      log: this.log,
    });
    this.dispatcher = new Dispatcher({
      journal: this.journal,
      persistent: options.dataDir !== undefined,
      recoveryGraceMs: options.recoveryGraceMs,
      ...(options.awaitingStacks ? { awaitingStacks: options.awaitingStacks } : {}),
      peers: options.peers,
      timeScale: options.retryTimeScale ?? 0.001,
      forwardToBus: (busArn, event) => this.forwardToBus(busArn, event),
      ...(options.judgeTargetRole ? { judgeTargetRole: options.judgeTargetRole } : {}),
      log: this.log,
      now: this.now,
      random: options.random,
      ...(options.telemetry ? { report: targetOutcomeReporter(options.telemetry, this.now) } : {}),
    });
    if (options.dataDir) {
      this.file = new SnapshotFile(join(options.dataDir, 'state.json'), () => this.persisted());
      this.restore(this.file.load());
    }
    if (!this.buses.has('default')) {
      const now = this.now();
      this.buses.set('default', { name: 'default', tags: {}, createdAt: now, lastModifiedAt: now });
    }
  }

  private persisted(): PersistedState {
    return {
      buses: [...this.buses.values()],
      rules: [...this.rules.values()],
      archives: [...this.archives.values()],
      replays: [...this.replays.values()],
    };
  }

  private restore(state: PersistedState | undefined): void {
    if (!state) return;
    for (const bus of state.buses) this.buses.set(bus.name, bus);
    for (const rule of state.rules) {
      this.rules.set(ruleKey(rule.busName, rule.name), rule);
      this.indexRule(rule);
    }
    for (const archive of state.archives) {
      this.archives.set(archive.name, archive);
      this.archiveLogs.set(archive.name, new ArchiveLog(this.archiveDirectory, archive.name, this.log));
    }
    for (const replay of state.replays) {
      // A replay cut short by a restart is not resumed; say so rather than leave it "RUNNING" forever.
      if (replay.state === 'STARTING' || replay.state === 'RUNNING' || replay.state === 'CANCELLING') {
        replay.state = 'FAILED';
        replay.stateReason = 'The local cloud stopped while the replay was running.';
      }
      this.replays.set(replay.name, replay);
    }
  }

  private get archiveDirectory(): string | undefined {
    return this.options.dataDir ? join(this.options.dataDir, 'archives') : undefined;
  }

  private changed(): void {
    this.file?.changed();
  }

  /** Arms schedules and restarts the deliveries accepted before the last stop or crash. */
  start(): void {
    if (this.options.runSchedules !== false) this.armScheduleTimer();
    this.dispatcher.recover();
  }

  /** Resolves once every delivery and archive line written so far is on disk: PutEvents answers after it. */
  private async durable(): Promise<void> {
    await Promise.all([this.journal.durable(), ...[...this.archiveLogs.values()].map((log) => log.durable())]);
  }

  // ---- buses ----

  bus(nameOrArn: string | undefined): BusRecord {
    const name = busNameOf(nameOrArn);
    const bus = this.buses.get(name);
    if (!bus) throw EventsErrors.busNotFound(name);
    return bus;
  }

  listBuses(prefix = ''): BusRecord[] {
    return listedByName(this.buses, prefix);
  }

  createBus(input: { Name: string; Description?: string; DeadLetterConfig?: { Arn?: string }; Tags?: Array<{ Key: string; Value: string }> }): BusRecord {
    const name = input.Name;
    if (typeof name !== 'string' || !BUS_NAME.test(name)) {
      throw EventsErrors.validation(`1 validation error detected: Value '${String(name)}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+`);
    }
    if (name === 'default') throw EventsErrors.validation('Event bus name default is reserved.');
    if (name.startsWith('aws.')) throw EventsErrors.validation('Event bus names starting with aws. are reserved for partner event sources.');
    if (this.buses.has(name)) throw EventsErrors.alreadyExists(`Event bus ${name} already exists.`);
    const now = this.now();
    const bus: BusRecord = {
      name,
      description: input.Description,
      deadLetterArn: input.DeadLetterConfig?.Arn,
      tags: Object.fromEntries((input.Tags ?? []).map((tag) => [tag.Key, tag.Value])),
      createdAt: now,
      lastModifiedAt: now,
    };
    this.buses.set(name, bus);
    this.changed();
    return bus;
  }

  deleteBus(name: string): void {
    if (name === 'default') throw EventsErrors.validation('Cannot delete event bus default.');
    if (!this.buses.has(name)) return;
    for (const rule of this.rulesOf(name)) this.dropRule(rule);
    this.buses.delete(name);
    this.changed();
  }

  setBusPolicy(nameOrArn: string, policy: string | undefined): void {
    const bus = this.bus(nameOrArn);
    bus.policy = policy;
    bus.lastModifiedAt = this.now();
    this.changed();
  }

  // ---- rules ----

  private indexRule(rule: RuleRecord): void {
    const key = ruleKey(rule.busName, rule.name);
    this.compiled.delete(key);
    this.schedules.delete(key);
    if (rule.eventPattern) this.compiled.set(key, compileEventPattern(rule.eventPattern));
    if (rule.scheduleExpression) this.schedules.set(key, parseScheduleExpression(rule.scheduleExpression));
  }

  rule(ruleName: string, busNameOrArn?: string): RuleRecord {
    const busName = busNameOf(busNameOrArn);
    this.bus(busName);
    const rule = this.rules.get(ruleKey(busName, ruleName));
    if (!rule) throw EventsErrors.ruleNotFound(ruleName, busName);
    return rule;
  }

  rulesOf(busNameOrArn?: string): RuleRecord[] {
    const busName = busNameOf(busNameOrArn);
    return [...this.rules.values()].filter((rule) => rule.busName === busName).sort((a, b) => a.name.localeCompare(b.name));
  }

  ruleArn(rule: RuleRecord): string {
    return this.arns.rule(rule.busName, rule.name);
  }

  putRule(input: PutRuleInput): RuleRecord {
    if (typeof input.Name !== 'string' || !RULE_NAME.test(input.Name)) {
      throw EventsErrors.validation(`1 validation error detected: Value '${String(input.Name)}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length between 1 and 64`);
    }
    const bus = this.bus(input.EventBusName);
    if (!input.EventPattern && !input.ScheduleExpression) {
      throw EventsErrors.validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    }
    if (input.EventPattern) {
      try {
        compileEventPattern(input.EventPattern);
      } catch (error) {
        if (error instanceof InvalidEventPatternError) throw EventsErrors.invalidPattern(error.message);
        throw error;
      }
    }
    if (input.ScheduleExpression) {
      if (bus.name !== 'default') throw EventsErrors.validation('ScheduleExpression is supported only on the default event bus.');
      try {
        parseScheduleExpression(input.ScheduleExpression);
      } catch (error) {
        if (error instanceof InvalidScheduleExpressionError) throw EventsErrors.validation(error.message);
        throw error;
      }
    }
    const state = (input.State ?? 'ENABLED') as RuleState;
    if (!['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'].includes(state)) {
      throw EventsErrors.validation(`1 validation error detected: Value '${state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]`);
    }
    const key = ruleKey(bus.name, input.Name);
    const existing = this.rules.get(key);
    const now = this.now();
    const rule: RuleRecord = {
      name: input.Name,
      busName: bus.name,
      eventPattern: input.EventPattern || undefined,
      scheduleExpression: input.ScheduleExpression || undefined,
      state,
      description: input.Description,
      roleArn: input.RoleArn,
      tags: { ...existing?.tags, ...Object.fromEntries((input.Tags ?? []).map((tag) => [tag.Key, tag.Value])) },
      targets: existing?.targets ?? [],
      scheduleAnchor: existing && existing.scheduleExpression === (input.ScheduleExpression || undefined) && existing.state !== 'DISABLED' ? existing.scheduleAnchor : now,
      lastFiredAt: existing?.scheduleExpression === (input.ScheduleExpression || undefined) ? existing?.lastFiredAt : undefined,
    };
    this.rules.set(key, rule);
    this.indexRule(rule);
    this.changed();
    this.armScheduleTimer();
    return rule;
  }

  setRuleState(ruleName: string, busNameOrArn: string | undefined, state: RuleState): void {
    const rule = this.rule(ruleName, busNameOrArn);
    if (rule.state === 'DISABLED' && state !== 'DISABLED') rule.scheduleAnchor = this.now();
    rule.state = state;
    this.changed();
    this.armScheduleTimer();
  }

  deleteRule(ruleName: string, busNameOrArn?: string): void {
    const busName = busNameOf(busNameOrArn);
    this.bus(busName);
    const rule = this.rules.get(ruleKey(busName, ruleName));
    if (!rule) return;
    if (rule.targets.length > 0) throw EventsErrors.validation('Rule can\'t be deleted since it has targets.');
    this.dropRule(rule);
  }

  private dropRule(rule: RuleRecord): void {
    const key = ruleKey(rule.busName, rule.name);
    this.rules.delete(key);
    this.compiled.delete(key);
    this.schedules.delete(key);
    this.changed();
    this.armScheduleTimer();
  }

  // ---- targets ----

  /**
   * PutTargets: request-level constraints (limits, ranges) fail the call with
   * ValidationException, as the API model enforces them; per-target problems
   * come back in FailedEntries while the other targets are stored.
   */
  putTargets(ruleName: string, busNameOrArn: string | undefined, targets: Target[]): FailedTargetEntry[] {
    const rule = this.rule(ruleName, busNameOrArn);
    if (!Array.isArray(targets) || targets.length === 0 || targets.length > 10) {
      throw EventsErrors.validation(`1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10`);
    }
    targets.forEach((target, index) => validateTargetShape(target, index + 1));
    const failed: FailedTargetEntry[] = [];
    const byId = new Map(rule.targets.map((target) => [target.Id, target]));
    for (const target of targets) {
      const problems = inputConfigProblems(target);
      if (target.DeadLetterConfig?.Arn !== undefined && !/^arn:aws[\w-]*:sqs:/.test(target.DeadLetterConfig.Arn)) {
        problems.push(`DeadLetterConfig.Arn must be the ARN of an SQS queue, got ${target.DeadLetterConfig.Arn}.`);
      }
      if (/^arn:aws[\w-]*:sqs:.*\.fifo$/.test(target.Arn) && !target.SqsParameters?.MessageGroupId) {
        problems.push(`Parameter(s) SqsParameters must be specified for target: ${target.Id}.`);
      }
      if (!/^arn:aws[\w-]*:[a-z0-9-]+:/.test(target.Arn)) problems.push(`Parameter ${target.Arn} is not valid. Reason: Provided Arn is not in correct format.`);
      if (problems.length > 0) {
        failed.push({ TargetId: target.Id, ErrorCode: 'ValidationException', ErrorMessage: problems.join(' ') });
        continue;
      }
      byId.set(target.Id, structuredClone(target));
    }
    if (byId.size > MAX_TARGETS_PER_RULE) {
      throw EventsErrors.limitExceeded(`The requested resource exceeds the maximum number allowed: a rule can have at most ${MAX_TARGETS_PER_RULE} targets.`);
    }
    rule.targets = [...byId.values()];
    this.changed();
    return failed;
  }

  removeTargets(ruleName: string, busNameOrArn: string | undefined, ids: string[]): FailedTargetEntry[] {
    const rule = this.rule(ruleName, busNameOrArn);
    const present = new Set(rule.targets.map((target) => target.Id));
    const failed = ids
      .filter((id) => !present.has(id))
      .map((id) => ({ TargetId: id, ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Target ${id} does not exist on rule ${ruleName}.` }));
    rule.targets = rule.targets.filter((target) => !ids.includes(target.Id));
    this.changed();
    return failed;
  }

  // ---- events ----

  /** Validates entries as PutEvents does; valid ones are accepted even when others fail. */
  async putEvents(entries: PutEventsEntry[]): Promise<{ FailedEntryCount: number; Entries: PutEventsResultEntry[] }> {
    if (!Array.isArray(entries) || entries.length < 1) {
      throw EventsErrors.validation("1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }
    if (entries.length > 10) {
      throw EventsErrors.validation(`1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10 (got ${entries.length})`);
    }
    const total = entries.reduce((sum, entry) => sum + entrySize(entry), 0);
    if (total > MAX_PUT_EVENTS_BYTES) throw EventsErrors.validation('Total size of the entries in the request is over the limit.');
    const now = this.now();
    const results = entries.map((entry) => this.acceptEntry(entry, now));
    // Acknowledged means durable: the deliveries and archive lines are on disk before the answer.
    await this.durable();
    return { FailedEntryCount: results.filter((result) => result.ErrorCode).length, Entries: results };
  }

  private acceptEntry(entry: PutEventsEntry, now: number): PutEventsResultEntry {
    const invalid = (parameter: string) => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${parameter} is not valid. Reason: ${parameter} is a required argument.`,
    });
    if (typeof entry.Source !== 'string' || entry.Source === '') return invalid('Source');
    if (typeof entry.DetailType !== 'string' || entry.DetailType === '') return invalid('DetailType');
    if (typeof entry.Detail !== 'string' || entry.Detail === '') return invalid('Detail');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    if (entry.Source.startsWith('aws.')) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    }
    const busName = busNameOf(entry.EventBusName);
    if (!this.buses.has(busName)) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
    const time = entry.Time !== undefined ? toEpochMs(entry.Time) : now;
    if (Number.isNaN(time)) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Time is not valid.' };
    const event: EventEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.options.accountId,
      time: eventTime(time),
      region: this.options.region,
      resources: entry.Resources ?? [],
      detail,
    };
    this.ingest(busName, event, now);
    return { EventId: event.id };
  }

  /** An event arriving on a bus: archived, then routed to matching rules. */
  private ingest(busName: string, event: EventEnvelope, receivedAt: number): void {
    this.archiveEvent(busName, event, receivedAt);
    this.route(busName, event, receivedAt);
  }

  private async forwardToBus(busArn: string, event: EventEnvelope): Promise<void> {
    const busName = busNameOf(busArn);
    if (!this.buses.has(busName)) {
      throw Object.assign(new Error(`Event bus ${busName} does not exist.`), { code: 'ResourceNotFoundException' });
    }
    this.ingest(busName, event, this.now());
    await this.durable();
  }

  private route(busName: string, event: EventEnvelope, receivedAt: number, onlyRuleArns?: Set<string>): void {
    let view: EventView | undefined;
    const jobs: DeliveryJob[] = [];
    const matchedRules: string[] = [];
    for (const rule of this.rules.values()) {
      if (rule.busName !== busName || rule.state === 'DISABLED' || !rule.eventPattern) continue;
      const ruleArn = this.ruleArn(rule);
      if (onlyRuleArns && !onlyRuleArns.has(ruleArn)) continue;
      const pattern = this.compiled.get(ruleKey(rule.busName, rule.name));
      view ??= new EventView(event as unknown as Record<string, unknown>);
      if (!pattern?.matches(view)) continue;
      matchedRules.push(rule.name);
      for (const target of rule.targets) jobs.push({ event, ingestedAt: receivedAt, ruleArn, ruleName: rule.name, target, retries: 0 });
    }
    const telemetry = this.options.telemetry;
    // Announced before the deliveries start, so a listener sees the event before its outcomes.
    if (telemetry?.active) {
      telemetry.publish({
        type: 'event.put',
        at: receivedAt,
        ...correlationOf(event),
        eventId: event.id,
        bus: busName,
        source: event.source,
        detailType: event['detail-type'],
        event: event as unknown as Record<string, unknown>,
        matchedRules,
        size: Buffer.byteLength(JSON.stringify(event), 'utf8'),
      });
    }
    this.dispatcher.enqueueAll(jobs);
  }

  /**
   * Delivers an event again to one target of one rule (a dead letter redriven from the console,
   * as the ops CLI sends it to the rule's target): no other rule or target sees it twice, it is not
   * archived again, and the target's retry policy and dead-letter queue apply as at first.
   *
   * @throws ResourceNotFoundException when the rule or the target is gone.
   */
  async redeliver(ruleName: string, busNameOrArn: string | undefined, event: EventEnvelope, targetArn: string): Promise<void> {
    const rule = this.rule(ruleName, busNameOrArn);
    const target = rule.targets.find((candidate) => candidate.Arn === targetArn);
    if (!target) throw EventsErrors.notFound(`Rule ${ruleName} has no target ${targetArn}.`);
    this.dispatcher.enqueueAll([{ event, ingestedAt: this.now(), ruleArn: this.ruleArn(rule), ruleName: rule.name, target, retries: 0 }]);
    await this.durable();
  }

  /**
   * TestEventPattern. The event must carry the envelope fields AWS insists on.
   *
   * @throws InvalidEventPatternException for a bad pattern, ValidationException for a bad event.
   */
  testEventPattern(pattern: string, eventText: string): boolean {
    let event: unknown;
    try {
      event = JSON.parse(eventText);
    } catch {
      throw EventsErrors.validation('Parameter Event is not valid: it is not JSON.');
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event)) throw EventsErrors.validation('Parameter Event is not valid: it must be a JSON object.');
    const missing = ['id', 'account', 'source', 'time', 'region', 'detail-type'].filter((field) => !(field in (event as object)));
    if (missing.length > 0) throw EventsErrors.validation(`Parameter Event is not valid. Reason: Provided Event is missing mandatory field(s): ${missing.join(', ')}.`);
    let compiled: CompiledEventPattern;
    try {
      compiled = compileEventPattern(pattern);
    } catch (error) {
      if (error instanceof InvalidEventPatternError) throw EventsErrors.invalidPattern(error.message);
      throw error;
    }
    return compiled.matches(event as Record<string, unknown>);
  }

  // ---- archives & replays ----

  createArchive(input: { ArchiveName: string; EventSourceArn: string; Description?: string; EventPattern?: string; RetentionDays?: number }): ArchiveRecord {
    if (typeof input.ArchiveName !== 'string' || !ARCHIVE_NAME.test(input.ArchiveName)) {
      throw EventsErrors.validation(`1 validation error detected: Value '${String(input.ArchiveName)}' at 'archiveName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length between 1 and 48`);
    }
    if (this.archives.has(input.ArchiveName)) throw EventsErrors.alreadyExists(`Archive ${input.ArchiveName} already exists.`);
    const bus = this.bus(input.EventSourceArn);
    if (input.EventPattern) {
      try {
        compileEventPattern(input.EventPattern);
      } catch (error) {
        if (error instanceof InvalidEventPatternError) throw EventsErrors.invalidPattern(error.message);
        throw error;
      }
    }
    const retentionDays = input.RetentionDays ?? 0;
    if (!Number.isInteger(retentionDays) || retentionDays < 0) throw EventsErrors.validation('RetentionDays must be a whole number of days, 0 (the default) meaning indefinitely.');
    const archive: ArchiveRecord = {
      name: input.ArchiveName,
      eventSourceArn: this.arns.bus(bus.name),
      description: input.Description,
      eventPattern: input.EventPattern || undefined,
      retentionDays,
      state: 'ENABLED',
      createdAt: this.now(),
      eventCount: 0,
      sizeBytes: 0,
    };
    this.archives.set(archive.name, archive);
    this.archiveLogs.set(archive.name, new ArchiveLog(this.archiveDirectory, archive.name, this.log));
    this.changed();
    return archive;
  }

  archive(name: string): ArchiveRecord {
    return foundByName(this.archives, 'Archive', name);
  }

  listArchives(filter: { NamePrefix?: string; EventSourceArn?: string; State?: string } = {}): ArchiveRecord[] {
    return listedByName(
      this.archives,
      filter.NamePrefix ?? '',
      (archive) => (!filter.EventSourceArn || archive.eventSourceArn === this.arns.bus(busNameOf(filter.EventSourceArn))) && (!filter.State || archive.state === filter.State),
    );
  }

  updateArchive(input: { ArchiveName: string; Description?: string; EventPattern?: string; RetentionDays?: number }): ArchiveRecord {
    const archive = this.archive(input.ArchiveName);
    if (input.EventPattern !== undefined) {
      try {
        if (input.EventPattern) compileEventPattern(input.EventPattern);
      } catch (error) {
        if (error instanceof InvalidEventPatternError) throw EventsErrors.invalidPattern(error.message);
        throw error;
      }
      archive.eventPattern = input.EventPattern || undefined;
    }
    if (input.Description !== undefined) archive.description = input.Description;
    if (input.RetentionDays !== undefined) archive.retentionDays = input.RetentionDays;
    this.changed();
    return archive;
  }

  async deleteArchive(name: string): Promise<void> {
    this.archive(name);
    this.archives.delete(name);
    await this.archiveLogs.get(name)?.remove();
    this.archiveLogs.delete(name);
    this.changed();
  }

  private readonly archivePatterns = new Map<string, CompiledEventPattern>();

  private archivePattern(pattern: string): CompiledEventPattern {
    let compiled = this.archivePatterns.get(pattern);
    if (!compiled) {
      compiled = compileEventPattern(pattern);
      this.archivePatterns.set(pattern, compiled);
    }
    return compiled;
  }

  private archiveEvent(busName: string, event: EventEnvelope, receivedAt: number): void {
    const busArn = this.arns.bus(busName);
    for (const archive of this.archives.values()) {
      if (archive.state !== 'ENABLED' || archive.eventSourceArn !== busArn) continue;
      if (archive.eventPattern && !this.archivePattern(archive.eventPattern).matches(event as unknown as Record<string, unknown>)) continue;
      this.archiveLogs.get(archive.name)?.append({ receivedAt, event });
      archive.eventCount++;
      archive.sizeBytes += Buffer.byteLength(JSON.stringify(event), 'utf8');
      this.changed();
    }
  }

  startReplay(input: {
    ReplayName: string;
    Description?: string;
    EventSourceArn: string;
    EventStartTime: number;
    EventEndTime: number;
    Destination: { Arn: string; FilterArns?: string[] };
  }): ReplayRecord {
    if (typeof input.ReplayName !== 'string' || !ARCHIVE_NAME.test(input.ReplayName)) {
      throw EventsErrors.validation(`1 validation error detected: Value '${String(input.ReplayName)}' at 'replayName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
    }
    if (this.replays.has(input.ReplayName)) throw EventsErrors.alreadyExists(`Replay ${input.ReplayName} already exists.`);
    const archiveName = /:archive\/(.+)$/.exec(input.EventSourceArn ?? '')?.[1];
    if (!archiveName) throw EventsErrors.validation(`Parameter EventSourceArn is not valid. Reason: ${String(input.EventSourceArn)} is not an archive ARN.`);
    const archive = this.archive(archiveName);
    if (!(input.EventStartTime < input.EventEndTime)) {
      throw EventsErrors.validation('Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.');
    }
    if (input.EventEndTime > this.now()) {
      throw EventsErrors.validation('Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the future.');
    }
    const destinationBus = busNameOf(input.Destination?.Arn);
    this.bus(destinationBus);
    if (this.arns.bus(destinationBus) !== archive.eventSourceArn) {
      throw EventsErrors.validation('Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.');
    }
    const replay: ReplayRecord = {
      name: input.ReplayName,
      description: input.Description,
      eventSourceArn: this.arns.archive(archive.name),
      destination: { Arn: this.arns.bus(destinationBus), ...(input.Destination.FilterArns ? { FilterArns: input.Destination.FilterArns } : {}) },
      eventStartTime: input.EventStartTime,
      eventEndTime: input.EventEndTime,
      state: 'STARTING',
      replayStartTime: this.now(),
    };
    this.replays.set(replay.name, replay);
    this.changed();
    const running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.runReplay(replay, archive.name, destinationBus));
    this.runningReplays.add(running);
    void running.finally(() => this.runningReplays.delete(running));
    return replay;
  }

  private runReplay(replay: ReplayRecord, archiveName: string, busName: string): void {
    if (replay.state !== 'STARTING') return;
    replay.state = 'RUNNING';
    const filter = replay.destination.FilterArns && replay.destination.FilterArns.length > 0 ? new Set(replay.destination.FilterArns) : undefined;
    const events = (this.archiveLogs.get(archiveName)?.events ?? []).filter(
      (archived) => archived.receivedAt >= replay.eventStartTime && archived.receivedAt < replay.eventEndTime,
    );
    for (const archived of events) {
      if ((replay.state as ReplayRecord['state']) === 'CANCELLING') break;
      // Replayed events keep their id and time and say which replay sent them; they are not archived again.
      this.route(busName, { ...archived.event, 'replay-name': replay.name }, this.now(), filter);
      replay.eventLastReplayedTime = archived.receivedAt;
    }
    replay.state = (replay.state as ReplayRecord['state']) === 'CANCELLING' ? 'CANCELLED' : 'COMPLETED';
    replay.replayEndTime = this.now();
    this.changed();
  }

  replay(name: string): ReplayRecord {
    return foundByName(this.replays, 'Replay', name);
  }

  listReplays(filter: { NamePrefix?: string; State?: string; EventSourceArn?: string } = {}): ReplayRecord[] {
    return listedByName(
      this.replays,
      filter.NamePrefix ?? '',
      (replay) => (!filter.State || replay.state === filter.State) && (!filter.EventSourceArn || replay.eventSourceArn === filter.EventSourceArn),
    );
  }

  cancelReplay(name: string): ReplayRecord {
    const replay = this.replay(name);
    if (replay.state !== 'STARTING' && replay.state !== 'RUNNING') {
      throw EventsErrors.illegalStatus(`Replay ${name} is ${replay.state} and cannot be cancelled.`);
    }
    replay.state = replay.state === 'STARTING' ? 'CANCELLED' : 'CANCELLING';
    this.changed();
    return replay;
  }

  // ---- schedules ----

  /**
   * Fires every enabled scheduled rule that is due at `now`: once, even when
   * several periods passed while the local cloud was down (AWS does not
   * backfill missed invocations either).
   */
  tick(now = this.now()): number {
    let fired = 0;
    for (const [key, schedule] of this.schedules) {
      const rule = this.rules.get(key);
      if (!rule || rule.state === 'DISABLED') continue;
      const due = nextFireTime(schedule, rule.lastFiredAt ?? rule.scheduleAnchor, rule.scheduleAnchor);
      if (due === undefined || due > now) continue;
      let fireAt = due;
      for (;;) {
        const following = nextFireTime(schedule, fireAt, rule.scheduleAnchor);
        if (following === undefined || following > now) break;
        fireAt = following;
      }
      rule.lastFiredAt = fireAt;
      fired++;
      const ruleArn = this.ruleArn(rule);
      const event: EventEnvelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: this.options.accountId,
        time: eventTime(fireAt),
        region: this.options.region,
        resources: [ruleArn],
        detail: {},
      };
      this.dispatcher.enqueueAll(rule.targets.map((target) => ({ event, ingestedAt: now, ruleArn, ruleName: rule.name, target, retries: 0 })));
    }
    if (fired > 0) this.changed();
    return fired;
  }

  /** When the next scheduled rule is due (epoch ms), if any. */
  nextScheduledFire(now = this.now()): number | undefined {
    let next: number | undefined;
    for (const [key, schedule] of this.schedules) {
      const rule = this.rules.get(key);
      if (!rule || rule.state === 'DISABLED') continue;
      const due = nextFireTime(schedule, Math.max(rule.lastFiredAt ?? rule.scheduleAnchor, rule.scheduleAnchor), rule.scheduleAnchor);
      if (due !== undefined && (next === undefined || due < next)) next = due;
    }
    return next === undefined ? undefined : Math.max(next, now);
  }

  private armScheduleTimer(): void {
    if (this.options.runSchedules === false || this.stopped) return;
    if (this.scheduleTimer) clearTimeout(this.scheduleTimer);
    this.scheduleTimer = undefined;
    const next = this.nextScheduledFire();
    if (next === undefined) return;
    const delay = Math.min(Math.max(0, next - this.now()), 2 ** 31 - 1);
    this.scheduleTimer = setTimeout(() => {
      this.scheduleTimer = undefined;
      this.tick();
      this.armScheduleTimer();
    }, delay);
    this.scheduleTimer.unref();
  }

  // ---- lifecycle & state ----

  /** Resolves once replays finished and every accepted event was delivered, retried to the end, dead-lettered or dropped. */
  async idle(): Promise<void> {
    while (this.runningReplays.size > 0 || this.dispatcher.inFlight > 0) {
      await Promise.all([...this.runningReplays]);
      await this.dispatcher.idle();
    }
  }

  get deliveryStats(): DeliveryStats {
    return { ...this.dispatcher.stats };
  }

  describeBuses(): unknown {
    return this.listBuses().map((bus) => ({
      name: bus.name,
      arn: this.arns.bus(bus.name),
      ...(bus.policy ? { policy: bus.policy } : {}),
      rules: this.rulesOf(bus.name).map((rule) => ({
        name: rule.name,
        arn: this.ruleArn(rule),
        pattern: rule.eventPattern ? (JSON.parse(rule.eventPattern) as unknown) : undefined,
        schedule: rule.scheduleExpression,
        state: rule.state,
        targets: rule.targets.map((target) => ({
          id: target.Id,
          arn: target.Arn,
          dlq: target.DeadLetterConfig?.Arn,
          retryPolicy: {
            maximumRetryAttempts: target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
            maximumEventAgeInSeconds: target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
          },
        })),
      })),
    }));
  }

  describeArchives(): unknown {
    return this.listArchives().map((archive) => ({
      name: archive.name,
      arn: this.arns.archive(archive.name),
      bus: busNameOf(archive.eventSourceArn),
      eventCount: archive.eventCount,
      retentionDays: archive.retentionDays,
      state: archive.state,
    }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.scheduleTimer) clearTimeout(this.scheduleTimer);
    this.dispatcher.stop();
    await Promise.all([...this.runningReplays]);
    await Promise.all([...this.archiveLogs.values()].map((log) => log.close()));
    await this.journal.close();
    await this.file?.flush();
  }

  /** Drops archived events past their archive's retention. */
  async applyRetention(now = this.now()): Promise<void> {
    for (const archive of this.archives.values()) {
      if (archive.retentionDays <= 0) continue;
      const log = this.archiveLogs.get(archive.name);
      await log?.expire(now - archive.retentionDays * 86_400_000);
      if (log) archive.eventCount = log.events.length;
    }
    this.changed();
  }
}

/** The model-level checks of one PutTargets entry (a failure rejects the whole call, as AWS's validation layer does). */
function validateTargetShape(target: Target, position: number): void {
  const at = `targets.${position}.member`;
  if (typeof target?.Id !== 'string' || !TARGET_ID.test(target.Id)) {
    throw EventsErrors.validation(`1 validation error detected: Value '${String(target?.Id)}' at '${at}.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length between 1 and 64`);
  }
  if (typeof target.Arn !== 'string' || target.Arn.length < 1 || target.Arn.length > 1600) {
    throw EventsErrors.validation(`1 validation error detected: Value at '${at}.arn' failed to satisfy constraint: Member must have length between 1 and 1600`);
  }
  const retry = target.RetryPolicy;
  if (retry?.MaximumRetryAttempts !== undefined && (!Number.isInteger(retry.MaximumRetryAttempts) || retry.MaximumRetryAttempts < 0 || retry.MaximumRetryAttempts > 185)) {
    throw EventsErrors.validation(`1 validation error detected: Value '${retry.MaximumRetryAttempts}' at '${at}.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value between 0 and 185`);
  }
  if (
    retry?.MaximumEventAgeInSeconds !== undefined &&
    (!Number.isInteger(retry.MaximumEventAgeInSeconds) || retry.MaximumEventAgeInSeconds < 60 || retry.MaximumEventAgeInSeconds > 86_400)
  ) {
    throw EventsErrors.validation(`1 validation error detected: Value '${retry.MaximumEventAgeInSeconds}' at '${at}.retryPolicy.maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value between 60 and 86400`);
  }
}
