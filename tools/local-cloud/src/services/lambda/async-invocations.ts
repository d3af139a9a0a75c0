/**
 * Asynchronous invocations (`Event`), as Lambda handles them: each event
 * waits in an internal queue for a free concurrency slot (throttling never
 * loses an event, it only waits), is retried after a function error up to
 * `maximum_retry_attempts` times (Lambda waits about 1 minute, then 2), and
 * is discarded once retries are exhausted or it is older than
 * `maximum_event_age_in_seconds` — to the on-failure destination and/or the
 * function's dead-letter queue. Successes go to the on-success destination.
 *
 * Time is scaled down locally (`timeScale`, default 1/60: retries after 1 s
 * and 2 s, the default 6-hour event age becomes 6 minutes), so failure paths
 * show up within a test run and stay in the same proportions.
 *
 * Every accepted event is written to a journal (`<dataDir>/lambda/async.journal`)
 * before the 202 (the caller awaits `durable()`), and marked done only once it
 * succeeded or was discarded and its destinations were sent; after `kill -9`
 * the next start queues the rest again (at-least-once, as Lambda's async
 * invocations are). Recovered events wait for their function to be applied
 * again (stacks are applied after the local cloud starts) for as long as a
 * stack the run expects is not applied (a slow `npm start` must not drop them),
 * and at least `recoveryGraceMs`.
 */
import { randomUUID } from 'node:crypto';
import type { Journal } from '../../core/journal';
import type { Peers } from '../../core/types';
import { DEFAULT_EVENT_INVOKE_SETTINGS } from './function-config';
import type { EventInvokeSettings } from './function-config';
import type { FunctionRegistry } from './function-registry';
import type { InvocationRequest, InvocationResult, LocalFunction } from './local-function';

export const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
/** Lambda's delays before the second and third attempt. */
export const AWS_RETRY_DELAYS_MS = [60_000, 120_000] as const;

export type DiscardCondition = 'RetriesExhausted' | 'EventAgeExceeded';

/** The record Lambda sends to a destination (`version` 1.0). */
export interface InvocationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: DiscardCondition | 'Success';
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext?: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: unknown;
}

/** What the journal keeps of an accepted event. */
export interface JournaledEvent {
  functionName: string;
  requestId: string;
  payload: string;
  qualifier?: string;
  enqueuedAt: number;
}

interface QueuedEvent {
  /** Read back from the journal after a restart. */
  recovered?: boolean;
  requestId: string;
  payload: string;
  qualifier?: string;
  enqueuedAt: number;
  attempts: number;
  notBefore: number;
  lastResult?: InvocationResult;
  expiryTimer?: NodeJS.Timeout;
}

export interface AsyncQueueDependencies {
  registry: FunctionRegistry;
  peers: Peers;
  settingsFor(fn: LocalFunction): Partial<EventInvokeSettings>;
  run(fn: LocalFunction, request: InvocationRequest): Promise<InvocationResult>;
  log(message: string, fields?: Record<string, unknown>): void;
  /** Multiplies Lambda's retry delays and event ages. */
  timeScale: number;
  journal: Journal<JournaledEvent>;
  /** Real ms a recovered event waits for its function to exist again (default 120 s), and longer while `awaitingStacks`. */
  recoveryGraceMs?: number;
  /** See `LocalCloudContext.awaitingStacks`. */
  awaitingStacks?: () => boolean;
}

export interface AsyncStats {
  accepted: number;
  succeeded: number;
  retried: number;
  discarded: { RetriesExhausted: number; EventAgeExceeded: number };
  /** Discarded events with neither destination nor dead-letter queue (Lambda drops them too). */
  dropped: number;
  destinationDeliveries: number;
  /** Events read back from the journal after a restart. */
  recovered: number;
  deliveryFailures: Array<{ requestId: string; destination: string; error: string }>;
}

function parseJson(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function serviceOf(arn: string): string {
  return arn.split(':')[2] ?? '';
}

export class AsyncInvocationQueue {
  readonly stats: AsyncStats = {
    accepted: 0,
    succeeded: 0,
    retried: 0,
    discarded: { RetriesExhausted: 0, EventAgeExceeded: 0 },
    dropped: 0,
    destinationDeliveries: 0,
    recovered: 0,
    deliveryFailures: [],
  };
  private readonly queues = new Map<string, QueuedEvent[]>();
  private running = 0;
  private deliveries = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private idleWaiters: Array<() => void> = [];
  private pumpScheduled = false;
  private stopped = false;
  private readonly startedAt = Date.now();

  constructor(private readonly deps: AsyncQueueDependencies) {
    deps.registry.onRelease(() => this.schedulePump());
  }

  private settings(fn: LocalFunction): { maximumRetryAttempts: number; maximumEventAgeSeconds: number; onFailure?: string; onSuccess?: string } {
    return { ...DEFAULT_EVENT_INVOKE_SETTINGS, ...this.deps.settingsFor(fn) };
  }

  /** Queues one event; Lambda has already answered 202 when this returns. */
  enqueue(fn: LocalFunction, payload: string, options: { requestId?: string; qualifier?: string } = {}): string {
    const requestId = options.requestId ?? randomUUID();
    const now = Date.now();
    const event: QueuedEvent = { requestId, payload, qualifier: options.qualifier, enqueuedAt: now, attempts: 0, notBefore: now };
    this.deps.journal.put(requestId, { functionName: fn.name, requestId, payload, qualifier: options.qualifier, enqueuedAt: now });
    // Wake the queue when the event would expire, in case it is throttled until then.
    const maxAgeMs = this.settings(fn).maximumEventAgeSeconds * 1000 * this.deps.timeScale;
    event.expiryTimer = this.timer(maxAgeMs + 1);
    this.queue(fn.name).push(event);
    this.stats.accepted += 1;
    this.schedulePump();
    return requestId;
  }

  /** Resolves once every accepted event is on disk: the 202 goes out after it. */
  durable(): Promise<void> {
    return this.deps.journal.durable();
  }

  /** Queues the events accepted before the last stop or crash and not finished. */
  recover(): void {
    for (const saved of this.deps.journal.recovered.values()) {
      const event: QueuedEvent = { ...saved, recovered: true, attempts: 0, notBefore: Date.now() };
      this.queue(saved.functionName).push(event);
      this.stats.recovered += 1;
    }
    if (this.deps.journal.recovered.size > 0) this.schedulePump();
  }

  /** Events waiting (queued or between retries) per function. */
  depth(functionName: string): number {
    return this.queues.get(functionName)?.length ?? 0;
  }

  /** Resolves when no event is queued, running, waiting for a retry or being delivered. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops timers; queued events stay in the journal for the next start (in memory, they are lost). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.deps.journal.close();
  }

  private queue(name: string): QueuedEvent[] {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = [];
      this.queues.set(name, queue);
    }
    return queue;
  }

  private timer(delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.pump();
    }, Math.max(0, delayMs));
    timer.unref();
    this.timers.add(timer);
    return timer;
  }

  private isIdle(): boolean {
    if (this.running > 0 || this.deliveries > 0) return false;
    for (const queue of this.queues.values()) if (queue.length > 0) return false;
    return true;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.stopped) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const [name, queue] of this.queues) {
      const fn = this.deps.registry.get(name);
      if (!fn) {
        if (queue.some((event) => event.recovered) && (this.deps.awaitingStacks?.() || Date.now() - this.startedAt < (this.deps.recoveryGraceMs ?? 120_000))) {
          // Recovered after a restart: its function comes back when its stack is applied again.
          this.timer(250);
          continue;
        }
        for (const event of queue.splice(0)) {
          this.deps.log('lambda: async event dropped, its function was destroyed', { function: name, requestId: event.requestId });
          this.deps.journal.done(event.requestId);
        }
        continue;
      }
      const settings = this.settings(fn);
      const maxAgeMs = settings.maximumEventAgeSeconds * 1000 * this.deps.timeScale;
      for (let index = 0; index < queue.length; ) {
        const event = queue[index] as QueuedEvent;
        if (now - event.enqueuedAt > maxAgeMs) {
          queue.splice(index, 1);
          this.discard(fn, event, 'EventAgeExceeded');
          continue;
        }
        if (event.notBefore > now) {
          index += 1;
          continue;
        }
        if (this.deps.registry.tryAcquire(fn) !== 'acquired') break;
        queue.splice(index, 1);
        this.dispatch(fn, event);
      }
    }
    this.checkIdle();
  }

  private dispatch(fn: LocalFunction, event: QueuedEvent): void {
    this.running += 1;
    event.attempts += 1;
    this.deps
      .run(fn, { requestId: event.requestId, payload: event.payload, qualifier: event.qualifier, firstFreeEnvironment: true })
      .catch(
        (error: unknown): InvocationResult => ({
          requestId: event.requestId,
          payload: JSON.stringify({ errorType: 'Runtime.Unknown', errorMessage: (error as Error).message }),
          functionError: 'Unhandled',
          error: { errorType: 'Runtime.Unknown', errorMessage: (error as Error).message },
          executedVersion: '$LATEST',
          coldStart: false,
          metrics: { durationMs: 0, billedDurationMs: 0, memorySizeMB: fn.settings.memorySizeMb, maxMemoryUsedMB: 0 },
        }),
      )
      .then((result) => {
        event.lastResult = result;
        this.running -= 1;
        this.deps.registry.release(fn);
        this.afterAttempt(fn, event, result);
        this.checkIdle();
      });
  }

  private afterAttempt(fn: LocalFunction, event: QueuedEvent, result: InvocationResult): void {
    const settings = this.settings(fn);
    if (!result.functionError) {
      if (event.expiryTimer) this.clearTimer(event.expiryTimer);
      this.stats.succeeded += 1;
      this.finished(event, settings.onSuccess ? [this.deliver(settings.onSuccess, this.record(fn, event, 'Success'), event.requestId)] : []);
      return;
    }
    if (event.attempts <= settings.maximumRetryAttempts) {
      const delay = (AWS_RETRY_DELAYS_MS[event.attempts - 1] ?? AWS_RETRY_DELAYS_MS[1]) * this.deps.timeScale;
      event.notBefore = Date.now() + delay;
      this.stats.retried += 1;
      this.queue(fn.name).push(event);
      this.timer(delay + 1);
      return;
    }
    this.discard(fn, event, 'RetriesExhausted');
  }

  /** The event is over once its destination deliveries were attempted: its journal record goes. */
  private finished(event: QueuedEvent, deliveries: Promise<void>[]): void {
    void Promise.all(deliveries).then(() => this.deps.journal.done(event.requestId));
  }

  private clearTimer(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  private record(fn: LocalFunction, event: QueuedEvent, condition: InvocationRecord['requestContext']['condition']): InvocationRecord {
    const result = event.lastResult;
    const executedVersion = result?.executedVersion ?? '$LATEST';
    return {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: { requestId: event.requestId, functionArn: `${fn.arn}:${executedVersion}`, condition, approximateInvokeCount: event.attempts },
      requestPayload: parseJson(event.payload),
      ...(result
        ? {
            responseContext: { statusCode: 200, executedVersion, ...(result.functionError ? { functionError: result.functionError } : {}) },
            responsePayload: parseJson(result.payload),
          }
        : { responseContext: { statusCode: 429, executedVersion } }),
    };
  }

  private discard(fn: LocalFunction, event: QueuedEvent, condition: DiscardCondition): void {
    if (event.expiryTimer) this.clearTimer(event.expiryTimer);
    this.stats.discarded[condition] += 1;
    const { onFailure } = this.settings(fn);
    const deadLetter = fn.settings.deadLetterTargetArn;
    this.deps.log('lambda: async event discarded', { function: fn.name, requestId: event.requestId, condition, attempts: event.attempts, onFailure, deadLetter });
    if (!onFailure && !deadLetter) this.stats.dropped += 1;
    this.finished(event, [
      ...(onFailure ? [this.deliver(onFailure, this.record(fn, event, condition), event.requestId)] : []),
      ...(deadLetter ? [this.deliverToDeadLetterQueue(deadLetter, event, condition)] : []),
    ]);
  }

  /** Runs a destination delivery, counting it; the promise settles when it is over (never rejects). */
  private track(destination: string, requestId: string, delivery: () => Promise<void>): Promise<void> {
    this.deliveries += 1;
    return delivery()
      .then(() => {
        this.stats.destinationDeliveries += 1;
      })
      .catch((error: unknown) => {
        const message = (error as Error)?.message ?? String(error);
        this.stats.deliveryFailures.push({ requestId, destination, error: message });
        this.deps.log('lambda: could not deliver to destination', { destination, requestId, error: message });
      })
      .finally(() => {
        this.deliveries -= 1;
        this.checkIdle();
      });
  }

  private deliver(destination: string, record: InvocationRecord, requestId: string): Promise<void> {
    const { peers } = this.deps;
    return this.track(destination, requestId, async () => {
      switch (serviceOf(destination)) {
        case 'sqs':
          await peers.sqs().sendMessage(destination, JSON.stringify(record));
          return;
        case 'lambda':
          await peers.lambda().invoke(destination, record, { invocationType: 'Event' });
          return;
        case 'events': {
          const outcome = await peers.events().putEvents([
            {
              Source: 'lambda',
              DetailType: `Lambda Function Invocation Result - ${record.requestContext.condition === 'Success' ? 'Success' : 'Failure'}`,
              Detail: JSON.stringify(record),
              EventBusName: destination,
              Resources: [destination, record.requestContext.functionArn],
            },
          ]);
          if (outcome.FailedEntryCount > 0) throw new Error(`PutEvents refused the record: ${outcome.Entries[0]?.ErrorCode} ${outcome.Entries[0]?.ErrorMessage}`);
          return;
        }
        default:
          throw new Error(`destinations of type '${serviceOf(destination)}' are not emulated (SQS, Lambda and EventBridge are)`);
      }
    });
  }

  private deliverToDeadLetterQueue(target: string, event: QueuedEvent, condition: DiscardCondition): Promise<void> {
    const error = event.lastResult?.error;
    const errorMessage = error ? error.errorMessage : condition === 'EventAgeExceeded' ? 'Event age exceeded' : 'Retries exhausted';
    return this.track(target, event.requestId, async () => {
      if (serviceOf(target) !== 'sqs') throw new Error(`dead-letter targets of type '${serviceOf(target)}' are not emulated (SQS is)`);
      // The attributes Lambda sets on a dead-lettered event; the body is the event itself.
      await this.deps.peers.sqs().sendMessage(target, event.payload === '' ? '{}' : event.payload, {
        RequestID: { DataType: 'String', StringValue: event.requestId },
        ErrorCode: { DataType: 'Number', StringValue: event.lastResult ? '200' : '429' },
        ErrorMessage: { DataType: 'String', StringValue: Buffer.from(errorMessage).subarray(0, 1024).toString() },
      });
    });
  }
}
