/**
 * Puts records on a Firehose delivery stream with PutRecordBatch, retrying
 * only what failed. A PutRecordBatch call succeeds as a whole even when some
 * of its records were refused (`FailedPutCount` > 0, an `ErrorCode` on each
 * refused record's response), so resending the whole batch would duplicate
 * the rest; we resend just the refused records, with exponential backoff and
 * full jitter, a bounded number of times, then throw so that the invocation
 * fails and Lambda's retries and failure queue take over: nothing is lost.
 */
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import type { FirehoseClient, PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import { FIREHOSE_LIMITS, planPutBatches } from '../domain/packing';
import type { FirehoseLimits } from '../domain/packing';

/** Errors worth another try: Firehose throttling and transient service or network trouble. */
const RETRYABLE_ERRORS = new Set([
  'ServiceUnavailableException',
  'ThrottlingException',
  'LimitExceededException',
  'InternalFailure',
  'InternalServerError',
  'RequestTimeout',
  'TimeoutError',
]);

export interface FirehoseSenderOptions {
  client: Pick<FirehoseClient, 'send'>;
  deliveryStreamName: string;
  /** Attempts per record, the first included (default 6). */
  maxAttempts?: number;
  /** Backoff before the second attempt's ceiling (default 100 ms); doubles per attempt. */
  baseDelayMs?: number;
  /** Ceiling of any one backoff (default 3 s). */
  maxDelayMs?: number;
  sleep?: (milliseconds: number) => Promise<void>;
  /** [0, 1), for jitter. */
  random?: () => number;
  limits?: FirehoseLimits;
}

/** What one `send` did, for metrics and benchmarks. */
export interface SendReport {
  records: number;
  bytes: number;
  /** PutRecordBatch calls made, retries included. */
  calls: number;
  /** Records sent more than once. */
  retriedRecords: number;
  attempts: number;
}

/** Some records were still refused after every attempt, or Firehose refused the request outright. */
export class FirehoseDeliveryError extends Error {
  override readonly name = 'FirehoseDeliveryError';

  constructor(
    message: string,
    readonly failedRecords: number,
    /** Error code -> records (or calls) that failed with it on the last attempt. */
    readonly errors: Record<string, number>,
    readonly retryable: boolean,
    /** The records (the very objects passed to `send`) that may not have been delivered; the rest were. */
    readonly failed: readonly Uint8Array[] = [],
    /** What the send did before it gave up. */
    readonly report?: SendReport,
  ) {
    super(message);
  }
}

function errorName(error: unknown): string {
  if (error && typeof error === 'object') {
    const named = error as { name?: unknown; code?: unknown };
    if (typeof named.name === 'string' && named.name !== 'Error') return named.name;
    if (typeof named.code === 'string') return named.code;
  }
  return 'UnknownError';
}

function isRetryable(error: unknown): boolean {
  if (RETRYABLE_ERRORS.has(errorName(error))) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  // No HTTP answer at all: a socket-level failure (ECONNRESET, ETIMEDOUT…) is transient; a bug (TypeError) is not.
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

const defaultSleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/**
 * A sender bound to one delivery stream.
 *
 * @example
 * ```ts
 * const sender = new FirehoseSender({ client: new FirehoseClient({}), deliveryStreamName: 'kestrel-staging-analytics-ingest-raw-events' });
 * const report = await sender.send(packRows(lines)); // throws FirehoseDeliveryError if records still fail after 6 attempts
 * ```
 */
export class FirehoseSender {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (milliseconds: number) => Promise<void>;
  private readonly random: () => number;
  private readonly limits: FirehoseLimits;

  constructor(private readonly options: FirehoseSenderOptions) {
    this.maxAttempts = options.maxAttempts ?? 6;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) throw new RangeError(`maxAttempts must be a positive integer, got ${options.maxAttempts}`);
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 3_000;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.limits = options.limits ?? FIREHOSE_LIMITS;
  }

  /** Full jitter: a uniform wait below an exponentially growing ceiling, so retrying senders spread out. */
  backoffMs(attempt: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.random() * ceiling);
  }

  /**
   * Delivers every record or throws {@link FirehoseDeliveryError}.
   * Records already accepted before a throw stay delivered; the lake
   * deduplicates on `eventId`, so the invocation's retry is harmless.
   */
  async send(records: readonly Uint8Array[]): Promise<SendReport> {
    const report: SendReport = { records: records.length, bytes: records.reduce((sum, r) => sum + r.byteLength, 0), calls: 0, retriedRecords: 0, attempts: 0 };
    let pending: readonly Uint8Array[] = records;
    let errors: Record<string, number> = {};

    for (let attempt = 1; pending.length > 0; attempt++) {
      report.attempts = attempt;
      if (attempt > 1) {
        report.retriedRecords += pending.length;
        await this.sleep(this.backoffMs(attempt - 1));
      }
      errors = {};
      const failed: Uint8Array[] = [];
      for (const batch of planPutBatches(pending, this.limits)) {
        report.calls++;
        let output: PutRecordBatchCommandOutput;
        try {
          output = await this.options.client.send(
            new PutRecordBatchCommand({ DeliveryStreamName: this.options.deliveryStreamName, Records: batch.map((Data) => ({ Data })) }),
          );
        } catch (error) {
          const code = errorName(error);
          if (!isRetryable(error)) {
            throw new FirehoseDeliveryError(
              `Firehose refused PutRecordBatch on ${this.options.deliveryStreamName}: ${code}: ${(error as Error).message}`,
              pending.length,
              { [code]: batch.length },
              false,
              // Earlier calls of this attempt may have gone through; resending them is harmless (the lake deduplicates).
              pending,
              report,
            );
          }
          errors[code] = (errors[code] ?? 0) + batch.length;
          failed.push(...batch);
          continue;
        }
        failed.push(...this.refused(batch, output, errors));
      }
      pending = failed;
      if (pending.length > 0 && attempt === this.maxAttempts) {
        const summary = Object.entries(errors).map(([code, count]) => `${code} x${count}`).join(', ');
        throw new FirehoseDeliveryError(
          `${pending.length} of ${records.length} records were still refused by ${this.options.deliveryStreamName} after ${attempt} attempts (${summary})`,
          pending.length,
          errors,
          true,
          pending,
          report,
        );
      }
    }
    return report;
  }

  /** The records of a batch that Firehose refused, counting their error codes. */
  private refused(batch: Uint8Array[], output: PutRecordBatchCommandOutput, errors: Record<string, number>): Uint8Array[] {
    if (!output.FailedPutCount) return [];
    const responses = output.RequestResponses ?? [];
    if (responses.length !== batch.length) {
      // Can't tell which ones failed: resend all; duplicates are deduplicated, losses are not recoverable.
      errors.UnattributedFailure = (errors.UnattributedFailure ?? 0) + batch.length;
      return batch;
    }
    const refused: Uint8Array[] = [];
    responses.forEach((response, index) => {
      if (!response.ErrorCode) return;
      errors[response.ErrorCode] = (errors[response.ErrorCode] ?? 0) + 1;
      refused.push(batch[index] as Uint8Array);
    });
    return refused;
  }
}
