/**
 * The telemetry record of one invocation: the REPORT line's facts, and the
 * trigger and correlation id read from the event the way the handlers' own
 * logger reads them (`flowContextOf`), so the console's figures and the log
 * lines name the same flow.
 */
import { flowContextOf } from '@kestrel/observability';
import type { TelemetryRecord } from '../../core/telemetry';
import type { InvocationRequest, InvocationResult } from './local-function';

/**
 * @example
 * invocationRecord('orders', { payload: '{"detail":…}' }, result) // { type: 'invocation', functionName: 'orders', trigger: 'eventbridge', correlationId: … }
 */
export function invocationRecord(functionName: string, request: InvocationRequest, result: InvocationResult, at = Date.now()): TelemetryRecord<'invocation'> {
  let event: unknown;
  try {
    event = request.payload ? (JSON.parse(request.payload) as unknown) : undefined;
  } catch {
    event = undefined;
  }
  const flow = flowContextOf(event, result.requestId);
  return {
    type: 'invocation',
    at,
    // A flow the invocation started itself (named after its own request id) is not a correlation worth following.
    ...(flow.correlationId !== result.requestId ? { correlationId: flow.correlationId } : {}),
    functionName,
    requestId: result.requestId,
    durationMs: result.metrics.durationMs,
    coldStart: result.coldStart,
    ...(result.metrics.initDurationMs !== undefined ? { initDurationMs: result.metrics.initDurationMs } : {}),
    trigger: flow.trigger === 'unknown' ? (request.firstFreeEnvironment ? 'event' : 'direct') : flow.trigger,
    ...(result.error ? { errorType: result.error.errorType, errorMessage: result.error.errorMessage } : {}),
  };
}
