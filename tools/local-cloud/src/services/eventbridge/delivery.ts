/**
 * Delivering matched events to targets, asynchronously from PutEvents, with
 * EventBridge's retry policy and dead-letter queues ("Event retry policy and
 * using dead-letter queues", EventBridge User Guide):
 *
 * - Retriable failures (throttling, timeouts, the target service failing)
 *   are retried with exponential backoff and jitter until
 *   `RetryPolicy.MaximumRetryAttempts` (0–185, default 185) retries were made
 *   or the event is older than `MaximumEventAgeInSeconds` (60–86400, default
 *   86400).
 * - Failures retrying can't fix (the target doesn't exist, EventBridge may not
 *   invoke it) skip the retries.
 * - Then the event goes to the target's `DeadLetterConfig` SQS queue, with the
 *   message attributes RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
 *   RETRY_ATTEMPTS and, when a retry limit ended it, EXHAUSTED_RETRY_CONDITION
 *   (`MaximumRetryAttempts` or `MaximumEventAgeInSeconds`). Without a DLQ it is
 *   dropped.
 *
 * A Lambda target is invoked asynchronously (InvocationType Event): once
 * Lambda accepts the event, EventBridge is done — a handler error is Lambda's
 * own async retry business (its retry attempts and on-failure destinations),
 * not a failed delivery.
 *
 * Time is scaled for local runs: `timeScale` local milliseconds stand for one
 * AWS millisecond (default 0.001, so AWS's 1 s backoff takes 1 ms and the
 * 24 h maximum event age 86.4 s). Ages are measured in the same scaled time.
 */
import type { Journal } from '../../core/journal';
import { AwsServiceError, type LambdaInvoker, type MessageAttributeValue, type Peers, type QueueSender } from '../../core/types';
import { renderTargetInput } from './input-transform';
import { eventTime, type EventEnvelope, type Target } from './model';

export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86_400;
/** Backoff: 1 s doubling up to 5 min (AWS doesn't publish its schedule; this spreads 185 retries over about 24 h). */
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 300_000;

export interface DeliveryJob {
  event: EventEnvelope;
  /** Local epoch ms when EventBridge accepted the event. */
  ingestedAt: number;
  ruleArn: string;
  ruleName: string;
  target: Target;
  /** Retries made so far (0 on the first attempt). */
  retries: number;
  /** Read back from the journal after a restart: the target may not be applied again yet (see `recoveryGraceMs`). */
  recovered?: boolean;
}

/** The journal key of one delivery: an event goes to each matching target once. */
export const deliveryKey = (job: Pick<DeliveryJob, 'event' | 'ruleArn' | 'target'>) => `${job.event.id}|${job.ruleArn}|${job.target.Id}`;

export class DeliveryFailure extends Error {
  constructor(
    /** The ERROR_CODE EventBridge reports, e.g. NO_RESOURCE, NO_PERMISSIONS, THROTTLING. */
    readonly code: string,
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

export interface DeliveryStats {
  /** Deliveries the target accepted. */
  delivered: number;
  /** Retries scheduled. */
  retries: number;
  /** Events sent to a target's dead-letter queue. */
  deadLettered: number;
  /** Events given up on with no dead-letter queue configured. */
  dropped: number;
  /** Events whose dead-letter queue could not take them either. */
  deadLetterFailed: number;
  /** Deliveries read back from the journal after a restart. */
  recovered: number;
}

export interface DispatcherOptions {
  peers: Peers;
  /** Local ms per AWS ms for backoff and event age. */
  timeScale: number;
  /** Puts an event on another bus of this EventBridge (bus targets). */
  forwardToBus: (busArn: string, event: EventEnvelope) => Promise<void>;
  /**
   * Judges a call EventBridge makes as a target's `RoleArn` (the local cloud's IAM); answers the refusal message, or
   * undefined when allowed. Absent: targets' roles are not judged.
   */
  judgeTargetRole?: (roleArn: string, permission: { action: string; resource: string; keys?: Record<string, string> }) => string | undefined;
  log: (message: string, fields?: Record<string, unknown>) => void;
  now?: () => number;
  random?: () => number;
  /**
   * Write-ahead journal of accepted deliveries: a job is put before PutEvents
   * answers and done once the target accepted it or it was dead-lettered, so
   * `kill -9` loses none (at-least-once).
   */
  journal: Journal<DeliveryJob>;
  /** The journal is on disk (false for in-memory clouds, where a stop loses what waits for a retry). */
  persistent: boolean;
  /**
   * After a restart, recovered deliveries whose target does not exist yet are
   * retried for this long (real ms) instead of dead-lettered: stacks are
   * applied again after the local cloud starts (default 120 s).
   */
  recoveryGraceMs?: number;
  /** See `LocalCloudContext.awaitingStacks`: while it is true, any delivery whose target is missing waits for it (recovered ones also for the grace). */
  awaitingStacks?: () => boolean;
  /** Told each attempt's outcome (`retrying` for an attempt that failed and will be tried again). */
  report?: (job: DeliveryJob, outcome: 'delivered' | 'retrying' | 'dead-lettered' | 'dropped', reason?: string) => void;
}

/** Delay between attempts of a recovered delivery waiting for its target to be applied again. */
const RECOVERY_RETRY_MS = 250;

/** The local SQS also takes the group/deduplication ids FIFO queues need (QueueSender has no slot for them). */
interface FifoAwareQueueSender extends QueueSender {
  sendMessage(
    queueArnOrUrl: string,
    body: string,
    attributes?: Record<string, MessageAttributeValue>,
    fifo?: { messageGroupId?: string; messageDeduplicationId?: string },
  ): Promise<{ messageId: string }>;
  /** Whether the queue's policy lets a service principal send for a source (the local cloud's IAM decides). */
  isSendAllowed?(queueArnOrUrl: string, principal: string, sourceArn?: string): boolean;
}

/** Lambda modules may also answer whether a resource policy lets a service invoke a function. */
interface PermissionAwareInvoker extends LambdaInvoker {
  isInvokeAllowed?(functionArnOrName: string, principal: string, sourceArn?: string): boolean;
}

function errorCodeOf(error: unknown): string {
  if (error instanceof AwsServiceError) return error.code;
  const candidate = error as { code?: unknown; name?: unknown };
  return typeof candidate?.code === 'string' ? candidate.code : typeof candidate?.name === 'string' ? candidate.name : 'Error';
}

/** Maps a target service's error to EventBridge's ERROR_CODE and whether a retry may help. */
export function classifyTargetError(error: unknown): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const code = errorCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (/NotFound|DoesNotExist|NonExistent/.test(code)) return new DeliveryFailure('NO_RESOURCE', message, false);
  if (/AccessDenied|NotAuthorized|Unauthorized|Forbidden/.test(code)) return new DeliveryFailure('NO_PERMISSIONS', message, false);
  if (/Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|Unavailable/.test(code)) return new DeliveryFailure('THROTTLING', message, true);
  if (/Timeout|TimedOut/.test(code)) return new DeliveryFailure('TIMEOUT', message, true);
  if (error instanceof AwsServiceError && error.status < 500) return new DeliveryFailure('INVALID_PARAMETER', `${code}: ${message}`, false);
  return new DeliveryFailure('SDK_CLIENT_ERROR', `${code}: ${message}`, true);
}

function stringAttribute(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

function resourceNameOf(arn: string): string {
  return arn.split(':').slice(5).join(':');
}

export class Dispatcher {
  readonly stats: DeliveryStats = { delivered: 0, retries: 0, deadLettered: 0, dropped: 0, deadLetterFailed: 0, recovered: 0 };
  private readonly startedAt = Date.now();
  private pending = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly timers = new Map<NodeJS.Timeout, DeliveryJob>();
  private readonly now: () => number;
  private readonly random: () => number;
  private stopped = false;

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /**
   * Records the deliveries in the journal and starts them; returns at once.
   * Await `journal.durable()` before acknowledging the events.
   */
  enqueueAll(jobs: DeliveryJob[]): void {
    if (this.stopped || jobs.length === 0) return;
    this.options.journal.putAll(jobs.map((job) => [deliveryKey(job), job]));
    for (const job of jobs) this.start(job);
  }

  /** Restarts the deliveries the journal kept from before a restart. */
  recover(): void {
    for (const job of this.options.journal.recovered.values()) {
      this.stats.recovered++;
      this.start({ ...job, recovered: true });
    }
  }

  private start(job: DeliveryJob): void {
    this.pending++;
    setImmediate(() => void this.attempt(job));
  }

  /** Resolves once every accepted event was delivered, dead-lettered or dropped (retries included). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get inFlight(): number {
    return this.pending;
  }

  /** The delivery is over: delivered, dead-lettered or dropped. */
  private finish(job: DeliveryJob): void {
    this.options.journal.done(deliveryKey(job));
    this.settle();
  }

  /** One delivery fewer in flight (finished, or left in the journal for the next start). */
  private settle(): void {
    this.pending--;
    if (this.pending === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async attempt(job: DeliveryJob): Promise<void> {
    try {
      const policy = job.target.RetryPolicy ?? {};
      const maxAgeMs = (policy.MaximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS) * 1000;
      const awsAgeMs = (this.now() - job.ingestedAt) / this.options.timeScale;
      if (job.retries > 0 && awsAgeMs > maxAgeMs) {
        await this.deadLetter(job, new DeliveryFailure('TIMEOUT', 'Event is older than MaximumEventAgeInSeconds', true), 'MaximumEventAgeInSeconds');
        return;
      }
      try {
        await this.send(job);
        this.stats.delivered++;
        this.options.report?.(job, 'delivered');
        this.finish(job);
      } catch (error) {
        const failure = classifyTargetError(error);
        const maxRetries = policy.MaximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS;
        // A target missing while this run still applies its stacks (after a restart, a rule restored from the data
        // dir can match before its target's stack is applied again) waits for it: on AWS the target never vanished.
        const awaitingTarget = this.options.awaitingStacks?.() === true || (job.recovered && Date.now() - this.startedAt < (this.options.recoveryGraceMs ?? 120_000));
        if (failure.code === 'NO_RESOURCE' && awaitingTarget) {
          this.later(job, RECOVERY_RETRY_MS);
        } else if (!failure.retriable) {
          await this.deadLetter(job, failure, undefined);
        } else if (job.retries >= maxRetries) {
          await this.deadLetter(job, failure, 'MaximumRetryAttempts');
        } else {
          this.options.report?.(job, 'retrying', `${failure.code}: ${failure.message}`);
          this.scheduleRetry(job);
        }
      }
    } catch (error) {
      // A bug here must not leave idle() hanging.
      this.options.log('eventbridge: delivery crashed', { rule: job.ruleArn, target: job.target.Id, error: (error as Error).stack });
      this.finish(job);
    }
  }

  private scheduleRetry(job: DeliveryJob): void {
    const exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** job.retries);
    const jittered = exponential * (0.5 + this.random() * 0.5);
    this.stats.retries++;
    this.later({ ...job, retries: job.retries + 1 }, Math.max(0, jittered * this.options.timeScale));
  }

  /** Attempts `job` again after `delayMs`; once stopped, it stays in the journal for the next start. */
  private later(job: DeliveryJob, delayMs: number): void {
    if (this.stopped) {
      this.settle();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(job);
    }, delayMs);
    this.timers.set(timer, job);
  }

  private async deadLetter(job: DeliveryJob, failure: DeliveryFailure, exhausted: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds' | undefined): Promise<void> {
    const dlqArn = job.target.DeadLetterConfig?.Arn;
    const fields = { rule: job.ruleArn, target: job.target.Id, errorCode: failure.code, error: failure.message, retries: job.retries };
    if (!dlqArn) {
      this.stats.dropped++;
      this.options.report?.(job, 'dropped', `${failure.code}: ${failure.message} (no dead-letter queue)`);
      this.options.log('eventbridge: event dropped after failed delivery (no dead-letter queue)', fields);
      this.finish(job);
      return;
    }
    const attributes: Record<string, MessageAttributeValue> = {
      RULE_ARN: stringAttribute(job.ruleArn),
      TARGET_ARN: stringAttribute(job.target.Arn),
      ERROR_CODE: stringAttribute(failure.code),
      ERROR_MESSAGE: stringAttribute(failure.message.slice(0, 1024) || failure.code),
      RETRY_ATTEMPTS: stringAttribute(String(job.retries)),
      ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: stringAttribute(exhausted) } : {}),
    };
    try {
      const sqs = this.options.peers.sqs() as FifoAwareQueueSender;
      // The dead-letter queue's policy must admit the rule too, as in AWS.
      if (sqs.isSendAllowed && !sqs.isSendAllowed(dlqArn, 'events.amazonaws.com', job.ruleArn)) throw new Error(`the queue policy of ${dlqArn} does not allow events.amazonaws.com for ${job.ruleArn}`);
      await sqs.sendMessage(dlqArn, JSON.stringify(job.event), attributes);
      this.stats.deadLettered++;
      this.options.report?.(job, 'dead-lettered', `${failure.code}: ${failure.message}${exhausted ? ` (${exhausted} exhausted)` : ''} → ${dlqArn}`);
      this.options.log('eventbridge: event sent to dead-letter queue', { ...fields, dlq: dlqArn });
    } catch (error) {
      this.stats.deadLetterFailed++;
      this.options.report?.(job, 'dropped', `${failure.code}: ${failure.message}; the dead-letter queue refused it too: ${(error as Error).message}`);
      this.options.log('eventbridge: dead-letter queue refused the event; it is lost', { ...fields, dlq: dlqArn, dlqError: (error as Error).message });
    }
    this.finish(job);
  }

  private async send(job: DeliveryJob): Promise<void> {
    const arn = job.target.Arn;
    const service = arn.split(':')[2];
    if (service === 'events' && /:event-bus\//.test(arn)) {
      // Bus-to-bus: the event itself travels (journaled again by the other bus); input settings don't apply to bus targets.
      // With a RoleArn, EventBridge puts it as that role: events:PutEvents on the target bus for the event's source and type.
      this.actAsTargetRole(job, { action: 'events:PutEvents', resource: arn, keys: { 'events:source': job.event.source, 'events:detail-type': job.event['detail-type'] } });
      await this.options.forwardToBus(arn, job.event);
      return;
    }
    const input = renderTargetInput(job.event as unknown as Record<string, unknown>, job.target, {
      ruleArn: job.ruleArn,
      ruleName: job.ruleName,
      ingestionTime: eventTime(job.ingestedAt),
    });
    switch (service) {
      case 'lambda':
        return this.invokeLambda(job, input);
      case 'sqs': {
        const sqs = this.peer(() => this.options.peers.sqs() as FifoAwareQueueSender, 'SQS');
        if (!sqs.queueExists(arn)) throw new DeliveryFailure('NO_RESOURCE', `Queue ${resourceNameOf(arn)} does not exist.`, false);
        if (sqs.isSendAllowed && !sqs.isSendAllowed(arn, 'events.amazonaws.com', job.ruleArn)) {
          throw new DeliveryFailure('NO_PERMISSIONS', `EventBridge is not allowed to send to ${arn}: its queue policy must allow events.amazonaws.com sqs:SendMessage for ${job.ruleArn}`, false);
        }
        if (arn.endsWith('.fifo')) {
          const groupId = job.target.SqsParameters?.MessageGroupId;
          if (!groupId) throw new DeliveryFailure('INVALID_PARAMETER', 'A FIFO queue target needs SqsParameters.MessageGroupId.', false);
          // The event id deduplicates, so a redelivered event is not enqueued twice.
          await sqs.sendMessage(arn, input, {}, { messageGroupId: groupId, messageDeduplicationId: job.event.id });
        } else {
          await sqs.sendMessage(arn, input);
        }
        return;
      }
      case 'firehose': {
        // EventBridge calls PutRecordBatch as the target's role.
        this.actAsTargetRole(job, { action: 'firehose:PutRecordBatch', resource: arn });
        const firehose = this.peer(() => this.options.peers.firehose(), 'Firehose');
        const streamName = arn.split('/').pop() as string;
        const result = await firehose.putRecordBatch(streamName, [Buffer.from(input, 'utf8')]);
        const failed = result.RequestResponses.find((entry) => entry.ErrorCode);
        if (result.FailedPutCount > 0) throw classifyTargetError(new AwsServiceError(failed?.ErrorCode ?? 'ServiceUnavailableException', failed?.ErrorMessage ?? 'Record not accepted', 500));
        return;
      }
      default:
        throw new DeliveryFailure('NO_RESOURCE', `The local cloud does not deliver to ${service} targets (${arn}).`, false);
    }
  }

  /** With a RoleArn, EventBridge calls the target as that role: a refusal fails the target with NO_PERMISSIONS (not retried). */
  private actAsTargetRole(job: DeliveryJob, permission: { action: string; resource: string; keys?: Record<string, string> }): void {
    const refusal = job.target.RoleArn ? this.options.judgeTargetRole?.(job.target.RoleArn, permission) : undefined;
    if (refusal) throw new DeliveryFailure('NO_PERMISSIONS', refusal, false);
  }

  private peer<T>(get: () => T, name: string): T {
    try {
      return get();
    } catch (error) {
      throw new DeliveryFailure('NO_RESOURCE', `${name} is not running in this local cloud: ${(error as Error).message}`, false);
    }
  }

  private async invokeLambda(job: DeliveryJob, input: string): Promise<void> {
    const lambda = this.peer(() => this.options.peers.lambda() as PermissionAwareInvoker, 'Lambda');
    const arn = job.target.Arn;
    if (!lambda.functionExists(arn)) throw new DeliveryFailure('NO_RESOURCE', `Function not found: ${arn}`, false);
    if (lambda.isInvokeAllowed && !lambda.isInvokeAllowed(arn, 'events.amazonaws.com', job.ruleArn)) {
      throw new DeliveryFailure(
        'NO_PERMISSIONS',
        `EventBridge is not allowed to invoke ${arn}: add an aws_lambda_permission for principal events.amazonaws.com with source_arn ${job.ruleArn}`,
        false,
      );
    }
    let payload: unknown = input;
    try {
      payload = JSON.parse(input);
    } catch {
      // A plain-string template result is passed as the string.
    }
    const result = await lambda.invoke(arn, payload, { invocationType: 'Event' });
    if (result.statusCode >= 300) {
      throw classifyTargetError(new AwsServiceError('ServiceException', `Lambda answered ${result.statusCode}`, result.statusCode));
    }
  }

  /**
   * Cancels scheduled retries and stops accepting work. Their deliveries stay
   * in the journal and are attempted again after the next start (in memory
   * they are lost with the process, and counted as dropped).
   */
  stop(): void {
    this.stopped = true;
    for (const [timer, job] of this.timers) {
      clearTimeout(timer);
      if (this.options.persistent) {
        this.settle();
      } else {
        this.stats.dropped++;
        this.finish(job);
      }
    }
    this.timers.clear();
  }
}
