/**
 * analytics-ingest: every business event on the platform bus, validated
 * against its contract, pseudonymised and written to the S3 raw zone through
 * Kinesis Data Firehose, where it is kept (then archived to Glacier) so
 * history can be replayed and queried with SQL (Athena in AWS, DuckDB
 * locally). Open this file first; the stack in `infra/` is derived from it.
 */
import { defineService } from '@kestrel/service-manifest';

/** Every business event: any source under the platform's `kestrel.` prefix. */
export const ALL_BUSINESS_EVENTS_PATTERN = { source: [{ prefix: 'kestrel.' }] } as const;

/**
 * Where the HMAC key for pseudonymisation lives (SecureString). The manifest is
 * environment-neutral and each environment has its own account, so `*` in the
 * environment segment only ever matches this account's own environment.
 */
export const PSEUDONYMISATION_KEY_PARAMETER_PATTERN = '/kestrel/*/analytics-ingest/pseudonymisation-key';

/** The exact parameter name in one environment. */
export function pseudonymisationKeyParameter(env: string): string {
  return PSEUDONYMISATION_KEY_PARAMETER_PATTERN.replace('*', env);
}

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
      // failing the invocation so Lambda's own retries and failure queue take over.
      timeoutSeconds: 60,
      access: {
        // The Firehose stream is not a manifest access kind yet: the stack grants
        // PutRecordBatch on this service's own stream only (infra/analytics-ingest.stack.ts).
        parameters: [PSEUDONYMISATION_KEY_PARAMETER_PATTERN],
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
      // Nothing may be lost: keep retrying delivery for EventBridge's maximum
      // 24 hours; what still fails lands in the rule's dead-letter queue.
      retry: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400 },
    },
  ],
});
