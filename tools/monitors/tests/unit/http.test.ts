import type { Context } from 'aws-lambda';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { withObservability, type MetricPoint } from '@kestrel/observability';
import type { MonitorDefinition } from '../../src/definition';
import { monitorsForStack, unmonitoredResources } from '../../src/generate';
import { MONITOR_KINDS } from '../../src/kinds';
import type { LoadedStack } from '../../src/stack';
import { validateDefinition } from '../../src/validate';
import { synthFixture } from '../support/fixture-stack';

let stack: LoadedStack;
let monitors: MonitorDefinition[];
beforeAll(() => {
  stack = synthFixture('production');
  monitors = monitorsForStack(stack);
});

const ofKind = (kind: string) => monitors.filter((m) => m.kind === kind);
const addressesOf = (type: string) => stack.resources.filter((r) => r.type === type).map((r) => r.address);

describe('HTTP API monitors', () => {
  it('watches the API and its stage for 5xx rate and p99 latency, selected by the service and env tags', () => {
    // prepare
    const watched = [...addressesOf('aws_apigatewayv2_api'), ...addressesOf('aws_apigatewayv2_stage')];

    // act
    const fiveXx = ofKind('http-api-5xx-rate');
    const latency = ofKind('http-api-latency');

    // assess
    expect(fiveXx).toHaveLength(1);
    expect(fiveXx[0]).toMatchObject({
      key: 'production/http-api-5xx-rate/kestrel-production-customers-http',
      query:
        'sum(last_10m):sum:aws.apigateway.5xx{service:customers,env:production}.as_count() / sum:aws.apigateway.count{service:customers,env:production}.as_count() > 0.05',
      options: { thresholds: { critical: 0.05, warning: 0.01 }, notify_no_data: false, evaluation_delay: 900 },
      priority: 2,
    });
    expect(latency).toHaveLength(1);
    expect(latency[0]).toMatchObject({
      key: 'production/http-api-latency/kestrel-production-customers-http',
      query: 'avg(last_15m):max:aws.apigateway.latency.p99{service:customers,env:production} > 3000',
      options: { thresholds: { critical: 3000, warning: 1500 } },
      priority: 3,
    });
    for (const monitor of [...fiveXx, ...latency]) expect([...monitor.watches].sort()).toEqual(watched.sort());
  });

  it('adds one handler error-rate monitor per HTTP-triggered function, however many routes it answers', () => {
    // act
    const handlers = ofKind('http-handler-error-rate');

    // assess: http-list-things answers two routes through one integration
    expect(handlers.map((m) => m.key).sort()).toEqual([
      'production/http-handler-error-rate/kestrel-production-customers-http-get-thing',
      'production/http-handler-error-rate/kestrel-production-customers-http-list-things',
    ]);
    expect(handlers.find((m) => m.key.endsWith('http-list-things'))?.query).toBe(
      'sum(last_10m):sum:kestrel.handler.errors{service:customers,function:http-list-things,env:production}.as_count() / sum:kestrel.handler.invocations{service:customers,function:http-list-things,env:production}.as_count() > 0.05',
    );
    expect(handlers.flatMap((m) => m.watches).filter((a) => a.startsWith('aws_apigatewayv2_integration.')).sort()).toEqual(addressesOf('aws_apigatewayv2_integration').sort());
  });

  it('routes the new kinds like every other monitor: paging in production, runbook anchor per kind, valid definitions', () => {
    for (const monitor of [...ofKind('http-api-5xx-rate'), ...ofKind('http-api-latency'), ...ofKind('http-handler-error-rate')]) {
      expect(validateDefinition(monitor)).toBeUndefined();
      expect(monitor.message).toContain(`docs/on-call.md#${monitor.kind}`);
      expect(monitor.message).toContain('@slack-kestrel-customers-alerts');
      expect(monitor.tags).toContain(`monitor-kind:${monitor.kind}`);
      if (MONITOR_KINDS[monitor.kind].pages) expect(monitor.message).toContain('@pagerduty-kestrel-customers');
      else expect(monitor.message).not.toContain('@pagerduty');
    }
  });

  it('names the integration whose function has no handler error-rate monitor', () => {
    // prepare
    const withoutHandlers = monitors.filter((m) => m.kind !== 'http-handler-error-rate');

    // act
    const gaps = unmonitoredResources(stack, withoutHandlers);

    // assess
    expect(gaps.map((g) => g.address).sort()).toEqual(addressesOf('aws_apigatewayv2_integration').sort());
    expect(gaps.every((g) => g.expectedKinds.join() === 'http-handler-error-rate')).toBe(true);
  });

  it('names the API and stage when the API monitors are missing', () => {
    const gaps = unmonitoredResources(stack, monitors.filter((m) => !m.kind.startsWith('http-api-')));
    expect(gaps.map((g) => g.type).sort()).toEqual(['aws_apigatewayv2_api', 'aws_apigatewayv2_stage']);
  });

  it('refuses a stack with two HTTP APIs, whose tag-scoped metrics could not be told apart', () => {
    // prepare
    const api = stack.resources.find((r) => r.type === 'aws_apigatewayv2_api');
    const twoApis: LoadedStack = { ...stack, resources: [...stack.resources, { ...api!, address: 'aws_apigatewayv2_api.second', values: { ...api!.values, name: 'kestrel-production-customers-admin' } }] };

    // act / assess
    expect(() => monitorsForStack(twoApis)).toThrow(/2 HTTP APIs \(aws_apigatewayv2_api\.http_api_\w+, aws_apigatewayv2_api\.second\).*cannot tell two APIs apart/);
  });

  it('refuses an integration that does not point at a function of the stack', () => {
    // prepare
    const integration = stack.resources.find((r) => r.type === 'aws_apigatewayv2_integration')!;
    const external: LoadedStack = {
      ...stack,
      resources: stack.resources.map((r) => (r === integration ? { ...r, values: { ...r.values, integration_uri: 'arn:aws:lambda:eu-west-1:111111111111:function:elsewhere' } } : r)),
    };

    // act / assess
    expect(() => monitorsForStack(external)).toThrow(`${integration.address} does not integrate a function of this stack`);
  });
});

describe('the handler error-rate monitor reads what withObservability emits', () => {
  beforeEach(() => {
    // The wrapper's logger writes JSON lines; keep the test output readable.
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  const context = {
    awsRequestId: 'req-1',
    functionName: 'kestrel-production-customers-http-get-thing',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:kestrel-production-customers-http-get-thing',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/kestrel-production-customers-http-get-thing',
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 6_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } satisfies Context;
  const request = { version: '2.0', routeKey: 'GET /things/{id}', headers: {}, requestContext: { requestId: 'api-1', http: { method: 'GET', path: '/things/t-1' } } };

  it("counts a 5xx answer in both metrics of the monitor's ratio, under the tags the monitor filters on", async () => {
    // prepare
    const points: MetricPoint[] = [];
    const handler = withObservability(async () => ({ statusCode: 503, body: '{}' }), {
      service: 'customers',
      functionName: 'http-get-thing',
      env: { DD_ENV: 'production' },
      metricSink: { send: async (sent) => void points.push(...sent) },
    });
    const monitor = ofKind('http-handler-error-rate').find((m) => m.key.endsWith('/kestrel-production-customers-http-get-thing'));
    const [, errorsMetric, errorsFilter, invocationsMetric, invocationsFilter] =
      /^sum\(last_10m\):sum:([\w.]+)\{([^}]+)\}\.as_count\(\) \/ sum:([\w.]+)\{([^}]+)\}\.as_count\(\) > [\d.]+$/.exec(monitor?.query ?? '') ?? [];

    // act
    await handler(request, context);

    // assess
    const matches = (name: string | undefined, filter: string | undefined) =>
      points.filter((p) => p.name === name && (filter ?? '').split(',').every((tag) => p.tags.includes(tag)));
    expect(matches(errorsMetric, errorsFilter)).toHaveLength(1);
    expect(matches(invocationsMetric, invocationsFilter)).toHaveLength(1);
  });
});
