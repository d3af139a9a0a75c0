/**
 * One delivery stream to an S3 destination: records are processed, buffered
 * per partition (dynamic partitioning) and written as one object per buffer
 * when the buffer reaches `bufferingSizeMiB` or has waited
 * `bufferingIntervalSeconds`, named `<prefix><stream>-<version>-yyyy-MM-dd-HH-mm-ss-<uuid>[.gz]`
 * like Firehose names them. Records that fail processing go to the error
 * output prefix as Firehose's JSON error documents.
 */
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { evaluatePrefix, formatTime, planPrefixes, timeFields } from './prefix';
import type { PrefixPlan } from './prefix';
import { buildProcessor } from './processing';
import type { ProcessorConfig, RecordProcessor } from './processing';

/** Off the event loop: a 1 MiB buffer takes milliseconds to compress, and PutRecordBatch calls should not wait for it. */
const gzipAsync = promisify(gzip);

export interface S3DestinationConfig {
  bucketArn: string;
  /** The role Firehose assumes to write the bucket (`role_arn`); objects are written as it. */
  roleArn?: string;
  prefix?: string;
  errorOutputPrefix?: string;
  /** MiB; Firehose's default is 5. */
  bufferingSizeMiB: number;
  /** Seconds; Firehose's default is 300. */
  bufferingIntervalSeconds: number;
  compressionFormat: 'UNCOMPRESSED' | 'GZIP';
  fileExtension?: string;
  customTimeZone?: string;
  dynamicPartitioning: boolean;
  processingEnabled: boolean;
  processors: ProcessorConfig[];
}

export interface DeliveryStreamConfig {
  name: string;
  type: 'DirectPut' | 'KinesisStreamAsSource';
  destination: S3DestinationConfig;
  tags?: Record<string, string>;
}

/** Where objects go: the S3 module through the edge in the local cloud, a map in unit tests. */
export interface ObjectStore {
  /** `asRole`: the delivery stream's role, whose policies decide whether the write is allowed. */
  putObject(bucket: string, key: string, body: Buffer, asRole?: string): Promise<void>;
}

interface Buffered {
  records: Buffer[];
  /** Journal ids of the accepted records whose output is in this buffer (a record may feed several buffers). */
  sources: string[];
  bytes: number;
  oldestArrival: number;
  partitionKeys?: Record<string, string>;
  errorOutputType?: string;
  timer?: NodeJS.Timeout;
}

export interface SavedBuffer {
  key: string;
  /** Base64 records. */
  records: string[];
  oldestArrival: number;
  partitionKeys?: Record<string, string>;
  errorOutputType?: string;
}

export interface DeliveryStreamStats {
  buffered: number;
  delivered: number;
  failed: number;
  objectsWritten: number;
}

/** `arn:aws:s3:::bucket` → `bucket`. */
export function bucketFromArn(arn: string): string {
  const match = /^arn:aws[a-z-]*:s3:::([^/]+)$/.exec(arn);
  if (!match) throw new Error(`BucketARN '${arn}' is not an S3 bucket ARN (arn:aws:s3:::<bucket>)`);
  return match[1] as string;
}

export class DeliveryStream {
  readonly createdAt: Date;
  private plan!: PrefixPlan;
  private processor!: RecordProcessor;
  private readonly buffers = new Map<string, Buffered>();
  private readonly pending = new Set<Promise<void>>();
  /** Per accepted record id: outputs not yet in S3. */
  private readonly outstanding = new Map<string, number>();
  private stats = { delivered: 0, failed: 0, objectsWritten: 0 };

  constructor(
    public config: DeliveryStreamConfig,
    public version: number,
    private readonly deps: {
      store: ObjectStore;
      now: () => number;
      log: (message: string) => void;
      /** Accepted records (by the ids given to `put`) whose every output is now in S3. */
      delivered?: (sources: string[]) => void;
    },
    createdAt?: Date,
  ) {
    this.createdAt = createdAt ?? new Date(deps.now());
    this.configure(config);
  }

  /** Validates and applies a configuration (throws on a broken rule, leaving the old one in place). */
  configure(config: DeliveryStreamConfig): void {
    const destination = config.destination;
    bucketFromArn(destination.bucketArn);
    const plan = planPrefixes(destination.prefix, destination.errorOutputPrefix, destination.dynamicPartitioning);
    const processor = buildProcessor(destination.processingEnabled ? destination.processors : [], plan.queryKeys);
    if (plan.lambdaKeys.length) throw new Error(`!{partitionKeyFromLambda:${plan.lambdaKeys[0]}} needs a Lambda processor, which the local Firehose does not emulate`);
    if (destination.fileExtension !== undefined && destination.fileExtension !== '' && !/^\.[A-Za-z0-9._-]+$/.test(destination.fileExtension)) {
      throw new Error(`FileExtension must start with '.' and contain only letters, digits, '.', '_' or '-', got '${destination.fileExtension}'`);
    }
    if (destination.customTimeZone) timeFields(0, destination.customTimeZone);
    this.config = config;
    this.plan = plan;
    this.processor = processor;
  }

  get bucket(): string {
    return bucketFromArn(this.config.destination.bucketArn);
  }

  describeStats(): DeliveryStreamStats {
    let buffered = 0;
    for (const buffer of this.buffers.values()) buffered += buffer.records.length;
    return { buffered, ...this.stats };
  }

  /**
   * Accepts records (already validated against the API limits). `sources[i]`
   * names record i for `deps.delivered`, which hears of it once all its
   * outputs are in S3.
   */
  put(records: Buffer[], sources: readonly string[] = [], arrival = this.deps.now()): void {
    const nothingToWrite: string[] = [];
    records.forEach((record, index) => {
      const source = sources[index];
      const outputs = this.processor.process(record);
      if (source !== undefined) {
        if (outputs.length === 0) nothingToWrite.push(source);
        else this.outstanding.set(source, (this.outstanding.get(source) ?? 0) + outputs.length);
      }
      for (const processed of outputs) {
        if (processed.ok) this.append(processed.data, arrival, source, processed.partitionKeys);
        else this.appendError(processed, arrival, source);
      }
    });
    if (nothingToWrite.length) this.deps.delivered?.(nothingToWrite);
  }

  private append(data: Buffer, arrival: number, source: string | undefined, partitionKeys?: Record<string, string>): void {
    const key = partitionKeys ? JSON.stringify(Object.entries(partitionKeys).sort()) : '';
    this.addTo(`ok:${key}`, data, arrival, source, { partitionKeys });
  }

  private appendError(failure: { errorCode: string; errorMessage: string; raw: Buffer }, arrival: number, source: string | undefined): void {
    const document = JSON.stringify({
      attemptsMade: 1,
      arrivalTimestamp: arrival,
      errorCode: failure.errorCode,
      errorMessage: failure.errorMessage,
      attemptEndingTimestamp: this.deps.now(),
      rawData: failure.raw.toString('base64'),
    });
    this.stats.failed++;
    this.addTo('error:processing-failed', Buffer.from(`${document}\n`), arrival, source, { errorOutputType: 'processing-failed' });
  }

  private addTo(key: string, data: Buffer, arrival: number, source: string | undefined, extra: Pick<Buffered, 'partitionKeys' | 'errorOutputType'>): void {
    let buffer = this.buffers.get(key);
    if (!buffer) {
      buffer = { records: [], sources: [], bytes: 0, oldestArrival: arrival, ...extra };
      this.buffers.set(key, buffer);
      const interval = this.config.destination.bufferingIntervalSeconds * 1000;
      buffer.timer = setTimeout(() => this.track(this.deliver(key)), interval);
      buffer.timer.unref();
    }
    buffer.records.push(data);
    if (source !== undefined) buffer.sources.push(source);
    buffer.bytes += data.length;
    if (buffer.bytes >= this.config.destination.bufferingSizeMiB * 1024 * 1024) this.track(this.deliver(key));
  }

  private track(delivery: Promise<void>): void {
    const settled = delivery.catch((error: unknown) => this.deps.log(`firehose: delivery from ${this.config.name} failed: ${(error as Error).message}`));
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
  }

  /** Writes one buffer as an object; on failure the records go back to the front of a buffer for the next attempt. */
  private async deliver(key: string): Promise<void> {
    const buffer = this.buffers.get(key);
    if (!buffer || buffer.records.length === 0) return;
    this.buffers.delete(key);
    clearTimeout(buffer.timer);
    const destination = this.config.destination;
    const timeZone = destination.customTimeZone;
    const prefixParts = buffer.errorOutputType ? this.plan.errorPrefix : this.plan.prefix;
    const prefix = evaluatePrefix(prefixParts, {
      oldestArrival: buffer.oldestArrival,
      timeZone,
      partitionKeys: buffer.partitionKeys,
      errorOutputType: buffer.errorOutputType,
    });
    const stamp = formatTime('yyyy-MM-dd-HH-mm-ss', timeFields(buffer.oldestArrival, timeZone));
    const gzipped = destination.compressionFormat === 'GZIP';
    const extension = destination.fileExtension || (gzipped ? '.gz' : '');
    const objectKey = `${prefix}${this.config.name}-${this.version}-${stamp}-${randomUUID()}${extension}`;
    const content = Buffer.concat(buffer.records);
    try {
      await this.deps.store.putObject(this.bucket, objectKey, gzipped ? await gzipAsync(content) : content, destination.roleArn);
    } catch (error) {
      const again = this.buffers.get(key);
      if (again) {
        again.records.unshift(...buffer.records);
        again.sources.unshift(...buffer.sources);
        again.bytes += buffer.bytes;
        again.oldestArrival = Math.min(again.oldestArrival, buffer.oldestArrival);
      } else {
        const retry = setTimeout(() => this.track(this.deliver(key)), Math.min(destination.bufferingIntervalSeconds * 1000, 5_000));
        retry.unref();
        this.buffers.set(key, { ...buffer, timer: retry });
      }
      throw error;
    }
    this.stats.objectsWritten++;
    if (!buffer.errorOutputType) this.stats.delivered += buffer.records.length;
    const complete: string[] = [];
    for (const source of buffer.sources) {
      const left = (this.outstanding.get(source) ?? 1) - 1;
      if (left > 0) this.outstanding.set(source, left);
      else {
        this.outstanding.delete(source);
        complete.push(source);
      }
    }
    if (complete.length) this.deps.delivered?.(complete);
  }

  /**
   * Delivers everything buffered now and waits for deliveries under way.
   *
   * @throws the first delivery failure (the records stay buffered for a later attempt).
   */
  async flush(): Promise<void> {
    const deliveries = [...this.buffers.keys()].map((key) => this.deliver(key));
    const results = await Promise.allSettled([...deliveries, ...this.pending]);
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  /** Puts back buffers saved at shutdown by versions before the records journal (their interval starts again). */
  importBuffers(saved: SavedBuffer[]): void {
    for (const entry of saved) {
      const records = entry.records.map((record) => Buffer.from(record, 'base64'));
      const timer = setTimeout(() => this.track(this.deliver(entry.key)), this.config.destination.bufferingIntervalSeconds * 1000);
      timer.unref();
      this.buffers.set(entry.key, {
        records,
        sources: [],
        bytes: records.reduce((sum, record) => sum + record.length, 0),
        oldestArrival: entry.oldestArrival,
        partitionKeys: entry.partitionKeys,
        errorOutputType: entry.errorOutputType,
        timer,
      });
    }
  }

  /** Stops timers (buffered records are dropped; call `flush` first to keep them). */
  close(): void {
    for (const buffer of this.buffers.values()) clearTimeout(buffer.timer);
  }
}
