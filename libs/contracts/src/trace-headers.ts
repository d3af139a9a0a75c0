/**
 * The Datadog propagation headers of a W3C trace context, as dd-trace writes them into
 * `detail._datadog` when it traces a PutEvents call, and as datadog-lambda-js reads them back in
 * the consumer (its EventBridge extractor passes `event.detail._datadog` to the tracer's
 * `extract`): so a consumer continues the producer's trace in Datadog APM without a custom
 * extractor, whether the event went straight to the bus or through an outbox.
 */
export interface DatadogTraceHeaders {
  /** Lower 64 bits of the trace id, decimal. */
  'x-datadog-trace-id': string;
  /** The producer's span id, decimal. */
  'x-datadog-parent-id': string;
  /** `1` keep, `0` drop (the W3C sampled flag). */
  'x-datadog-sampling-priority': '0' | '1';
  /** `_dd.p.tid=<upper 64 bits, hex>`: Datadog's 128-bit trace ids carry their upper half here. */
  'x-datadog-tags': string;
  /** The same context in W3C form, which dd-trace also extracts (style `tracecontext`). */
  traceparent: string;
}

const TRACEPARENT = /^00-([0-9a-f]{16})([0-9a-f]{16})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Datadog headers for a version-00 `traceparent`; undefined for anything else.
 *
 * @example
 * ```ts
 * datadogTraceHeaders('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
 * // { 'x-datadog-trace-id': '11803532876627986230', 'x-datadog-parent-id': '67667974448284343',
 * //   'x-datadog-sampling-priority': '1', 'x-datadog-tags': '_dd.p.tid=4bf92f3577b34da6', traceparent: '00-4bf9…-01' }
 * ```
 */
export function datadogTraceHeaders(traceparent: string): DatadogTraceHeaders | undefined {
  const match = TRACEPARENT.exec(traceparent);
  if (!match) return undefined;
  const [, high, low, span, flags] = match as unknown as [string, string, string, string, string];
  return {
    'x-datadog-trace-id': BigInt(`0x${low}`).toString(10),
    'x-datadog-parent-id': BigInt(`0x${span}`).toString(10),
    'x-datadog-sampling-priority': (Number.parseInt(flags, 16) & 1) === 1 ? '1' : '0',
    'x-datadog-tags': `_dd.p.tid=${high}`,
    traceparent,
  };
}
