import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { Context } from 'aws-lambda';
import type { MetadataInput } from '@kestrel/contracts';
import { flowContextOf, httpFlowContextOf, type FlowContext, type TriggerKind } from './flow-context';
import { createLogger, type Logger } from './logger';
import { DatadogMetrics, eventTypeTag, HANDLER_METRICS, type MetricSink } from './metrics';
import { isRecord, withoutEventData } from './event-data';
import { continueTrace, datadogSpanId, datadogTraceId, formatTraceparent, type TraceContext } from './trace-context';

/** What a wrapped handler gets as its third argument (and {@link currentObservability} returns). */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: DatadogMetrics;
  readonly trigger: TriggerKind;
  readonly correlationId: string;
  /** Id of what this invocation handles: the request id, or the event's `eventId`. */
  readonly causeId: string;
  /** This invocation's span (continuing the caller's trace when it sent one). */
  readonly trace: TraceContext;
  readonly coldStart: boolean;
  /**
   * Metadata for events this invocation publishes: same correlation id, causation = what is being
   * handled, `traceparent` = this span. Spread it into `buildPutEventsEntry`'s metadata.
   */
  eventMetadata(): Pick<MetadataInput, 'correlationId' | 'causationId' | 'traceparent'>;
  /**
   * Says that the error about to be thrown is a deliberate refusal, not a failure: a Cognito
   * trigger can only refuse a sign-up by throwing (Cognito shows the message), so Lambda counts
   * it as an error. The wrapper then records `outcome:rejected` and `kestrel.handler.rejections`
   * (tagged with `tags`) instead of `kestrel.handler.errors`, and logs at INFO; it still rethrows.
   */
  markRejected(tags?: Record<string, string | undefined>): void;
}

export interface ObservabilityOptions {
  /** The service (bounded context), e.g. `customers`. */
  service: string;
  /** The manifest's function name, e.g. `on-user-registered`. */
  functionName: string;
  /**
   * Log the incoming event at DEBUG (INFO with `logEvent: 'info'`). EventBridge events are logged
   * through `redact` (`eventRedactor(contracts)` from `@kestrel/observability/redact` applies the
   * contracts' PII marks); without it `detail.data` is left out. Other triggers are never logged
   * whole (they carry tokens and personal data).
   */
  logEvent?: boolean | 'info';
  redact?: (event: unknown) => unknown;
  /** For tests and special sinks; defaults to the Datadog extension or log lines. */
  metricSink?: MetricSink;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

export type ObservedHandler<E, R> = (event: E, context: Context, observability: Observability) => Promise<R>;

const storage = new AsyncLocalStorage<Observability>();

/**
 * The observability of the invocation in progress, for code deep in a handler (an adapter
 * publishing events) that shouldn't have it passed down. Undefined outside a wrapped handler.
 *
 * @example
 * ```ts
 * const metadata = { ...currentObservability()?.eventMetadata(), producer: 'customers' };
 * ```
 */
export function currentObservability(): Observability | undefined {
  return storage.getStore();
}

function isServerError(result: unknown): result is { statusCode: number } {
  return isRecord(result) && typeof result.statusCode === 'number' && result.statusCode >= 500;
}

/** Lets the caller of an HTTP API see the correlation id it can quote in a support ticket. */
function withCorrelationHeader<R>(result: R, correlationId: string): R {
  if (!isRecord(result) || typeof result.statusCode !== 'number') return result;
  const headers = isRecord(result.headers) ? result.headers : {};
  return { ...result, headers: { ...headers, 'x-correlation-id': correlationId } } as R;
}

function eventAgeMs(flow: FlowContext, now: number): number | undefined {
  const occurredAt = flow.event?.occurredAt ? Date.parse(flow.event.occurredAt) : Number.NaN;
  return Number.isNaN(occurredAt) ? undefined : Math.max(0, now - occurredAt);
}

/** How a wrapper reads its trigger: the flow, and what only event triggers add (log keys, the received event, its age). */
interface TriggerReading {
  readonly flowOf: (event: unknown, requestId: string) => FlowContext;
  readonly events?: {
    logKeys(flow: FlowContext): Record<string, unknown>;
    received(event: unknown, flow: FlowContext, logger: Logger, options: ObservabilityOptions): void;
    finished(flow: FlowContext, metrics: DatadogMetrics, outcome: string, now: number): void;
  };
}

// Any trigger, events included. Kept out of withHttpObservability, whose flows never carry an event.
const ANY_TRIGGER: TriggerReading = {
  flowOf: flowContextOf,
  events: {
    logKeys: (flow) => ({
      ...(flow.correlationIds && flow.correlationIds.length > 1 ? { correlation_ids: flow.correlationIds } : {}),
      ...(flow.event ? { event_type: `${flow.event.source}/${flow.event.detailType}/v${flow.event.version ?? '?'}` } : {}),
    }),
    received: (event, flow, logger, options) => {
      if (!options.logEvent || flow.trigger !== 'eventbridge') return;
      const redacted = (options.redact ?? withoutEventData)(event);
      if (options.logEvent === 'info') logger.info('event received', { event: redacted });
      else logger.debug('event received', { event: redacted });
    },
    finished: (flow, metrics, outcome, now) => {
      const age = eventAgeMs(flow, now);
      if (age !== undefined && flow.event) {
        metrics.distribution(HANDLER_METRICS.eventAge, age, {
          event_type: eventTypeTag(flow.event.source, flow.event.detailType, flow.event.version),
          outcome,
        });
      }
    },
  },
};

/**
 * Wraps a Lambda handler (HTTP API, EventBridge, Cognito trigger, DynamoDB stream or SQS batch):
 * reads the correlation id and trace context from the trigger event, continues the trace, puts
 * `correlation_id`, `cause_id`, `trigger`, `trace_id` and `dd.trace_id` on every log line of the
 * invocation, and records Datadog metrics — duration (distribution, ms), invocations, errors,
 * cold starts, and for EventBridge events the age of the event when its consumer finished
 * (`kestrel.event.age`, tagged `event_type`). Errors are logged and rethrown, so the trigger's
 * retry and dead-letter handling stays in charge. HTTP responses get an `x-correlation-id` header.
 *
 * @example
 * ```ts
 * // apps/customers/src/handlers/on-user-registered.ts
 * export const handler = withObservability(
 *   async (event, _context, { logger, eventMetadata }) => {
 *     const received = parseEvent(UserRegisteredV1, event);
 *     await createCustomer(received.detail.data, { ...eventMetadata(), producer: 'customers' });
 *     logger.info('customer created', { customerId: received.detail.data.userId });
 *   },
 *   { service: 'customers', functionName: 'on-user-registered' },
 * );
 * ```
 */
export function withObservability<E = unknown, R = unknown>(
  handler: ObservedHandler<E, R>,
  options: ObservabilityOptions,
): (event: E, context: Context) => Promise<R> {
  return observed(handler, options, ANY_TRIGGER);
}

/**
 * {@link withObservability} for a function whose only trigger is an HTTP API route: the same
 * logs, metrics and trace, read from the request by {@link httpFlowContextOf} alone, so the
 * bundle carries none of the readers of EventBridge, Cognito, stream and SQS events.
 *
 * @example
 * ```ts
 * export const handler = withHttpObservability(getProductRoute(servicesFromEnvironment()), { service: 'catalog', functionName: 'http-get-product' });
 * ```
 */
export function withHttpObservability<E = unknown, R = unknown>(
  handler: ObservedHandler<E, R>,
  options: ObservabilityOptions,
): (event: E, context: Context) => Promise<R> {
  return observed(handler, options, { flowOf: httpFlowContextOf });
}

function observed<E, R>(
  handler: ObservedHandler<E, R>,
  options: ObservabilityOptions,
  trigger: TriggerReading,
): (event: E, context: Context) => Promise<R> {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? createLogger({ service: options.service, functionName: options.functionName, env });
  const metrics = new DatadogMetrics({
    defaultTags: { service: options.service, function: options.functionName, env: env.DD_ENV ?? env.KESTREL_ENV },
    ...(options.metricSink ? { sink: options.metricSink } : {}),
    now,
  });
  // One module instance per execution environment: its first invocation is the cold start.
  let coldStart = true;

  return async (event: E, context: Context): Promise<R> => {
    const started = performance.now();
    // Provisioned concurrency initialises ahead of traffic: no caller waits for it (Powertools and Datadog agree).
    const wasCold = coldStart && env.AWS_LAMBDA_INITIALIZATION_TYPE !== 'provisioned-concurrency';
    coldStart = false;
    const flow = trigger.flowOf(event, context.awsRequestId);
    const trace = continueTrace(flow.parent);

    logger.resetKeys();
    logger.addContext(context);
    logger.setCorrelationId(flow.correlationId);
    logger.appendKeys({
      cause_id: flow.causeId,
      trigger: flow.trigger,
      trace_id: trace.traceId,
      span_id: trace.spanId,
      ...(flow.parent ? { parent_span_id: flow.parent.spanId } : {}),
      ...trigger.events?.logKeys(flow),
      // Datadog links a log line to its APM trace through these (64-bit decimal ids).
      dd: { trace_id: datadogTraceId(trace.traceId), span_id: datadogSpanId(trace.spanId) },
    });

    let rejection: Record<string, string | undefined> | undefined;
    const observability: Observability = {
      logger,
      metrics,
      trigger: flow.trigger,
      correlationId: flow.correlationId,
      causeId: flow.causeId,
      trace,
      coldStart: wasCold,
      eventMetadata: () => ({ correlationId: flow.correlationId, causationId: flow.causeId, traceparent: formatTraceparent(trace) }),
      markRejected: (rejectionTags = {}) => {
        rejection = rejectionTags;
      },
    };

    trigger.events?.received(event, flow, logger, options);

    const tags = { trigger: flow.trigger, cold_start: String(wasCold) };
    let outcome: 'success' | 'error' | 'rejected' = 'success';
    try {
      const result = await storage.run(observability, () => handler(event, context, observability));
      if (flow.trigger !== 'http') return result;
      // An HTTP route that turns a failure into a 5xx response has still failed: count it as an error,
      // or the error-rate monitor (Lambda's own Errors metric only sees thrown errors) would stay green.
      if (isServerError(result)) {
        outcome = 'error';
        logger.error('invocation answered with a server error', { status: result.statusCode });
        metrics.increment(HANDLER_METRICS.errors, 1, { ...tags, status: String(result.statusCode) });
      }
      return withCorrelationHeader(result, flow.correlationId);
    } catch (error) {
      if (rejection) {
        outcome = 'rejected';
        logger.info('invocation refused', { reason: error instanceof Error ? error.message : String(error) });
        metrics.increment(HANDLER_METRICS.rejections, 1, { ...tags, ...rejection });
      } else {
        outcome = 'error';
        logger.error('invocation failed', error as Error);
        metrics.increment(HANDLER_METRICS.errors, 1, tags);
      }
      throw error;
    } finally {
      const durationMs = performance.now() - started;
      metrics.distribution(HANDLER_METRICS.duration, Math.round(durationMs * 1000) / 1000, { ...tags, outcome });
      metrics.increment(HANDLER_METRICS.invocations, 1, { ...tags, outcome });
      if (wasCold) metrics.increment(HANDLER_METRICS.coldStarts, 1, tags);
      trigger.events?.finished(flow, metrics, outcome, now());
      logger.info('invocation finished', { outcome, duration_ms: Math.round(durationMs) });
      await metrics.flush();
    }
  };
}
