/**
 * analytics-ingest: every business event on the platform bus, validated
 * against its contract, pseudonymised and written to the S3 raw zone through
 * Kinesis Data Firehose, where it is kept (then archived to Glacier) so
 * history can be replayed and queried with SQL (Athena in AWS, DuckDB
 * locally). Open this file first; the stack in `infra/` is derived from it.
 */
import { defineService, resolveParameterName } from '@kestrel/service-manifest';

/** Every business event: any source under the platform's `kestrel.` prefix. */
export const ALL_BUSINESS_EVENTS_PATTERN = { source: [{ prefix: 'kestrel.' }] } as const;

/** Where the HMAC key for pseudonymisation lives (SecureString); `{env}` is the environment's name. */
export const PSEUDONYMISATION_KEY_PARAMETER_PATTERN = '/kestrel/{env}/analytics-ingest/pseudonymisation-key';

/** The exact parameter name in one environment. */
export function pseudonymisationKeyParameter(env: string): string {
  return resolveParameterName(PSEUDONYMISATION_KEY_PARAMETER_PATTERN, env);
}

/** The Firehose stream the stack creates (`kestrel-<env>-analytics-ingest-raw-events`), by its logical name. */
export const RAW_EVENTS_STREAM = 'raw-events';

/**
 * Batches, not single events: Firehose bills each record rounded up to 5 KB,
 * and one event (~0.8 KB) per invocation costs 6.3× what is sent. 500 events
 * per batch pack to ~1.04× (bench-results/ingest.json); beyond that the gain is
 * under a percent while a failed invocation returns more messages. 500 events
 * of this mix are ~1 MB of SQS event, far below Lambda's 6 MB invoke payload
 * (which Lambda enforces anyway by cutting a batch short), leaving room for
 * ~12 KB events on average. The 20 s window is small next to Firehose's own
 * buffering, so the lake is hardly later for it.
 */
export const INGEST_BATCH = { batchSize: 500, maximumBatchingWindowSeconds: 20 } as const;

/**
 * Fields of `detail.data` each subscription's handler reads (the raw zone stores each event whole and pseudonymises the contract's PII paths; no handler decision depends on a data field). The contract
 * compatibility gate says per consumer whether a change touches one of them, and lets an optional
 * field nobody reads be removed. Keep it in step with the handler; a field missing here is one
 * the gate may let a producer remove.
 */
export const fieldsRead = { 'all-business-events': [] } satisfies Record<string, readonly string[]>;

export default defineService({
  name: 'analytics-ingest',
  description:
    'Keeps every business event forever in the S3 raw zone: validated against its contract, PII pseudonymised with a keyed HMAC, partitioned for SQL.',
  owner: { team: 'data-platform' },
  functions: {
    ingest: {
      description:
        'Validates each business event, pseudonymises its PII fields, quarantines what fails, and puts it on the raw-events Firehose stream.',
      handler: 'src/handlers/on-business-event.ts',
      triggers: [{ kind: 'event', subscription: 'all-business-events' }],
      memoryMb: 512,
      // Room for the bounded Firehose retries (backoff up to a few seconds) before
      // reporting what is still refused, so only those messages are received again.
      timeoutSeconds: 60,
      access: {
        parameters: [PSEUDONYMISATION_KEY_PARAMETER_PATTERN],
        deliveryStreams: [RAW_EVENTS_STREAM],
      },
    },
  },
  tables: {},
  publishes: [],
  consumes: [
    {
      name: 'all-business-events',
      description: 'Every event any bounded context publishes on the platform bus, whatever its type or version.',
      // No contract list: analytics accepts every version of every event (unknown
      // ones are quarantined, not refused), so it never holds a retirement back.
      events: [],
      pattern: ALL_BUSINESS_EVENTS_PATTERN,
      wide: {
        reason:
          'The raw zone keeps every business event, including types and versions added after this service was deployed; a new context is captured without editing this manifest.',
      },
      target: 'ingest',
      // Nothing may be lost: keep retrying delivery to the queue for EventBridge's
      // maximum 24 hours; what still fails lands in the rule's dead-letter queue.
      retry: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400 },
      // A message whose events Firehose keeps refusing is retried every visibility
      // timeout (6 × 60 s + 20 s) ten times, about an hour, then waits 14 days in
      // the queue's dead-letter queue for a redrive (README runbook).
      // At most 5 ingest invocations at once (~2,500 events/s at 500 per batch): a burst
      // queues instead of taking the account's concurrency from the request path, and is
      // never throttled back into the queue, where each throttle would count as a receive.
      delivery: { kind: 'queue', ...INGEST_BATCH, maxReceiveCount: 10, maximumConcurrency: 5 },
    },
  ],
  operatorSecrets: [
    {
      parameter: PSEUDONYMISATION_KEY_PARAMETER_PATTERN,
      description: 'HMAC key of the lake pseudonyms (README runbook: base64 of 32 random bytes; never rotated without re-keying the lake)',
    },
  ],
});
