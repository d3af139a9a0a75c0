/**
 * The local Firehose: delivery streams by name, the PutRecord/PutRecordBatch
 * limits and per-record failure reporting of the real API, fault injection
 * for proving client retries, and persistence of stream definitions.
 *
 * Accepted records are journaled (`records.journal` next to `streams.json`)
 * before PutRecord(Batch) answers and retired once every output of the
 * record is in S3, so a `kill -9` with records still buffered loses none:
 * the next start buffers them again (a crash between the S3 write and the
 * journal's "done" delivers them twice: at-least-once, as Firehose).
 */
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { readFileIfExists, writeFileAtomically } from '../../core/files';
import { Journal } from '../../core/journal';
import { AwsServiceError } from '../../core/types';
import type { FirehoseRecordSink } from '../../core/types';
import { DeliveryStream } from './delivery-stream';
import type { DeliveryStreamConfig, DeliveryStreamStats, ObjectStore, SavedBuffer } from './delivery-stream';
import { PrefixError } from './prefix';
import { ProcessingConfigError } from './processing';

/** PutRecordBatch limits (API reference, PutRecordBatch): 500 records, 1,000 KiB per record, 4 MiB per call. */
export const MAX_BATCH_RECORDS = 500;
export const MAX_RECORD_BYTES = 1_024_000;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface FaultInjection {
  /** Fraction (0–1) of records that fail. */
  failureRate: number;
  /** Default `ServiceUnavailableException` with message `Slow down.`, as Firehose reports throttled records. */
  errorCode?: string;
  errorMessage?: string;
}

export interface FirehoseServiceOptions {
  accountId: string;
  region: string;
  store: ObjectStore;
  /** Persist stream definitions here (JSON file); in memory when absent. */
  statePath?: string;
  now?: () => number;
  /** Random source for fault injection (tests pass a seeded one). */
  random?: () => number;
  faults?: FaultInjection;
  log?: (message: string) => void;
}

export interface DeliveryStreamSummary extends DeliveryStreamStats {
  name: string;
  arn: string;
  bucket: string;
  prefix: string;
  version: number;
}

export interface PutRecordBatchResult {
  FailedPutCount: number;
  Encrypted: boolean;
  RequestResponses: Array<{ RecordId?: string; ErrorCode?: string; ErrorMessage?: string }>;
}

interface PersistedStream {
  config: DeliveryStreamConfig;
  version: number;
  createdAt: string;
  /** Written by versions before the journal: records that could not be delivered at shutdown (read, never written now). */
  buffers?: SavedBuffer[];
}

/** An accepted record as the journal keeps it until it is in S3. */
interface JournaledRecord {
  stream: string;
  /** Base64. */
  data: string;
  arrival: number;
}

function recordId(): string {
  // Firehose record ids are opaque base64-like strings of this length.
  return randomBytes(84).toString('base64').replace(/[+/=]/g, '').slice(0, 112);
}

/** Turns configuration problems into the error Firehose gives for them. */
function asInvalidArgument(error: unknown): never {
  if (error instanceof AwsServiceError) throw error;
  if (error instanceof PrefixError || error instanceof ProcessingConfigError || error instanceof Error) {
    throw new AwsServiceError('InvalidArgumentException', error.message);
  }
  throw error;
}

export class FirehoseService implements FirehoseRecordSink {
  private readonly streams = new Map<string, DeliveryStream>();
  private faults: Required<FaultInjection> | undefined;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly log: (message: string) => void;
  private readonly journal: Journal<JournaledRecord>;

  constructor(private readonly options: FirehoseServiceOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.log = options.log ?? (() => undefined);
    if (options.faults) this.setFaults(options.faults);
    this.journal = Journal.open(options.statePath ? join(dirname(options.statePath), 'records.journal') : undefined, {
      label: 'firehose records',
      log: (message) => this.log(message),
    });
    this.load();
    this.recoverJournaledRecords();
  }

  private streamDependencies() {
    return { store: this.options.store, now: this.now, log: this.log, delivered: (sources: string[]) => this.journal.doneAll(sources) };
  }

  /** Buffers again the records accepted before the last stop or crash and not yet in S3. */
  private recoverJournaledRecords(): void {
    for (const [id, record] of this.journal.recovered) {
      const stream = this.streams.get(record.stream);
      if (!stream) {
        this.log(`firehose: a recovered record of ${record.stream} waits in records.journal: that stream does not exist (it is buffered at a later start once it does)`);
        continue;
      }
      stream.put([Buffer.from(record.data, 'base64')], [id], record.arrival);
    }
  }

  /** Resolves once every accepted record is on disk: PutRecord(Batch) answers after it. */
  durable(): Promise<void> {
    return this.journal.durable();
  }

  /** Journals the accepted records, then buffers them. */
  private accept(name: string, stream: DeliveryStream, records: Buffer[], ids: string[]): void {
    const arrival = this.now();
    this.journal.putAll(records.map((record, index) => [ids[index] as string, { stream: name, data: record.toString('base64'), arrival }]));
    stream.put(records, ids, arrival);
  }

  arnOf(name: string): string {
    return `arn:aws:firehose:${this.options.region}:${this.options.accountId}:deliverystream/${name}`;
  }

  /**
   * Makes a fraction of records fail (per record in PutRecordBatch, the whole
   * call in PutRecord); `undefined` or a rate of 0 turns it off.
   */
  setFaults(faults: FaultInjection | undefined): void {
    if (!faults || faults.failureRate <= 0) {
      this.faults = undefined;
      return;
    }
    if (!(faults.failureRate <= 1)) throw new AwsServiceError('InvalidArgumentException', `failureRate must be between 0 and 1, got ${faults.failureRate}`);
    this.faults = {
      failureRate: faults.failureRate,
      errorCode: faults.errorCode ?? 'ServiceUnavailableException',
      errorMessage: faults.errorMessage ?? 'Slow down.',
    };
  }

  private injectedFailure(): { ErrorCode: string; ErrorMessage: string } | undefined {
    if (this.faults && this.random() < this.faults.failureRate) return { ErrorCode: this.faults.errorCode, ErrorMessage: this.faults.errorMessage };
    return undefined;
  }

  private get(name: string): DeliveryStream {
    const stream = this.streams.get(name);
    if (!stream) throw new AwsServiceError('ResourceNotFoundException', `Firehose ${name} under account ${this.options.accountId} not found.`);
    return stream;
  }

  has(name: string): boolean {
    return this.streams.has(name);
  }

  /** Creates a stream; `ResourceInUseException` if the name is taken. */
  create(config: DeliveryStreamConfig): string {
    if (!/^[a-zA-Z0-9_.-]{1,64}$/.test(config.name)) {
      throw new AwsServiceError('ValidationException', `1 validation error detected: Value '${config.name}' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+`);
    }
    if (this.streams.has(config.name)) throw new AwsServiceError('ResourceInUseException', `Firehose ${config.name} under accountId ${this.options.accountId} already exists`);
    let stream: DeliveryStream;
    try {
      stream = new DeliveryStream(config, 1, this.streamDependencies());
    } catch (error) {
      asInvalidArgument(error);
    }
    this.streams.set(config.name, stream);
    this.save();
    return this.arnOf(config.name);
  }

  /** Creates or reconfigures (the version goes up on each change, as UpdateDestination does). */
  upsert(config: DeliveryStreamConfig): { arn: string; version: number } {
    const existing = this.streams.get(config.name);
    if (!existing) {
      this.create(config);
      return { arn: this.arnOf(config.name), version: 1 };
    }
    if (JSON.stringify(existing.config) !== JSON.stringify(config)) {
      try {
        existing.configure(config);
      } catch (error) {
        asInvalidArgument(error);
      }
      existing.version++;
      this.save();
    }
    return { arn: this.arnOf(config.name), version: existing.version };
  }

  async delete(name: string): Promise<void> {
    const stream = this.get(name);
    // Locally, buffered records are delivered before the stream goes, so a test never loses data silently.
    await stream.flush().catch((error: unknown) => this.log(`firehose: could not deliver ${name}'s buffer before deleting it: ${(error as Error).message}`));
    stream.close();
    this.streams.delete(name);
    this.save();
  }

  describe(name: string): { stream: DeliveryStream; arn: string } {
    return { stream: this.get(name), arn: this.arnOf(name) };
  }

  names(): string[] {
    return [...this.streams.keys()].sort();
  }

  /**
   * PutRecordBatch with the API's limits and per-record results.
   *
   * @throws AwsServiceError `ValidationException` (count, record size), `InvalidArgumentException` (4 MiB), `ResourceNotFoundException`.
   */
  putRecords(name: string, records: Uint8Array[]): PutRecordBatchResult {
    const stream = this.get(name);
    validateBatch(records);
    const accepted: Buffer[] = [];
    const ids: string[] = [];
    const responses = records.map((record) => {
      const failure = this.injectedFailure();
      if (failure) return failure;
      const id = recordId();
      accepted.push(Buffer.from(record));
      ids.push(id);
      return { RecordId: id };
    });
    this.accept(name, stream, accepted, ids);
    return { FailedPutCount: records.length - accepted.length, Encrypted: false, RequestResponses: responses };
  }

  /** PutRecord: one record; an injected fault fails the whole call, as a throttled PutRecord does. */
  putRecord(name: string, record: Uint8Array): { RecordId: string; Encrypted: boolean } {
    const stream = this.get(name);
    if (record.length > MAX_RECORD_BYTES) {
      throw new AwsServiceError(
        'ValidationException',
        `1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=${record.length} cap=${record.length}]' at 'record.data' failed to satisfy constraint: Member must have length less than or equal to ${MAX_RECORD_BYTES}`,
      );
    }
    const failure = this.injectedFailure();
    if (failure) throw new AwsServiceError(failure.ErrorCode, failure.ErrorMessage, failure.ErrorCode === 'ServiceUnavailableException' ? 503 : 400);
    const id = recordId();
    this.accept(name, stream, [Buffer.from(record)], [id]);
    return { RecordId: id, Encrypted: false };
  }

  /** `FirehoseRecordSink` for other modules (EventBridge targets, Pipes). */
  async putRecordBatch(deliveryStreamName: string, records: Uint8Array[]): Promise<PutRecordBatchResult> {
    const result = this.putRecords(deliveryStreamName, records);
    await this.durable();
    return result;
  }

  /** Delivers everything buffered (one stream, or all). */
  async flush(name?: string): Promise<void> {
    const targets = name ? [this.get(name)] : [...this.streams.values()];
    const results = await Promise.allSettled(targets.map((stream) => stream.flush()));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  summaries(): DeliveryStreamSummary[] {
    return [...this.streams.values()].map((stream) => ({
      name: stream.config.name,
      arn: this.arnOf(stream.config.name),
      bucket: stream.bucket,
      prefix: stream.config.destination.prefix ?? '',
      version: stream.version,
      ...stream.describeStats(),
    }));
  }

  /** Flushes every buffer and stops timers; what could not be delivered stays in the journal for the next start. */
  async stop(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      const left = this.summaries().reduce((sum, stream) => sum + stream.buffered, 0);
      this.log(
        this.options.statePath
          ? `firehose: could not deliver ${left} buffered record(s) at shutdown (${(error as Error).message}); they stay in records.journal and are delivered after the next start`
          : `firehose: could not deliver ${left} buffered record(s) at shutdown (${(error as Error).message}); in-memory mode, they are lost`,
      );
    } finally {
      for (const stream of this.streams.values()) stream.close();
      this.save();
      await this.journal.close();
    }
  }

  private load(): void {
    if (!this.options.statePath) return;
    const text = readFileIfExists(this.options.statePath);
    if (text === undefined) return;
    let saved: { streams: PersistedStream[] };
    try {
      saved = JSON.parse(text) as { streams: PersistedStream[] };
    } catch (error) {
      throw new Error(
        `${this.options.statePath} is not valid JSON (${(error as Error).message}); it is written atomically, so this is not a torn write: fix it by hand, or restore it from a backup (moved away, the streams come back when their stacks are applied, and the records in records.journal are delivered at the start after that)`,
      );
    }
    for (const entry of saved.streams) {
      const stream = new DeliveryStream(entry.config, entry.version, this.streamDependencies(), new Date(entry.createdAt));
      if (entry.buffers?.length) stream.importBuffers(entry.buffers);
      this.streams.set(entry.config.name, stream);
    }
  }

  /** Writes stream definitions (buffered records are in the journal). */
  private save(): void {
    if (!this.options.statePath) return;
    const document = {
      streams: [...this.streams.values()].map(
        (stream): PersistedStream => ({
          config: stream.config,
          version: stream.version,
          createdAt: stream.createdAt.toISOString(),
        }),
      ),
    };
    writeFileAtomically(this.options.statePath, JSON.stringify(document, null, 2));
  }
}

/**
 * The PutRecordBatch request limits, with the error each breach gets from Firehose.
 *
 * @example
 * validateBatch(new Array(501).fill(new Uint8Array(1))) // throws ValidationException (… less than or equal to 500)
 */
export function validateBatch(records: Uint8Array[]): void {
  if (records.length === 0) {
    throw new AwsServiceError('ValidationException', "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1");
  }
  if (records.length > MAX_BATCH_RECORDS) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '[${records.length} records]' at 'records' failed to satisfy constraint: Member must have length less than or equal to ${MAX_BATCH_RECORDS}`,
    );
  }
  const oversized = records.flatMap((record, index) =>
    record.length > MAX_RECORD_BYTES
      ? [`Value 'java.nio.HeapByteBuffer[pos=0 lim=${record.length} cap=${record.length}]' at 'records.${index + 1}.member.data' failed to satisfy constraint: Member must have length less than or equal to ${MAX_RECORD_BYTES}`]
      : [],
  );
  if (oversized.length) {
    throw new AwsServiceError('ValidationException', `${oversized.length} validation error${oversized.length > 1 ? 's' : ''} detected: ${oversized.join('; ')}`);
  }
  const total = records.reduce((sum, record) => sum + record.length, 0);
  if (total > MAX_BATCH_BYTES) throw new AwsServiceError('InvalidArgumentException', 'Records size exceeds 4 MB limit');
}
