/**
 * @kestrel/observability: logs, metrics, traces and on-call plumbing for kestrel's Lambda handlers.
 *
 * - {@link withObservability} wraps a handler (HTTP, EventBridge, Cognito, streams, SQS): JSON logs
 *   with the correlation id on every line, Datadog metrics, W3C trace continued across the bus;
 *   {@link withHttpObservability} does the same for a function behind an HTTP route, with less code.
 * - {@link DatadogMetrics} ships distribution metrics to the Datadog extension (or prints them).
 * - `@kestrel/observability/redact` (a separate entry: it needs the contracts' schemas) makes events safe to log using the contracts' PII marks.
 * - {@link PagerDutyEventsClient} pages, acknowledges and resolves by dedup key.
 * - {@link OWNERSHIP} says who owns each service and where its alerts go.
 *
 * @example
 * ```ts
 * import { withObservability } from '@kestrel/observability';
 * export const handler = withObservability(handle, { service: 'customers', functionName: 'http-get-customer' });
 * ```
 */
export { detectTrigger, flowContextOf, httpFlowContextOf, isOpaqueCorrelationId, type FlowContext, type TriggerKind } from './flow-context';
export { createLogger, Logger, type LoggerOptions } from './logger';
export {
  DATADOG_EXTENSION_PATH,
  DatadogMetrics,
  HANDLER_METRICS,
  defaultSink,
  dogStatsdSink,
  eventTypeTag,
  logSink,
  sanitizeTag,
  toDogStatsd,
  toLogLine,
  type MetricPoint,
  type MetricSink,
} from './metrics';
export { MissingOwnershipError, OWNERSHIP, SHARED_RUNBOOKS, ownershipOf, type Ownership } from './ownership';
export {
  MAX_SUMMARY_LENGTH,
  PAGERDUTY_EVENTS_URL,
  PagerDutyError,
  PagerDutyEventsClient,
  truncateSummary,
  type PagerDutyClientOptions,
  type PagerDutyLink,
  type PagerDutySeverity,
  type TriggerInput,
} from './pagerduty';
export { continueTrace, datadogSpanId, datadogTraceId, formatTraceparent, parseTraceparent, type TraceContext } from './trace-context';
export {
  currentObservability,
  withHttpObservability,
  withObservability,
  type Observability,
  type ObservabilityOptions,
  type ObservedHandler,
} from './with-observability';
