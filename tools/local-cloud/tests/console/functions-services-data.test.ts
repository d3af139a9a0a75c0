import { fileURLToPath } from 'node:url';
import { loadManifests } from '@kestrel/service-manifest/load';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { describeItem } from '../../src/console/api/data';
import { FunctionStatistics, logFilter, percentile } from '../../src/console/api/functions';
import { flowsOf } from '../../src/console/api/services';
import { createLambdaModule } from '../../src/services/lambda';
import { createSqsModule } from '../../src/services/sqs';
import { structuredMessage } from '../../src/services/lambda/function-logs';

const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));

describe('function figures', () => {
  it('counts invocations, errors and cold starts and takes nearest-rank percentiles of the durations', () => {
    // prepare
    const statistics = new FunctionStatistics();
    const invocation = { type: 'invocation', at: 0, functionName: 'f', requestId: 'r', trigger: 'http', coldStart: false } as const;

    // act
    for (let ms = 1; ms <= 100; ms += 1) statistics.record({ ...invocation, durationMs: ms, coldStart: ms === 1 });
    statistics.record({ ...invocation, durationMs: 5, errorType: 'TypeError', errorMessage: 'boom' });
    statistics.record({ type: 'http.request', at: 0, apiId: 'a', method: 'GET', path: '/', status: 200, durationMs: 1, requestId: 'x' });

    // assess
    expect(statistics.of('f')).toMatchObject({ invocations: 101, errors: 1, coldStarts: 1, p50Ms: 50, p95Ms: 95, lastError: 'TypeError: boom' });
    expect(statistics.of('unknown')).toEqual({ invocations: 0, errors: 0, coldStarts: 0, p50Ms: null, p95Ms: null });
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7.123], 0.95)).toBe(7.12);
  });

  it('filters log records on every word, case-insensitive, inside structured messages too', () => {
    // prepare
    const entry = { offset: 0, record: { timestamp: 't', level: 'INFO' as const, message: { message: 'Customer created', correlation_id: 'signup-ada' } } };

    // assess
    expect(logFilter('customer SIGNUP-ada')(entry)).toBe(true);
    expect(logFilter('customer deleted')(entry)).toBe(false);
    expect(logFilter('  ')(entry)).toBe(true);
  });

  it('reads a log line that is one JSON object as that object, and leaves text as text', () => {
    // assess
    expect(structuredMessage('{"level":"INFO","n":1}')).toEqual({ level: 'INFO', n: 1 });
    expect(structuredMessage('[1,2]')).toBe('[1,2]');
    expect(structuredMessage('{not json}')).toBe('{not json}');
    expect(structuredMessage('info line: hello')).toBe('info line: hello');
  });
});

describe('services from their manifests', () => {
  it('draws identity → customers for UserRegistered, and every producer → analytics-ingest through its wide pattern', async () => {
    // prepare
    const manifests = (await loadManifests(repoRoot)).map((entry) => entry.manifest);

    // act
    const flows = flowsOf(manifests);

    // assess
    expect(flows).toContainEqual({ from: 'identity', to: 'customers', event: 'kestrel.identity UserRegistered v1', subscription: 'user-registered' });
    const producers = manifests.filter((manifest) => manifest.publishes.length > 0).map((manifest) => manifest.name);
    for (const producer of producers) expect(flows).toContainEqual(expect.objectContaining({ from: producer, to: 'analytics-ingest', subscription: 'all-business-events' }));
    expect(flows.some((flow) => flow.from === 'analytics-ingest')).toBe(false);
  });
});

describe('table items', () => {
  it("names the entity from the table-keys `type` attribute and splits keys into their segments", () => {
    // act
    const view = describeItem({ PK: 'CUSTOMER#42', SK: 'PROFILE', type: 'Customer', email: 'ada@example.com' }, ['PK', 'SK']);
    const foreign = describeItem({ id: 'a#b\\#c' }, ['id']);

    // assess
    expect(view).toMatchObject({ entity: 'Customer', key: { PK: 'CUSTOMER#42', SK: 'PROFILE' }, segments: { PK: ['CUSTOMER', '42'] } });
    expect(foreign).toMatchObject({ entity: null, segments: { id: ['a', 'b#c'] } });
  });
});

describe('the console API answers bad requests with the field at fault', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startLocalCloud({ inMemory: true, modules: [createLambdaModule, createSqsModule] });
  });
  afterAll(() => cloud?.stop());

  const answer = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${cloud.endpoint}${path}`, init);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('names unknown functions, queues and bad parameters', async () => {
    // act
    const [functions, unknownFunction, unknownQueue, invoke, queues] = await Promise.all([
      answer('/_local/functions'),
      answer('/_local/functions/missing/logs'),
      answer('/_local/queues/missing/messages'),
      answer('/_local/functions/missing/invoke', { method: 'POST', body: '{}' }),
      answer('/_local/queues'),
    ]);

    // assess
    expect(functions).toEqual({ status: 200, body: { functions: [] } });
    expect(unknownFunction).toEqual({ status: 404, body: { error: "No function 'missing' is deployed", field: 'name', deployed: [] } });
    expect(unknownQueue).toEqual({ status: 404, body: { error: "No queue 'missing'", field: 'name' } });
    expect(invoke.status).toBe(404);
    expect(queues).toEqual({ status: 200, body: { queues: [] } });
  });

  it('peeks at a queue without receiving its messages', async () => {
    // prepare
    const sqs = cloud.modules.find((module) => module.name === 'sqs') as ReturnType<typeof createSqsModule>;
    sqs.service.createQueue('peeked');
    sqs.service.send('peeked', { body: JSON.stringify({ hello: 'ada' }) });

    // act
    const first = await answer('/_local/queues/peeked/messages?limit=5');
    const second = await answer('/_local/queues/peeked/messages');
    const badLimit = await answer('/_local/queues/peeked/messages?limit=500');

    // assess
    expect(first.body).toMatchObject({ queue: 'peeked', total: 1, messages: [{ state: 'visible', receiveCount: 0, body: { hello: 'ada' } }] });
    expect(second.body).toEqual(first.body);
    expect(badLimit).toEqual({ status: 400, body: { error: "Query parameter 'limit' must be a whole number from 1 to 100", field: 'limit', value: '500' } });
  });
});
