/**
 * EventBridge → SQS → ingest → Firehose. The `all-business-events` rule sends
 * every business event to the subscription's queue; Lambda's event source
 * mapping hands this function batches of up to 500 messages, each body one
 * EventBridge event. Events are validated and pseudonymised one by one (a bad
 * one is quarantined, never fails the batch), packed into Firehose records
 * and sent; the messages whose records Firehose still refuses after the
 * sender's retries are answered as `batchItemFailures`, so only they are
 * received again (then dead-lettered after maxReceiveCount). Idempotent in
 * effect: a retried event writes the same row again and the lake
 * deduplicates on `eventId` (`latest_events`).
 *
 * Wrapped with `withObservability`: every log line carries the batch's
 * correlation id (the flow's, when all its events belong to one flow;
 * otherwise the request id, with `correlation_ids` listing every flow), so a
 * sign-up can be followed from identity through customers into the lake.
 */
import type { SQSBatchItemFailure, SQSBatchResponse } from 'aws-lambda';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { SSMClient } from '@aws-sdk/client-ssm';
import { eventRegistry } from '@kestrel/contracts';
import { withObservability } from '@kestrel/observability';
import { FirehoseDeliveryError, FirehoseSender } from '../adapters/firehose-sender';
import type { SendReport } from '../adapters/firehose-sender';
import { metricsDocument } from '../adapters/metrics';
import { loadPseudonymisationKey } from '../adapters/pseudonymisation-key';
import { createPseudonymiser, ingestEvents, packRowGroups } from '../domain';
import type { Pseudonymise, QuarantineRow } from '../domain';

/** Where a batch reports what it could not take as it is (the invocation's structured logger in Lambda). */
export interface BatchLog {
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

/** What a batch needs: built once per execution environment in Lambda, passed in by tests. */
export interface Runtime {
  service: string;
  sender: FirehoseSender;
  pseudonymise: Pseudonymise;
}

const consoleLog: BatchLog = {
  warn: (message, extra) => console.warn(message, extra),
  error: (message, extra) => console.error(message, extra),
};

const REQUIRED_ENVIRONMENT = ['DELIVERY_STREAM_NAME', 'PSEUDONYMISATION_KEY_PARAMETER'] as const;

async function createRuntime(environment: NodeJS.ProcessEnv): Promise<Runtime> {
  const missing = REQUIRED_ENVIRONMENT.filter((name) => !environment[name]);
  if (missing.length > 0) throw new Error(`analytics-ingest is misconfigured: missing environment variable(s) ${missing.join(', ')}`);
  const key = await loadPseudonymisationKey(new SSMClient({}), environment.PSEUDONYMISATION_KEY_PARAMETER as string);
  return {
    service: environment.SERVICE_NAME ?? 'analytics-ingest',
    // Ten attempts (backoff capped at 3 s, well inside the 60 s timeout): a record is
    // reported failed, and its messages received again after the visibility timeout, only
    // when Firehose refuses it ten times running.
    sender: new FirehoseSender({ client: new FirehoseClient({}), deliveryStreamName: environment.DELIVERY_STREAM_NAME as string, maxAttempts: 10 }),
    pseudonymise: createPseudonymiser(key),
  };
}

let runtime: Promise<Runtime> | undefined;

/** Built once per execution environment; a failed start (e.g. the key not set yet) is retried by the next invocation. */
function currentRuntime(): Promise<Runtime> {
  runtime ??= createRuntime(process.env).catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}

/** One message of Lambda's SQS event: what this handler reads of it. */
export interface QueueRecord {
  messageId: string;
  body: string;
}

function queueRecords(event: unknown): QueueRecord[] {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records) || records.some((r) => typeof r?.messageId !== 'string' || typeof r?.body !== 'string')) {
    // Not a batch from the subscription's queue: a wiring mistake, not data to quarantine.
    throw new TypeError('analytics-ingest expects an SQS event (Records[] with messageId and body) from its subscription queue');
  }
  return records as QueueRecord[];
}

/** The EventBridge event a message carries; a body that is not JSON is passed on as text and quarantined as not-an-event. */
function eventOf(record: QueueRecord): unknown {
  try {
    return JSON.parse(record.body) as unknown;
  } catch {
    return record.body;
  }
}

/**
 * Lambda entry point for the subscription queue. Answers which messages to
 * receive again; throws (the whole batch returns) only when it can't start
 * (e.g. the key is not set yet) or on a bug.
 */
export const handler = withObservability(
  async (event: unknown, _context, { logger }): Promise<SQSBatchResponse> => {
    const records = queueRecords(event);
    const response = await ingestBatch(records, await currentRuntime(), logger);
    logger.info('batch ingested', { messages: records.length, returnedToQueue: response.batchItemFailures.length });
    return response;
  },
  { service: 'analytics-ingest', functionName: 'ingest' },
);

/**
 * Ingests one batch of queue messages and names the ones whose events may not
 * have reached Firehose.
 *
 * @example
 * ```ts
 * const { batchItemFailures } = await ingestBatch(event.Records, { service: 'analytics-ingest', sender, pseudonymise });
 * ```
 */
export async function ingestBatch(
  records: readonly QueueRecord[],
  { service, sender, pseudonymise }: Runtime,
  log: BatchLog = consoleLog,
): Promise<SQSBatchResponse> {
  const result = ingestEvents(records.map(eventOf), { registry: eventRegistry, pseudonymise, receivedAt: new Date() });
  for (const { row } of result.rows) {
    if (row.zone === 'quarantine') logQuarantined(log, row);
  }
  const groups = packRowGroups(result.rows.map((r) => r.line));
  const { report, failedRows } = await send(sender, groups, log);
  const batchItemFailures: SQSBatchItemFailure[] = [...new Set([...failedRows].map((row) => (records[row] as QueueRecord).messageId))].map(
    (itemIdentifier) => ({ itemIdentifier }),
  );
  const quarantined = Object.values(result.quarantined).reduce((sum, n) => sum + n, 0);
  // EMF goes to stdout unwrapped: the JSON log format would nest a console.log line under "message".
  process.stdout.write(
    `${JSON.stringify(
      metricsDocument(
        service,
        {
          BatchMessages: records.length,
          EventsAccepted: result.accepted,
          EventsQuarantined: quarantined,
          EventsReturnedToQueue: batchItemFailures.length,
          FirehoseRecords: report.records,
          FirehoseBytes: report.bytes,
          FirehoseCalls: report.calls,
          FirehoseRetriedRecords: report.retriedRecords,
        },
        Date.now(),
      ),
    )}\n`,
  );
  return { batchItemFailures };
}

/** Sends the packed records; on a delivery failure, which rows may not have arrived. */
async function send(sender: FirehoseSender, groups: ReturnType<typeof packRowGroups>, log: BatchLog): Promise<{ report: SendReport; failedRows: Set<number> }> {
  const records = groups.map((group) => group.record);
  try {
    return { report: await sender.send(records), failedRows: new Set() };
  } catch (error) {
    if (!(error instanceof FirehoseDeliveryError)) throw error;
    log.error('firehose refused records after retries; their messages return to the queue', { failedRecords: error.failedRecords, errors: error.errors, retryable: error.retryable });
    const failed = new Set<Uint8Array>(error.failed);
    const failedRows = new Set(groups.filter((group) => failed.has(group.record)).flatMap((group) => group.rows));
    const report = error.report ?? { records: records.length, bytes: 0, calls: 0, retriedRecords: 0, attempts: 0 };
    return { report, failedRows };
  }
}

function logQuarantined(log: BatchLog, row: QuarantineRow): void {
  // The reason is already redacted and the identifiers validated: safe to log.
  log.warn('event quarantined', { source: row.source, detailType: row.detailType, version: row.version, eventId: row.eventId, reason: row.reason });
}
