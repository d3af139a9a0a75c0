import { randomBytes } from 'node:crypto';

/** A parsed W3C Trace Context `traceparent` (version 00). */
export interface TraceContext {
  /** 32 lower-case hex characters, shared by every span of one trace. */
  readonly traceId: string;
  /** 16 lower-case hex characters: the span that sent this context. */
  readonly spanId: string;
  /** Whether the caller sampled the trace (flag bit 0). */
  readonly sampled: boolean;
}

/**
 * The W3C `traceparent` format (version-traceid-spanid-flags, lower-case hex). The contracts'
 * envelope validates with the same expression (`TRACEPARENT_PATTERN`, equality checked by a unit
 * test); it is repeated here so handlers that only log and trace don't load the contracts' zod schemas.
 */
export const TRACEPARENT_FORMAT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

/**
 * Parses a `traceparent` header or metadata field. Returns undefined for anything the
 * W3C spec says to ignore (wrong shape, version `ff`, all-zero ids), so a bad value
 * starts a new trace instead of failing the request.
 *
 * @example
 * ```ts
 * parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
 * // { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true }
 * ```
 */
export function parseTraceparent(value: unknown): TraceContext | undefined {
  if (typeof value !== 'string') return undefined;
  const candidate = value.trim().toLowerCase();
  if (!TRACEPARENT_FORMAT.test(candidate)) return undefined;
  const [version, traceId, spanId, flags] = candidate.split('-') as [string, string, string, string];
  if (version === 'ff' || traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** Serialises a context as a version-00 `traceparent`. */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled ? '01' : '00'}`;
}

function randomHex(bytes: number, invalid: string): string {
  let hex = randomBytes(bytes).toString('hex');
  // All-zero ids are invalid in W3C; astronomically unlikely, but cheap to rule out.
  while (hex === invalid) hex = randomBytes(bytes).toString('hex');
  return hex;
}

/**
 * The span of this invocation: continues `parent`'s trace with a new span id, or starts a new
 * sampled trace when there is no (valid) parent.
 *
 * @example
 * ```ts
 * const span = continueTrace(parseTraceparent(event.detail.metadata.traceparent));
 * buildPutEventsEntry(Contract, data, { ...ids, traceparent: formatTraceparent(span) }, options);
 * ```
 */
export function continueTrace(parent: TraceContext | undefined): TraceContext {
  return {
    traceId: parent?.traceId ?? randomHex(16, INVALID_TRACE_ID),
    spanId: randomHex(8, INVALID_SPAN_ID),
    sampled: parent?.sampled ?? true,
  };
}

/**
 * Datadog's 64-bit decimal trace id for a W3C trace id (its lower 64 bits), which is what
 * Datadog log pipelines read from `dd.trace_id` to link a log line to its trace.
 */
export function datadogTraceId(traceId: string): string {
  return BigInt(`0x${traceId.slice(-16)}`).toString(10);
}

/** Datadog's decimal span id for a W3C span id. */
export function datadogSpanId(spanId: string): string {
  return BigInt(`0x${spanId}`).toString(10);
}

const DECIMAL_ID = /^[0-9]{1,20}$/;
const MAX_64_BITS = (1n << 64n) - 1n;

function hex64(decimal: unknown): string | undefined {
  if (typeof decimal !== 'string' || !DECIMAL_ID.test(decimal)) return undefined;
  const value = BigInt(decimal);
  return value > 0n && value <= MAX_64_BITS ? value.toString(16).padStart(16, '0') : undefined;
}

/**
 * The trace context in Datadog propagation headers (`x-datadog-trace-id`, `x-datadog-parent-id`,
 * `x-datadog-sampling-priority`, the upper half of a 128-bit id in `x-datadog-tags` as
 * `_dd.p.tid`), as dd-trace injects them into `detail._datadog` when a producer without our
 * metadata publishes. The inverse of {@link datadogTraceId}/{@link datadogSpanId}.
 *
 * @example
 * ```ts
 * traceFromDatadogHeaders({ 'x-datadog-trace-id': '11803532876627986230', 'x-datadog-parent-id': '67667974448284343',
 *   'x-datadog-tags': '_dd.p.tid=4bf92f3577b34da6' });
 * // { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true }
 * ```
 */
export function traceFromDatadogHeaders(headers: unknown): TraceContext | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const h = headers as Record<string, unknown>;
  const low = hex64(h['x-datadog-trace-id']);
  const spanId = hex64(h['x-datadog-parent-id']);
  if (!low || !spanId) return undefined;
  const tags = typeof h['x-datadog-tags'] === 'string' ? h['x-datadog-tags'] : '';
  const high = /(?:^|,)_dd\.p\.tid=([0-9a-f]{16})(?:,|$)/.exec(tags)?.[1] ?? '0'.repeat(16);
  const priority = Number(h['x-datadog-sampling-priority'] ?? 1);
  return { traceId: `${high}${low}`, spanId, sampled: !(priority <= 0) };
}
