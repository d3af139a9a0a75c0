/**
 * One running pipe: polls its DynamoDB stream shard by shard (parents before
 * children, like the Pipes poller), turns each record into the Pipes event,
 * filters, renders the input template, and puts the events on the target bus
 * in PutEvents calls of at most 10 entries. Failed entries are retried with
 * exponential backoff up to `maximumRetryAttempts` (-1: until the record is
 * older than `maximumRecordAgeInSeconds`, or forever), then reported to the
 * dead-letter queue and skipped. The checkpoint moves only after a batch is
 * handled, so order is kept per shard and nothing is lost across restarts.
 * With the local cloud's IAM the pipe acts as its role: reads and puts its
 * role does not allow fail like any source or target error (`deps.authorize`).
 */
import { randomUUID } from 'node:crypto';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { EventPublisher, MessageAttributeValue, PutEventsEntry, QueueSender } from '../../core/types';
import { compileEventPattern } from '../../eventbridge/pattern';
import type { CompiledEventPattern } from '../../eventbridge/pattern';
import type { CheckpointStore, PipeCheckpoint } from './checkpoints';
import { renderInputTemplate } from './input-template';
import { resolveJsonPath } from './json-path';
import type { PipeDefinition } from './model';
import { toPipesRecord } from './stream-record';
import type { PipesDynamoDbRecord } from './stream-record';
import type { ShardInfo, StreamsApi } from './stream-reader';

export interface PipeRunnerDeps {
  arn: string;
  region: string;
  streams: StreamsApi;
  events: () => EventPublisher;
  sqs: () => QueueSender;
  checkpoints: CheckpointStore;
  now: () => number;
  log: (message: string, fields?: Record<string, unknown>) => void;
  /** Pause between polls of a caught-up stream (Pipes polls a shard about 4 times a second). */
  pollIntervalMs: number;
  /** First retry delay; doubles per attempt up to `retryMaxDelayMs`. */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /**
   * Judges one call the pipe makes as its execution role (the local cloud's IAM); answers AWS's refusal message when
   * the role does not allow it. Absent: every call is allowed.
   */
  authorize?: (permission: { action: string; resource: string; keys?: Record<string, string> }) => string | undefined;
}

/** What a DynamoDB stream source needs of the pipe's role (EventBridge Pipes' documented source permissions). */
const STREAM_SOURCE_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];

export interface PipeStats {
  /** Records read from the stream. */
  read: number;
  /** Records dropped by the filters. */
  filteredOut: number;
  /** Events put on the bus. */
  delivered: number;
  /** Records given up on (dead-lettered, or dropped when there is no DLQ). */
  failed: number;
  /** Records waiting for a retry right now. */
  retrying: number;
  lastError?: string;
}

interface FailedEntry {
  record: PipesDynamoDbRecord;
  entry: PutEventsEntry;
  errorCode: string;
  errorMessage: string;
}

const SHARD_REFRESH_MS = 1_000;

class Stopped extends Error {}

/** What DynamoDB Streams reports when a position is gone; we restart the shard from its oldest record. */
const TRIMMED = 'TrimmedDataAccessException';
const EXPIRED = 'ExpiredIteratorException';

export class PipeRunner {
  readonly stats: PipeStats = { read: 0, filteredOut: 0, delivered: 0, failed: 0, retrying: 0 };
  private readonly filters: CompiledEventPattern[];
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly iterators = new Map<string, string>();
  private shards: ShardInfo[] = [];
  private shardsReadAt = 0;
  private cycle = 0;
  private idleWaiters: Array<{ minCycle: number; resolve: () => void }> = [];
  private readonly checkpoint: PipeCheckpoint;

  constructor(
    readonly pipe: PipeDefinition,
    private readonly deps: PipeRunnerDeps,
  ) {
    this.filters = pipe.filters.map((pattern) => compileEventPattern(pattern));
    this.checkpoint = deps.checkpoints.of(pipe.name, pipe.source);
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the batch in flight (an unfinished batch is not checkpointed and is read again later). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    for (const waiter of this.idleWaiters) waiter.resolve();
    this.idleWaiters = [];
  }

  /**
   * Resolves once the pipe has read everything in its stream that was there
   * when called, and handled it (tests wait on this instead of sleeping).
   */
  whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      // Two full cycles: the one under way may have started before the caller's writes.
      this.idleWaiters.push({ minCycle: this.cycle + 2, resolve });
      this.wake?.();
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.cycle++;
      let progressed = false;
      try {
        this.authorizeSource();
        if (!this.checkpoint.initialized) await this.initialize();
        for (const shard of await this.readyShards()) {
          if (!this.running) break;
          progressed = (await this.pollShard(shard)) || progressed;
        }
        failures = 0;
        if (this.stats.lastError?.startsWith('source:')) this.stats.lastError = undefined;
      } catch (error) {
        if (error instanceof Stopped) break;
        failures++;
        const message = `source: ${(error as Error).name}: ${(error as Error).message}`;
        if (message !== this.stats.lastError) this.deps.log(`pipes: ${this.pipe.name} cannot read ${this.pipe.source}: ${message}`);
        this.stats.lastError = message;
        await this.sleep(Math.min(this.deps.retryBaseDelayMs * 2 ** Math.min(failures, 10), this.deps.retryMaxDelayMs));
        continue;
      }
      if (!progressed) {
        const cycle = this.cycle;
        this.idleWaiters = this.idleWaiters.filter((waiter) => {
          if (waiter.minCycle > cycle) return true;
          waiter.resolve();
          return false;
        });
        if (this.running) await this.sleep(this.deps.pollIntervalMs);
      }
    }
  }

  /** The role must allow reading the stream; a refusal fails the poll like any source error (nothing is consumed). */
  private authorizeSource(): void {
    for (const action of STREAM_SOURCE_ACTIONS) {
      const refusal = this.deps.authorize?.({ action, resource: this.pipe.source });
      if (refusal) throw Object.assign(new Error(refusal), { name: 'AccessDeniedException' });
    }
  }

  /** Applies the starting position once: LATEST skips every record already in the stream. */
  private async initialize(): Promise<void> {
    if (this.pipe.sourceParameters.startingPosition === 'LATEST') {
      for (const shard of await this.deps.streams.describeStream(this.pipe.source)) {
        let iterator = await this.deps.streams.getShardIterator(this.pipe.source, shard.shardId, 'TRIM_HORIZON');
        const position: { after?: string; finished?: boolean } = {};
        while (iterator) {
          const page = await this.deps.streams.getRecords(iterator);
          const last = page.records[page.records.length - 1];
          if (last?.dynamodb?.SequenceNumber) position.after = last.dynamodb.SequenceNumber;
          if (!page.next) position.finished = true;
          if (page.records.length === 0 || !page.next) break;
          iterator = page.next;
        }
        this.checkpoint.shards[shard.shardId] = position;
      }
    }
    this.checkpoint.initialized = true;
    this.deps.checkpoints.save();
  }

  private async readyShards(): Promise<ShardInfo[]> {
    if (this.deps.now() - this.shardsReadAt >= SHARD_REFRESH_MS || this.shards.length === 0) {
      this.shards = await this.deps.streams.describeStream(this.pipe.source);
      this.shardsReadAt = this.deps.now();
    }
    const listed = new Set(this.shards.map((shard) => shard.shardId));
    const finished = (shardId: string) => this.checkpoint.shards[shardId]?.finished === true;
    // A child shard waits until its parent is fully handled (or trimmed away), keeping per-key order across splits.
    return this.shards.filter((shard) => !finished(shard.shardId) && (!shard.parentShardId || !listed.has(shard.parentShardId) || finished(shard.parentShardId)));
  }

  private async iteratorFor(shardId: string): Promise<string | undefined> {
    const known = this.iterators.get(shardId);
    if (known) return known;
    const after = this.checkpoint.shards[shardId]?.after;
    const iterator = after
      ? await this.deps.streams.getShardIterator(this.pipe.source, shardId, 'AFTER_SEQUENCE_NUMBER', after)
      : await this.deps.streams.getShardIterator(this.pipe.source, shardId, 'TRIM_HORIZON');
    if (iterator) this.iterators.set(shardId, iterator);
    return iterator;
  }

  /** Reads and handles what the shard has; true if it returned records. */
  private async pollShard(shard: ShardInfo): Promise<boolean> {
    const parameters = this.pipe.sourceParameters;
    let iterator: string | undefined;
    let page: { records: StreamRecord[]; next?: string };
    try {
      iterator = await this.iteratorFor(shard.shardId);
      if (!iterator) return false;
      page = await this.deps.streams.getRecords(iterator);
    } catch (error) {
      this.iterators.delete(shard.shardId);
      const name = (error as Error).name;
      if (name === EXPIRED) return false;
      if (name === TRIMMED) {
        const after = this.checkpoint.shards[shard.shardId]?.after;
        this.deps.log(`pipes: ${this.pipe.name}: ${after ? `records after ${after}` : 'the start of the shard'} in ${shard.shardId} trimmed; continuing from the oldest record`);
        this.checkpoint.shards[shard.shardId] = {};
        return false;
      }
      throw error;
    }
    const records = page.records;
    this.stats.read += records.length;
    let pending = records;
    // Batching window: with few records and a window, keep reading until the batch fills or the window ends.
    if (parameters.maximumBatchingWindowInSeconds > 0 && records.length > 0 && records.length < parameters.batchSize && page.next) {
      const deadline = this.deps.now() + parameters.maximumBatchingWindowInSeconds * 1000;
      let next: string | undefined = page.next;
      while (this.running && pending.length < parameters.batchSize && this.deps.now() < deadline && next) {
        await this.sleep(Math.min(this.deps.pollIntervalMs, Math.max(0, deadline - this.deps.now())));
        const more = await this.deps.streams.getRecords(next);
        this.stats.read += more.records.length;
        pending = [...pending, ...more.records];
        next = more.next;
      }
      page = { records: pending, next };
    }
    try {
      for (let start = 0; start < pending.length; start += parameters.batchSize) {
        const batch = pending.slice(start, start + parameters.batchSize);
        await this.handleBatch(shard.shardId, batch);
        const last = batch[batch.length - 1]?.dynamodb?.SequenceNumber;
        this.checkpoint.shards[shard.shardId] = { after: last };
        this.deps.checkpoints.save();
      }
    } catch (error) {
      // Resume from the checkpoint, not from this page's iterator, so handled batches are not sent twice.
      this.iterators.delete(shard.shardId);
      throw error;
    }
    if (page.next) {
      this.iterators.set(shard.shardId, page.next);
    } else {
      this.iterators.delete(shard.shardId);
      this.checkpoint.shards[shard.shardId] = { ...this.checkpoint.shards[shard.shardId], finished: true };
      this.deps.checkpoints.save();
    }
    return pending.length > 0;
  }

  /** The bus entry for one (filtered) record. */
  private entryFor(record: PipesDynamoDbRecord): PutEventsEntry {
    const bus = this.pipe.eventBus;
    // Dynamic path parameters read the source event, never the transformed one.
    const dynamic = (value: string | undefined): string | undefined => {
      if (value === undefined || !value.startsWith('$')) return value;
      const resolved = resolveJsonPath(record, value);
      return resolved === undefined || resolved === null ? undefined : typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
    };
    const detail = this.pipe.inputTemplate
      ? renderInputTemplate(this.pipe.inputTemplate, record, {
          pipeArn: this.deps.arn,
          pipeName: this.pipe.name,
          sourceArn: this.pipe.source,
          targetArn: this.pipe.target,
          ingestionTime: new Date(this.deps.now()).toISOString(),
        })
      : JSON.stringify(record);
    const entry: PutEventsEntry = {
      EventBusName: this.pipe.target,
      Source: dynamic(bus.source) ?? `Pipe ${this.pipe.name}`,
      DetailType: dynamic(bus.detailType) ?? 'Event from aws:dynamodb',
      Detail: detail,
    };
    if (bus.resources?.length) entry.Resources = bus.resources.map((resource) => dynamic(resource) ?? resource);
    const time = dynamic(bus.time);
    if (time) entry.Time = time;
    return entry;
  }

  private matches(record: PipesDynamoDbRecord): boolean {
    return this.filters.length === 0 || this.filters.some((filter) => filter.matches(record as unknown as Record<string, unknown>));
  }

  private async handleBatch(shardId: string, batch: StreamRecord[]): Promise<void> {
    const records = batch.map((record) => toPipesRecord(record, this.pipe.source, this.deps.region));
    const selected = records.filter((record) => this.matches(record));
    this.stats.filteredOut += records.length - selected.length;
    if (selected.length === 0) return;
    let pending = selected.map((record) => ({ record, entry: this.entryFor(record) }));
    const parameters = this.pipe.sourceParameters;
    let internalFailures = 0;
    for (let attempt = 0; ; attempt++) {
      let failed: FailedEntry[];
      try {
        failed = await this.putOnBus(pending);
      } catch (error) {
        if ((error as Error).name !== 'PipeInternalError') throw error;
        // Internal errors are retried indefinitely and do not count as attempts (Pipes error handling docs).
        this.stats.lastError = `target: ${(error as Error).message}`;
        this.stats.retrying = pending.length;
        if (!this.running) throw new Stopped();
        await this.sleep(Math.min(this.deps.retryBaseDelayMs * 2 ** internalFailures++, this.deps.retryMaxDelayMs));
        if (!this.running) throw new Stopped();
        attempt--;
        continue;
      }
      this.stats.delivered += pending.length - failed.length;
      if (failed.length === 0) {
        this.stats.retrying = 0;
        return;
      }
      const first = failed[0] as FailedEntry;
      this.stats.lastError = `target: ${first.errorCode}: ${first.errorMessage}`;
      const maxAge = parameters.maximumRecordAgeInSeconds;
      const tooOld = maxAge !== -1 ? failed.filter((item) => this.ageSeconds(item.record) > maxAge) : [];
      if (tooOld.length) await this.deadLetter(shardId, tooOld, 'RecordAgeExceeded', attempt + 1);
      let remaining = failed.filter((item) => !tooOld.includes(item));
      if (remaining.length && parameters.maximumRetryAttempts !== -1 && attempt >= parameters.maximumRetryAttempts) {
        await this.deadLetter(shardId, remaining, 'RetryAttemptsExhausted', attempt + 1);
        remaining = [];
      }
      this.stats.retrying = remaining.length;
      if (remaining.length === 0) return;
      if (!this.running) throw new Stopped();
      await this.sleep(Math.min(this.deps.retryBaseDelayMs * 2 ** attempt, this.deps.retryMaxDelayMs));
      if (!this.running) throw new Stopped();
      pending = remaining.map(({ record, entry }) => ({ record, entry }));
    }
  }

  private ageSeconds(record: PipesDynamoDbRecord): number {
    const created = record.dynamodb.ApproximateCreationDateTime;
    return typeof created === 'number' ? this.deps.now() / 1000 - created : 0;
  }

  /** `events:PutEvents` per entry on the target bus, with its `events:source` and `events:detail-type`. */
  private refusalToPut(entries: PutEventsEntry[]): string | undefined {
    for (const entry of entries) {
      const keys: Record<string, string> = {
        ...(entry.Source ? { 'events:source': entry.Source } : {}),
        ...(entry.DetailType ? { 'events:detail-type': entry.DetailType } : {}),
      };
      const refusal = this.deps.authorize?.({ action: 'events:PutEvents', resource: this.pipe.target, keys });
      if (refusal) return refusal;
    }
    return undefined;
  }

  /** PutEvents in chunks of 10; returns the entries that failed, with why. */
  private async putOnBus(items: Array<{ record: PipesDynamoDbRecord; entry: PutEventsEntry }>): Promise<FailedEntry[]> {
    const failed: FailedEntry[] = [];
    for (let start = 0; start < items.length; start += 10) {
      const chunk = items.slice(start, start + 10);
      let publisher: EventPublisher;
      try {
        publisher = this.deps.events();
      } catch (error) {
        // No EventBridge in this local cloud: an internal error, retried without counting against the record.
        throw Object.assign(new Error(`no event bus to deliver to: ${(error as Error).message}`), { name: 'PipeInternalError' });
      }
      // The pipe puts the events as its role: a refusal fails the whole PutEvents call, as in AWS.
      const refusal = this.refusalToPut(chunk.map((item) => item.entry));
      if (refusal) {
        for (const item of chunk) failed.push({ ...item, errorCode: 'AccessDeniedException', errorMessage: refusal });
        continue;
      }
      try {
        const result = await publisher.putEvents(chunk.map((item) => item.entry));
        result.Entries.forEach((outcome, index) => {
          const item = chunk[index];
          if (item && outcome.ErrorCode) failed.push({ ...item, errorCode: outcome.ErrorCode, errorMessage: outcome.ErrorMessage ?? '' });
        });
      } catch (error) {
        const code = (error as { code?: string }).code ?? (error as Error).name;
        for (const item of chunk) failed.push({ ...item, errorCode: code, errorMessage: (error as Error).message });
      }
    }
    return failed;
  }

  /**
   * Reports failed records to the pipe's dead-letter queue with the batch
   * position (the shape Lambda and Pipes use for stream sources: the records
   * themselves stay in the stream) and the failure reason.
   */
  private async deadLetter(shardId: string, failed: FailedEntry[], condition: string, attempts: number): Promise<void> {
    this.stats.failed += failed.length;
    const first = failed[0] as FailedEntry;
    const last = failed[failed.length - 1] as FailedEntry;
    const dlq = this.pipe.sourceParameters.deadLetterArn;
    const reason = `${first.errorCode}: ${first.errorMessage}`;
    if (!dlq) {
      this.deps.log(`pipes: ${this.pipe.name} dropped ${failed.length} record(s) after ${attempts} attempt(s) (${condition}; ${reason}); no dead-letter queue is configured`);
      return;
    }
    const arrival = (record: PipesDynamoDbRecord) => {
      const created = record.dynamodb.ApproximateCreationDateTime;
      return typeof created === 'number' ? new Date(created * 1000).toISOString() : undefined;
    };
    const body = JSON.stringify({
      requestContext: { requestId: randomUUID(), pipeArn: this.deps.arn, condition, approximateInvokeCount: attempts },
      responseContext: { errorCode: first.errorCode, errorMessage: first.errorMessage },
      version: '1.0',
      timestamp: new Date(this.deps.now()).toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first.record.dynamodb.SequenceNumber,
        endSequenceNumber: last.record.dynamodb.SequenceNumber,
        approximateArrivalOfFirstRecord: arrival(first.record),
        approximateArrivalOfLastRecord: arrival(last.record),
        batchSize: failed.length,
        streamArn: this.pipe.source,
      },
    });
    const attributes: Record<string, MessageAttributeValue> = {
      ERROR_CODE: { DataType: 'String', StringValue: first.errorCode },
      ERROR_MESSAGE: { DataType: 'String', StringValue: first.errorMessage.slice(0, 256) || condition },
      PIPE_ARN: { DataType: 'String', StringValue: this.deps.arn },
    };
    // The dead letter must not be lost either: retry the send like any internal error. The pipe sends it as its
    // role: a refusal is retried too (the shard waits, `lastError` names the permission) until the grant is there.
    for (let attempt = 0; ; attempt++) {
      try {
        const refusal = this.deps.authorize?.({ action: 'sqs:SendMessage', resource: dlq });
        if (refusal) throw Object.assign(new Error(refusal), { name: 'AccessDeniedException' });
        await this.deps.sqs().sendMessage(dlq, body, attributes);
        this.deps.log(`pipes: ${this.pipe.name} sent ${failed.length} failed record(s) to ${dlq} (${condition}; ${reason})`);
        return;
      } catch (error) {
        this.stats.lastError = `dead-letter queue: ${(error as Error).message}`;
        if (!this.running) throw new Stopped();
        await this.sleep(Math.min(this.deps.retryBaseDelayMs * 2 ** attempt, this.deps.retryMaxDelayMs));
      }
    }
  }
}
