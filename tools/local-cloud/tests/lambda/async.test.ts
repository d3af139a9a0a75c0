import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../../src/services/lambda';
import { buildFixtureStack, createTestCloud } from './support';
import type { FixtureStack, TestCloud } from './support';

const FAILURES_QUEUE = 'arn:aws:sqs:eu-west-1:000000000000:failures';
const SUCCESSES_QUEUE = 'arn:aws:sqs:eu-west-1:000000000000:successes';
const DEAD_LETTERS = 'arn:aws:sqs:eu-west-1:000000000000:dead-letters';
const BUS = 'arn:aws:events:eu-west-1:000000000000:event-bus/platform';

let stack: FixtureStack;
let cloud: TestCloud;

beforeAll(async () => {
  stack = await buildFixtureStack();
  // 1/600: Lambda's 60 s and 120 s retry delays become 100 ms and 200 ms.
  cloud = createTestCloud(stack, { asyncTimeScale: 1 / 600 });
});

afterAll(async () => {
  await cloud.stop();
  stack.cleanup();
});

const records = (bodies: Array<{ body: string }>) => bodies.map((message) => JSON.parse(message.body) as InvocationRecord);

/** Deploys the fixture function with an on-success destination of its own; returns that queue's ARN. */
async function deployRecordingSuccesses(target: TestCloud, name: string): Promise<string> {
  const successes = `arn:aws:sqs:eu-west-1:000000000000:${name}-successes`;
  await target.deployFunction(name);
  await target.apply('aws_lambda_function_event_invoke_config', name, { function_name: name, destination_config: { on_success: { destination: successes } } });
  return successes;
}

/** `deployRecordingSuccesses`, then one synchronous call: the function has one warm environment, whose pid is returned. */
async function deployWarm(target: TestCloud, name: string): Promise<{ successes: string; warmPid: number }> {
  const successes = await deployRecordingSuccesses(target, name);
  const warm = JSON.parse((await target.module.service.invokeSync(name, JSON.stringify({ action: 'whoami' }))).payload) as { pid: number };
  return { successes, warmPid: warm.pid };
}

/** Two async events at once, one sleeping `ms` then one asking its pid; which pid answered and the order they finished in. */
async function sleepThenWhoami(target: TestCloud, name: string, ms: number, successes: string): Promise<{ whoamiPid: number | undefined; actionsInOrder: string[] }> {
  target.module.service.invokeAsync(name, JSON.stringify({ action: 'sleep', ms }));
  target.module.service.invokeAsync(name, JSON.stringify({ action: 'whoami' }));
  await target.module.service.whenAsyncIdle();
  const served = records(target.queues.to(successes));
  const whoami = served.find((record) => (record.requestPayload as { action: string }).action === 'whoami');
  return { whoamiPid: (whoami?.responsePayload as { pid: number } | undefined)?.pid, actionsInOrder: served.map((record) => (record.requestPayload as { action: string }).action) };
}

describe('asynchronous invocation', () => {
  it('while running, loses no event: every event either succeeds or reaches the on-failure destination after its retries (kill -9: tests/crash)', async () => {
    // prepare
    await cloud.deployFunction('flaky');
    await cloud.apply('aws_lambda_function_event_invoke_config', 'flaky', {
      function_name: 'flaky',
      maximum_retry_attempts: 2,
      destination_config: [{ on_failure: [{ destination: FAILURES_QUEUE }], on_success: [{ destination: SUCCESSES_QUEUE }] }],
    });
    const events = Array.from({ length: 12 }, (_, id) => ({ action: 'fail-if', id, fail: id % 3 === 0 }));

    // act
    const answers = await Promise.all(events.map((event) => cloud.module.provides.lambda.invoke('flaky', event, { invocationType: 'Event' })));
    await cloud.module.service.whenAsyncIdle();

    // assess
    expect(answers.every((answer) => answer.statusCode === 202)).toBe(true);
    const failures = records(cloud.queues.to(FAILURES_QUEUE));
    const successes = records(cloud.queues.to(SUCCESSES_QUEUE));
    expect(successes.length + failures.length).toBe(events.length);
    expect(failures.map((record) => (record.requestPayload as { id: number }).id).sort((a, b) => a - b)).toEqual([0, 3, 6, 9]);
    expect(failures[0]).toMatchObject({
      version: '1.0',
      requestContext: { functionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:flaky:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: expect.stringMatching(/^event \d+ fails$/) },
    });
    expect(successes[0]).toMatchObject({ requestContext: { condition: 'Success', approximateInvokeCount: 1 }, responseContext: { statusCode: 200 } });
    expect(cloud.module.service.registry.get('flaky')?.counters.invocations).toBe(8 + 4 * 3);
  });

  it('sends a dead-lettered event to the DLQ with the attributes Lambda sets', async () => {
    // prepare
    await cloud.deployFunction('dead-lettering', { dead_letter_config: { target_arn: DEAD_LETTERS } });
    await cloud.apply('aws_lambda_function_event_invoke_config', 'dead-lettering', { function_name: 'dead-lettering', maximum_retry_attempts: 0 });

    // act
    const requestId = cloud.module.service.invokeAsync('dead-lettering', JSON.stringify({ action: 'throw', message: 'cannot process' }));
    await cloud.module.service.whenAsyncIdle();

    // assess
    const [message] = cloud.queues.to(DEAD_LETTERS);
    expect(JSON.parse(message?.body ?? '')).toEqual({ action: 'throw', message: 'cannot process' });
    expect(message?.attributes).toEqual({
      RequestID: { DataType: 'String', StringValue: requestId },
      ErrorCode: { DataType: 'Number', StringValue: '200' },
      ErrorMessage: { DataType: 'String', StringValue: 'cannot process' },
    });
    expect(cloud.module.service.registry.get('dead-lettering')?.counters.invocations).toBe(1);
  });

  it('keeps throttled events queued until they are too old, then reports EventAgeExceeded to an EventBridge destination', async () => {
    // prepare
    await cloud.deployFunction('switched-off', { reserved_concurrent_executions: 0 });
    await cloud.apply('aws_lambda_function_event_invoke_config', 'switched-off', {
      function_name: 'switched-off',
      maximum_event_age_in_seconds: 60,
      destination_config: { on_failure: { destination: BUS } },
    });

    // act
    cloud.module.service.invokeAsync('switched-off', JSON.stringify({ action: 'echo', n: 1 }));
    await cloud.module.service.whenAsyncIdle();

    // assess
    const [entry] = cloud.bus.entries;
    expect(entry).toMatchObject({ Source: 'lambda', DetailType: 'Lambda Function Invocation Result - Failure', EventBusName: BUS });
    expect(JSON.parse(entry?.Detail ?? '')).toMatchObject({
      requestContext: { condition: 'EventAgeExceeded', approximateInvokeCount: 0 },
      requestPayload: { action: 'echo', n: 1 },
    });
    expect(cloud.module.service.registry.get('switched-off')?.counters.invocations).toBe(0);
  });

  it('delivers to a Lambda destination as an async invocation of that function', async () => {
    // prepare
    await cloud.deployFunction('producer');
    await cloud.deployFunction('record-sink');
    await cloud.apply('aws_lambda_function_event_invoke_config', 'producer', {
      function_name: 'arn:aws:lambda:eu-west-1:000000000000:function:producer',
      destination_config: { on_success: { destination: 'arn:aws:lambda:eu-west-1:000000000000:function:record-sink' } },
    });

    // act
    cloud.module.service.invokeAsync('producer', JSON.stringify({ action: 'echo', n: 2 }));
    await cloud.module.service.whenAsyncIdle();

    // assess
    expect(cloud.module.service.registry.get('record-sink')?.counters.invocations).toBe(1);
    const sinkLog = await cloud.readLog('record-sink');
    expect(sinkLog.some((line) => line.type === 'platform.report')).toBe(true);
  });

  it('queues events beyond the reserved concurrency instead of throttling them away', async () => {
    // prepare
    await cloud.deployFunction('one-at-a-time', { reserved_concurrent_executions: 1 });
    await cloud.apply('aws_lambda_function_event_invoke_config', 'one-at-a-time', {
      function_name: 'one-at-a-time',
      destination_config: { on_success: { destination: SUCCESSES_QUEUE } },
    });
    const before = cloud.queues.to(SUCCESSES_QUEUE).length;

    // act
    for (let n = 0; n < 4; n += 1) cloud.module.service.invokeAsync('one-at-a-time', JSON.stringify({ action: 'sleep', ms: 30 }));
    await cloud.module.service.whenAsyncIdle();

    // assess
    expect(cloud.queues.to(SUCCESSES_QUEUE).length - before).toBe(4);
    const fn = cloud.module.service.registry.get('one-at-a-time');
    expect(fn?.counters.coldStarts).toBe(1);
    expect(fn?.counters.throttles).toBe(0);
  });

  it('runs a waiting event in the busy environment when it frees sooner than a cold start takes, starting no process for it', async () => {
    // prepare
    const { successes, warmPid } = await deployWarm(cloud, 'first-free');

    // act: the first event takes the warm environment; the second finds none idle
    const served = await sleepThenWhoami(cloud, 'first-free', 1, successes);

    // assess: the warm environment frees in about a millisecond, a process start takes tens of them
    expect(served.whoamiPid).toBe(warmPid);
    const fn = cloud.module.service.registry.get('first-free');
    await fn?.whenStarted();
    expect(fn?.counters.coldStarts).toBe(1);
    expect(fn?.idleCount).toBe(1);
  });

  it("runs the events that queued up during a cold function's first cold start in that environment, starting no second one for them", async () => {
    // prepare
    const successes = await deployRecordingSuccesses(cloud, 'backlog');

    // act: ten events at once for a function with no environment
    for (let n = 0; n < 10; n += 1) cloud.module.service.invokeAsync('backlog', JSON.stringify({ action: 'whoami' }));
    await cloud.module.service.whenAsyncIdle();

    // assess: the backlog drains in the first environment within a few ms, less than a second cold start would take
    const pids = records(cloud.queues.to(successes)).map((record) => (record.responsePayload as { pid: number }).pid);
    expect(pids).toHaveLength(10);
    expect(new Set(pids).size).toBe(1);
    const fn = cloud.module.service.registry.get('backlog');
    await fn?.whenStarted();
    expect(fn?.counters.coldStarts).toBe(1);
  });

  it('scales out for a waiting event once it has waited as long as a cold start takes', async () => {
    // prepare
    const { successes, warmPid } = await deployWarm(cloud, 'scale-out');
    const fn = cloud.module.service.registry.get('scale-out');
    expect(fn?.coldStartEstimateMs).toBeGreaterThan(0);

    // act: the first event holds the warm environment far longer than a cold start takes
    const served = await sleepThenWhoami(cloud, 'scale-out', 1500, successes);

    // assess: the second event ran in a new environment, while the first still slept
    expect(served.whoamiPid).not.toBe(warmPid);
    expect(served.actionsInOrder).toEqual(['whoami', 'sleep']);
    expect(fn?.counters.coldStarts).toBe(2);
  });

  it("with asyncScaleOut 'immediate' (AWS's rule) starts an environment as soon as an event waits, yet runs the event in the first that frees", async () => {
    // prepare
    const immediate = createTestCloud(stack, { asyncScaleOut: 'immediate' });
    try {
      const { successes, warmPid } = await deployWarm(immediate, 'immediate');

      // act
      const served = await sleepThenWhoami(immediate, 'immediate', 1, successes);

      // assess
      expect(served.whoamiPid).toBe(warmPid);
      const fn = immediate.module.service.registry.get('immediate');
      await fn?.whenStarted();
      expect(fn?.counters.coldStarts).toBe(2);
      expect(fn?.idleCount).toBe(2);
    } finally {
      await immediate.stop();
    }
  });

  it('refuses an unknown LOCAL_CLOUD_LAMBDA_ASYNC_SCALE_OUT by name', () => {
    process.env.LOCAL_CLOUD_LAMBDA_ASYNC_SCALE_OUT = 'eager';
    try {
      expect(() => createTestCloud(stack)).toThrow("LOCAL_CLOUD_LAMBDA_ASYNC_SCALE_OUT: 'eager' is not one of after-cold-start-time, immediate");
    } finally {
      delete process.env.LOCAL_CLOUD_LAMBDA_ASYNC_SCALE_OUT;
    }
  });
});
