import { isRecord } from './event-data';
import { parseTraceparent, traceFromDatadogHeaders, type TraceContext } from './trace-context';

/** The kinds of Lambda trigger the wrappers understand. */
export type TriggerKind = 'http' | 'eventbridge' | 'cognito' | 'dynamodb-stream' | 'sqs' | 'unknown';

/** Where an invocation sits in a business flow, read from its trigger event. */
export interface FlowContext {
  readonly trigger: TriggerKind;
  /** Shared by every request and event of one business flow. */
  readonly correlationId: string;
  /** Id of what this invocation handles (the request id or the event's `eventId`): the causation id of anything it publishes. */
  readonly causeId: string;
  /** The caller's span, when it sent one. */
  readonly parent?: TraceContext;
  /** For EventBridge events: `source`, `detail-type` and contract version. */
  readonly event?: { readonly source: string; readonly detailType: string; readonly version?: number; readonly occurredAt?: string };
  /** For batches (streams, SQS): every distinct correlation id found in the records. */
  readonly correlationIds?: readonly string[];
}

/**
 * Ids the system itself carries (API Gateway request ids such as `cXtq9gAAoAMEV4A=`,
 * event ids, correlation ids already admitted): short printable tokens, never an
 * `@`, so an email address is not an id anywhere.
 */
const SYSTEM_ID = /^[A-Za-z0-9._:/+=-]{1,128}$/;

/**
 * What a client may send as a correlation id (the `x-correlation-id` header,
 * Cognito ClientMetadata): an opaque identifier — letters, digits and `. _ : -`,
 * starting with a letter or digit, at most 128 characters, with at least one
 * letter and one digit (a UUID, a ULID, `web-7f1d`). That refuses emails,
 * phone numbers, names and free text, which would otherwise bypass
 * pseudonymisation into logs and the lake. Anything else is replaced by the
 * request id, and never logged or stored as given.
 */
const CLIENT_CORRELATION_ID = /^(?=[^]*[A-Za-z])(?=[^]*\d)[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * True when a client-sent correlation id is an opaque identifier (see above).
 *
 * @example
 * ```ts
 * isOpaqueCorrelationId('web-7f1d'); // true
 * isOpaqueCorrelationId('grace@example.com'); // false
 * ```
 */
export function isOpaqueCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_CORRELATION_ID.test(value);
}

function clientId(value: unknown): string | undefined {
  return isOpaqueCorrelationId(value) ? value : undefined;
}

function validId(value: unknown): string | undefined {
  return typeof value === 'string' && SYSTEM_ID.test(value) ? value : undefined;
}

function get(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/**
 * Which trigger sent `event`, from its shape: an HTTP API payload (`requestContext.http`), an
 * EventBridge event (`source` + `detail-type` + `detail`), a Cognito trigger (`triggerSource` +
 * `userPoolId`), or a batch of DynamoDB stream or SQS records.
 */
export function detectTrigger(event: unknown): TriggerKind {
  if (!isRecord(event)) return 'unknown';
  if (isRecord(get(event, 'requestContext', 'http'))) return 'http';
  if (typeof event['detail-type'] === 'string' && typeof event.source === 'string' && 'detail' in event) return 'eventbridge';
  if (typeof event.triggerSource === 'string' && typeof event.userPoolId === 'string') return 'cognito';
  if (Array.isArray(event.Records)) {
    const source = get(event.Records[0], 'eventSource');
    if (source === 'aws:dynamodb') return 'dynamodb-stream';
    if (source === 'aws:sqs') return 'sqs';
  }
  return 'unknown';
}

/** A `detail.metadata` (or whole detail) carried by an EventBridge event, an outbox item or a queued event. */
function metadataOf(detail: unknown): { correlationId?: string; eventId?: string; parent?: TraceContext } {
  const metadata = get(detail, 'metadata');
  // dd-trace injects its own context under detail._datadog; use it only when our metadata has
  // none: its traceparent, else its Datadog headers (dd-trace configured for the datadog style only).
  const datadog = get(detail, '_datadog');
  return {
    correlationId: validId(get(metadata, 'correlationId')),
    eventId: validId(get(metadata, 'eventId')),
    parent: parseTraceparent(get(metadata, 'traceparent')) ?? parseTraceparent(get(datadog, 'traceparent')) ?? traceFromDatadogHeaders(datadog),
  };
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The event detail a batch record carries: an outbox item's `detail` attribute, or a queued EventBridge event's body. */
function recordDetail(record: unknown, trigger: TriggerKind): unknown {
  if (trigger === 'dynamodb-stream') return parseJson(get(record, 'dynamodb', 'NewImage', 'detail', 'S'));
  return get(parseJson(get(record, 'body')), 'detail');
}

function headerOf(event: unknown, name: string): string | undefined {
  const headers = get(event, 'headers');
  if (!isRecord(headers)) return undefined;
  // HTTP API payload 2.0 lower-cases header names; be lenient with hand-built test events.
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name && typeof value === 'string') return value;
  return undefined;
}

/**
 * {@link flowContextOf} of an HTTP API request (payload 2.0), without detecting the trigger: the
 * client's `x-correlation-id` when it is an opaque id, else the API's request id (else
 * `requestId`); the caller's span from `traceparent`. Functions behind an HTTP route only read
 * this, so their bundles leave out the other triggers' readers.
 *
 * @example
 * ```ts
 * const flow = httpFlowContextOf(event, context.awsRequestId); // { trigger: 'http', correlationId, causeId, parent }
 * ```
 */
export function httpFlowContextOf(event: unknown, requestId: string): FlowContext {
  const requestIdOfApi = validId(get(event, 'requestContext', 'requestId')) ?? requestId;
  return {
    trigger: 'http',
    correlationId: clientId(headerOf(event, 'x-correlation-id')) ?? requestIdOfApi,
    causeId: requestIdOfApi,
    parent: parseTraceparent(headerOf(event, 'traceparent')),
  };
}

/**
 * Reads the correlation id, the id of what is being handled and the caller's trace context from a
 * trigger event. Where the event carries none (a Cognito trigger, a request without
 * `x-correlation-id`) the invocation starts a new flow named after `requestId`.
 *
 * @example
 * ```ts
 * const flow = flowContextOf(event, context.awsRequestId);
 * logger.setCorrelationId(flow.correlationId);
 * ```
 */
export function flowContextOf(event: unknown, requestId: string): FlowContext {
  const trigger = detectTrigger(event);
  switch (trigger) {
    case 'http':
      return httpFlowContextOf(event, requestId);
    case 'eventbridge': {
      const detail = get(event, 'detail');
      const metadata = metadataOf(detail);
      const envelopeId = validId(get(event, 'id')) ?? requestId;
      const version = get(detail, 'metadata', 'version');
      const occurredAt = get(detail, 'metadata', 'occurredAt');
      return {
        trigger,
        correlationId: metadata.correlationId ?? envelopeId,
        causeId: metadata.eventId ?? envelopeId,
        ...(metadata.parent ? { parent: metadata.parent } : {}),
        event: {
          source: String(get(event, 'source')),
          detailType: String(get(event, 'detail-type')),
          ...(typeof version === 'number' ? { version } : {}),
          ...(typeof occurredAt === 'string' ? { occurredAt } : {}),
        },
      };
    }
    case 'cognito':
      // Cognito passes no correlation id; a client may send one in ClientMetadata.
      return {
        trigger,
        correlationId: clientId(get(event, 'request', 'clientMetadata', 'correlationId')) ?? requestId,
        causeId: requestId,
      };
    case 'dynamodb-stream':
    case 'sqs': {
      const records = (get(event, 'Records') as unknown[]).map((record) => metadataOf(recordDetail(record, trigger)));
      const correlationIds = [...new Set(records.flatMap((r) => (r.correlationId ? [r.correlationId] : [])))];
      const parents = [...new Map(records.flatMap((r) => (r.parent ? [[`${r.parent.traceId}-${r.parent.spanId}`, r.parent] as const] : []))).values()];
      return {
        trigger,
        // One flow in the batch: continue it; several: the batch is its own flow and logs list them all.
        correlationId: correlationIds.length === 1 ? (correlationIds[0] as string) : requestId,
        causeId: requestId,
        ...(parents.length === 1 ? { parent: parents[0] } : {}),
        correlationIds,
      };
    }
    default:
      return { trigger, correlationId: requestId, causeId: requestId };
  }
}
