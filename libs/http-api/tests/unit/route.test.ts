import { createLogger, withObservability, type MetricPoint } from '@kestrel/observability';
import { describe, expect, it, vi } from 'vitest';
import { InvalidCursorError } from '../../src/cursor';
import { HttpProblem } from '../../src/problem';
import { httpRoute, type EventOrigin } from '../../src/route';
import { httpEvent, lambdaContext } from '../support/events';

class ThingNotFoundError extends Error {}
const problemFor = (error: unknown) => (error instanceof ThingNotFoundError ? new HttpProblem(404, 'thing-not-found', 'No such thing') : undefined);

/** A route wrapped as the handler files deploy it, with its logger and metrics kept in the test. */
function observed(route: ReturnType<typeof httpRoute>) {
  const logger = createLogger({ service: 'things', functionName: 'http-thing', level: 'SILENT' });
  const points: MetricPoint[] = [];
  const handler = withObservability(route, {
    service: 'things',
    functionName: 'http-thing',
    logger,
    metricSink: { send: async (batch) => void points.push(...batch) },
    env: {},
  });
  return { handler, logger, points };
}

const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('httpRoute', () => {
  it('answers JSON with no-store, the route\'s headers and the correlation id', async () => {
    // Prepare
    const route = httpRoute(async () => ({ status: 201, body: { id: 1 }, headers: { location: '/things/1' } }));

    // Act
    const response = await route(httpEvent({ headers: { 'x-correlation-id': 'flow-7' } }));

    // Assess
    expect(response).toEqual({
      statusCode: 201,
      headers: { 'cache-control': 'no-store', 'x-correlation-id': 'flow-7', 'content-type': 'application/json', location: '/things/1' },
      body: '{"id":1}',
    });
  });

  it('sends no body and no content type for a result without body', async () => {
    const response = await httpRoute(async () => ({ status: 204 }))(httpEvent());

    expect(response.body).toBeUndefined();
    expect(response.headers).not.toHaveProperty('content-type');
  });

  it('gives the route the invocation\'s event metadata when wrapped by withObservability: same correlation id, this request as cause, this span', async () => {
    // Prepare
    const origins: EventOrigin[] = [];
    const { handler } = observed(httpRoute(async (_event, origin) => (origins.push(origin), { status: 200, body: {} })));

    // Act
    const response = await handler(httpEvent({ headers: { 'x-correlation-id': 'flow-8', traceparent } }), lambdaContext);

    // Assess
    expect(origins).toHaveLength(1);
    expect(origins[0]).toMatchObject({ correlationId: 'flow-8', causationId: 'api-request-1' });
    expect(origins[0]?.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-(?!b7ad6b7169203331)[0-9a-f]{16}-01$/);
    expect(response.headers).toMatchObject({ 'x-correlation-id': 'flow-8' });
  });

  it('outside withObservability reads the same origin from the request, passing the caller\'s trace on', async () => {
    const origins: EventOrigin[] = [];
    const route = httpRoute(async (_event, origin) => (origins.push(origin), { status: 200 }));

    await route(httpEvent({ headers: { 'x-correlation-id': 'flow-9', traceparent } }));
    await route(httpEvent({ headers: { 'x-correlation-id': 'bad id with spaces' } }));

    expect(origins).toEqual([
      { correlationId: 'flow-9', causationId: 'api-request-1', traceparent },
      { correlationId: 'api-request-1', causationId: 'api-request-1' },
    ]);
  });

  it('answers HttpProblems, mapped errors and bad cursors as application/problem+json', async () => {
    // Prepare
    const failWith = (error: Error) => httpRoute(async () => Promise.reject(error), { problemFor })(httpEvent());

    // Act
    const precondition = await failWith(new HttpProblem(412, 'precondition-failed', 'Changed', undefined, { currentVersion: 3 }, { etag: '"3"' }));
    const notFound = await failWith(new ThingNotFoundError('gone'));
    const cursor = await failWith(new InvalidCursorError('it belongs to another query'));

    // Assess
    expect(precondition).toMatchObject({ statusCode: 412, headers: { 'content-type': 'application/problem+json', etag: '"3"', 'cache-control': 'no-store' } });
    expect(JSON.parse(precondition.body!)).toEqual({ type: 'urn:kestrel:problem:precondition-failed', title: 'Changed', status: 412, instance: '/things/1', currentVersion: 3 });
    expect(notFound.statusCode).toBe(404);
    expect(JSON.parse(cursor.body!)).toMatchObject({
      status: 400,
      errors: [{ field: 'query.cursor', message: 'Invalid cursor: it belongs to another query' }],
    });
  });

  it('answers anything unexpected with a 500 that reveals nothing, logged through the invocation\'s logger', async () => {
    // Prepare
    const { handler, logger } = observed(httpRoute(async () => Promise.reject(new Error('table kestrel-prod-secret not found')), { problemFor }));
    const logged = vi.spyOn(logger, 'error');

    // Act
    const response = await handler(httpEvent(), lambdaContext);

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret');
    expect(JSON.parse(response.body!)).toMatchObject({ type: 'urn:kestrel:problem:internal-error', status: 500 });
    expect(logged).toHaveBeenCalledWith('unhandled error', expect.objectContaining({ routeKey: 'POST /things/{thingId}', error: expect.any(Error) }));
  });

  it.each([
    ['a dependency restarting (the SDK\'s ServiceUnavailable after its retries)', Object.assign(new Error('DynamoDB Local is not answering'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } })],
    ['throttling', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })],
    ['any 503 from AWS', Object.assign(new Error('Service Unavailable'), { name: 'UnknownError', $metadata: { httpStatusCode: 503 } })],
    ['the endpoint refusing connections', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' })],
  ])('answers %s as a retryable 503 service-unavailable problem with Retry-After', async (_case, failure) => {
    // Act
    const response = await httpRoute(async () => Promise.reject(failure), { problemFor })(httpEvent());

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '1' });
    expect(JSON.parse(response.body!)).toMatchObject({ type: 'urn:kestrel:problem:service-unavailable', status: 503 });
  });

  it('keeps a 500 for AWS errors a retry cannot fix', async () => {
    const failure = Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    const response = await httpRoute(async () => Promise.reject(failure), { problemFor })(httpEvent());
    expect(response.statusCode).toBe(500);
  });

  it('logs an unexpected error as one JSON line when not wrapped', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);

    const response = await httpRoute(async () => Promise.reject(new Error('boom')))(httpEvent());

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(String(printed.mock.calls[0]?.[0]))).toMatchObject({ level: 'error', message: 'unhandled error', error: { message: 'boom' } });
    printed.mockRestore();
  });
});
