import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildPutEventsEntry, CustomerCreatedV1, UserRegisteredV1 } from '@kestrel/contracts';
import type { MetricPoint, MetricSink } from '../../src/metrics';
import { eventRedactor } from '../../src/redact';
import { currentObservability, withHttpObservability, withObservability } from '../../src/with-observability';
import { captureLogLines } from './log-lines';
import { cognitoEvent, eventBridgeEvent, httpEvent } from './events';

function lambdaContext(requestId: string): Context {
  return {
    awsRequestId: requestId,
    functionName: 'kestrel-staging-customers-on-user-registered',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:kestrel-staging-customers-on-user-registered',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/kestrel-staging-customers-on-user-registered',
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

let lines: Record<string, unknown>[] = [];
beforeEach(() => {
  lines = [];
  captureLogLines(lines);
});
afterEach(() => vi.restoreAllMocks());

function memorySink(): MetricSink & { points: MetricPoint[] } {
  const points: MetricPoint[] = [];
  return { points, send: async (p) => void points.push(...p) };
}

const options = { service: 'customers', functionName: 'on-user-registered', env: { DD_ENV: 'staging' } };
const OCCURRED = Date.parse('2026-01-15T09:30:00.000Z');

describe('withObservability on an EventBridge consumer', () => {
  it('puts the event’s correlation id on every log line and continues its trace into published events', async () => {
    // prepare
    const sink = memorySink();
    const handler = withObservability(
      async (event: unknown, _context, { logger, eventMetadata }) => {
        logger.info('creating customer');
        const entry = buildPutEventsEntry(
          CustomerCreatedV1,
          CustomerCreatedV1.example,
          { ...eventMetadata(), producer: 'customers' },
          { eventBusName: 'bus' },
        );
        return JSON.parse(entry.Detail).metadata as Record<string, string>;
      },
      { ...options, metricSink: sink, now: () => OCCURRED + 1500, redact: eventRedactor([UserRegisteredV1]), logEvent: 'info' as const },
    );

    // act
    const published = await handler(eventBridgeEvent({ correlationId: 'signup-77' }), lambdaContext('req-1'));

    // assess
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      expect(line).toMatchObject({ correlation_id: 'signup-77', service: 'customers', function: 'on-user-registered', env: 'staging', trigger: 'eventbridge', cause_id: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', function_request_id: 'req-1' });
    }
    expect(JSON.stringify(lines)).not.toContain('ada@example.com');
    expect(lines.find((l) => l.message === 'event received')).toMatchObject({ event: { detail: { data: { email: '[redacted:email]' } } } });
    expect(published).toMatchObject({ correlationId: 'signup-77', causationId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b' });
    expect(published.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(published.traceparent).not.toContain('00f067aa0ba902b7');
  });

  it('records duration, invocation, cold start only once, and the event’s age when its consumer finished', async () => {
    // prepare
    const sink = memorySink();
    const handler = withObservability(async () => 'ok', { ...options, metricSink: sink, now: () => OCCURRED + 1500 });

    // act
    await handler(eventBridgeEvent(), lambdaContext('req-1'));
    await handler(eventBridgeEvent(), lambdaContext('req-2'));

    // assess
    const names = sink.points.map((p) => `${p.name}${p.tags.includes('cold_start:true') ? '(cold)' : ''}`);
    expect(names).toEqual([
      'kestrel.handler.duration(cold)', 'kestrel.handler.invocations(cold)', 'kestrel.handler.cold_starts(cold)', 'kestrel.event.age',
      'kestrel.handler.duration', 'kestrel.handler.invocations', 'kestrel.event.age',
    ]);
    const age = sink.points.find((p) => p.name === 'kestrel.event.age');
    expect(age).toMatchObject({ value: 1500, type: 'distribution' });
    expect(age?.tags).toEqual(expect.arrayContaining(['service:customers', 'function:on-user-registered', 'env:staging', 'event_type:kestrel.identity.userregistered.v1', 'outcome:success']));
  });

  it('logs and counts an error, then rethrows it so EventBridge retries and dead-letters', async () => {
    // prepare
    const sink = memorySink();
    const handler = withObservability(async () => {
      throw new Error('table unavailable');
    }, { ...options, metricSink: sink });

    // act
    const outcome = handler(eventBridgeEvent({ correlationId: 'flow-err' }), lambdaContext('req-9'));

    // assess
    await expect(outcome).rejects.toThrow('table unavailable');
    expect(lines.find((l) => l.level === 'ERROR')).toMatchObject({ message: 'invocation failed', correlation_id: 'flow-err', error: { message: 'table unavailable' } });
    expect(sink.points.filter((p) => p.name === 'kestrel.handler.errors')).toHaveLength(1);
    expect(sink.points.find((p) => p.name === 'kestrel.handler.invocations')?.tags).toContain('outcome:error');
  });
});

// An HTTP function gets the same answers, logs and metrics from either wrapper.
describe.each([
  ['withObservability', withObservability],
  ['withHttpObservability', withHttpObservability],
] as const)('%s on an HTTP route', (_name, wrap) => {
  it('answers an HTTP call with the correlation id header and exposes the invocation to deep code', async () => {
    // prepare
    const handler = wrap(async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}', seenBy: currentObservability()?.correlationId }), {
      ...options,
      functionName: 'http-get-customer',
      metricSink: memorySink(),
    });

    // act
    const response = await handler(httpEvent({ 'x-correlation-id': 'web-1' }), lambdaContext('req-3'));

    // assess
    expect(response).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json', 'x-correlation-id': 'web-1' }, body: '{}', seenBy: 'web-1' });
    expect(currentObservability()).toBeUndefined();
  });

  it('counts an HTTP 5xx answer as an error even though nothing was thrown', async () => {
    // prepare
    const sink = memorySink();
    const handler = wrap(async () => ({ statusCode: 503, body: '{}' }), { ...options, functionName: 'http-get-customer', metricSink: sink });

    // act
    const response = await handler(httpEvent({ 'x-correlation-id': 'web-5' }), lambdaContext('req-5'));

    // assess
    expect(response.statusCode).toBe(503);
    expect(sink.points.filter((p) => p.name === 'kestrel.handler.errors')).toHaveLength(1);
    expect(sink.points.find((p) => p.name === 'kestrel.handler.invocations')?.tags).toContain('outcome:error');
    expect(lines.find((l) => l.level === 'ERROR')).toMatchObject({ message: 'invocation answered with a server error', status: 503, correlation_id: 'web-5' });
  });

  it('does not count a 4xx answer as an error: the caller was wrong, not the service', async () => {
    const sink = memorySink();
    const handler = wrap(async () => ({ statusCode: 404, body: '{}' }), { ...options, functionName: 'http-get-customer', metricSink: sink });

    await handler(httpEvent({}), lambdaContext('req-6'));

    expect(sink.points.filter((p) => p.name === 'kestrel.handler.errors')).toHaveLength(0);
  });
});

describe('withObservability on other triggers', () => {

  it('starts a flow at a Cognito trigger and returns the event unchanged', async () => {
    // prepare
    const event = cognitoEvent({ correlationId: 'app-signup-5' });
    const handler = withObservability(async (e: typeof event, _c, { correlationId, logger }) => {
      logger.info('confirmed', { correlationId });
      return e;
    }, { service: 'identity', functionName: 'cognito-post-confirmation', metricSink: memorySink() });

    // act
    const result = await handler(event, lambdaContext('req-4'));

    // assess
    expect(result).toBe(event);
    expect(lines.find((l) => l.message === 'confirmed')).toMatchObject({ correlation_id: 'app-signup-5', trigger: 'cognito', service: 'identity' });
  });

  it('counts a Cognito refusal as outcome rejected, not an error, and still throws so Cognito refuses', async () => {
    // prepare: a trigger refuses by throwing (Cognito shows the message); it marks the throw as a refusal first.
    const sink = memorySink();
    const handler = withObservability(async (_e: unknown, _c, { markRejected }) => {
      markRejected({ field: 'email' });
      throw new Error('Please use a permanent email address.');
    }, { service: 'identity', functionName: 'cognito-pre-sign-up', metricSink: sink, env: { DD_ENV: 'production' } });

    // act
    const attempt = handler(cognitoEvent({}), lambdaContext('req-7'));

    // assess
    await expect(attempt).rejects.toThrow('Please use a permanent email address.');
    expect(sink.points.filter((p) => p.name === 'kestrel.handler.errors')).toEqual([]);
    expect(sink.points.find((p) => p.name === 'kestrel.handler.rejections')?.tags).toEqual(
      expect.arrayContaining(['service:identity', 'function:cognito-pre-sign-up', 'trigger:cognito', 'field:email']),
    );
    expect(sink.points.find((p) => p.name === 'kestrel.handler.invocations')?.tags).toContain('outcome:rejected');
    expect(lines.find((l) => l.message === 'invocation refused')).toMatchObject({ level: 'INFO', reason: 'Please use a permanent email address.' });
    expect(lines.some((l) => l.message === 'invocation failed')).toBe(false);
  });

  it('keeps invocations apart: keys of one never leak into the next', async () => {
    // prepare
    const handler = withObservability(async (_e: unknown, _c, { logger }) => logger.info('hello'), { ...options, metricSink: memorySink() });

    // act
    await handler(eventBridgeEvent({ correlationId: 'first' }), lambdaContext('req-a'));
    await handler(httpEvent(), lambdaContext('req-b'));

    // assess
    const hellos = lines.filter((l) => l.message === 'hello');
    expect(hellos.map((l) => [l.correlation_id, l.event_type])).toEqual([['first', 'kestrel.identity/UserRegistered/v1'], ['api-req-1', undefined]]);
  });
});
