import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../src/core/types';
import { buildFixtureStack, createTestCloud, invokeJson } from './support';
import type { FixtureStack, TestCloud } from './support';

let stack: FixtureStack;
let cloud: TestCloud;

beforeAll(async () => {
  stack = await buildFixtureStack();
  cloud = createTestCloud(stack);
  await cloud.module.start?.();
  await cloud.deployFunction('echo', { environment: { variables: { TABLE_NAME: 'orders', STAGE: 'local' } }, memory_size: 256 });
});

afterAll(async () => {
  await cloud.stop();
  stack.cleanup();
});

describe('synchronous invocation', () => {
  it('round-trips the payload through the bundle', async () => {
    // prepare
    const event = { action: 'echo', order: { id: 'o-1', lines: [1, 2, 3] }, text: 'héllo ✓' };

    // act
    const result = await invokeJson(cloud, 'echo', event);

    // assess
    expect(result.functionError).toBeUndefined();
    expect(result.executedVersion).toBe('$LATEST');
    expect(result.body).toEqual({ received: event });
  });

  it('gives the handler the Terraform environment variables, the local endpoint and the Lambda variables', async () => {
    // act
    const result = await invokeJson(cloud, 'echo', {
      action: 'env',
      keys: ['TABLE_NAME', 'STAGE', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_LOG_GROUP_NAME', '_HANDLER', 'NODE_OPTIONS', 'AWS_ACCESS_KEY_ID', 'LAMBDA_TASK_ROOT'],
    });

    // assess
    expect(result.body).toMatchObject({
      TABLE_NAME: 'orders',
      STAGE: 'local',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'echo',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/echo',
      _HANDLER: 'index.handler',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(result.body.AWS_ACCESS_KEY_ID).toEqual(expect.any(String));
    expect(result.body.LAMBDA_TASK_ROOT).toEqual(expect.stringContaining('lambda/code/zip-'));
  });

  it('passes a context object with the fields Lambda sets', async () => {
    // act
    const result = await invokeJson(cloud, 'echo', { action: 'context' });

    // assess
    expect(result.body).toMatchObject({
      functionName: 'echo',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:echo',
      memoryLimitInMB: '256',
      awsRequestId: result.requestId,
      logGroupName: '/aws/lambda/echo',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(result.body.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(result.body.remainingTimeInMillis).toBeGreaterThan(0);
    expect(result.body.remainingTimeInMillis).toBeLessThanOrEqual(3000);
  });

  it('returns a thrown error as Lambda does: Unhandled, with errorType, errorMessage and trace', async () => {
    // act
    const result = await invokeJson(cloud, 'echo', { action: 'throw', message: 'order is invalid' });

    // assess
    expect(result.functionError).toBe('Unhandled');
    expect(result.body).toMatchObject({ errorType: 'TypeError', errorMessage: 'order is invalid' });
    expect(result.body.trace).toEqual(expect.arrayContaining([expect.stringContaining('TypeError: order is invalid')]));
  });

  it('reports a thrown string by its type', async () => {
    // act
    const result = await invokeJson(cloud, 'echo', { action: 'throw-string', message: 'plain failure' });

    // assess
    expect(result.functionError).toBe('Unhandled');
    expect(result.body).toEqual({ errorType: 'string', errorMessage: 'plain failure', trace: [] });
  });

  it('reuses a warm environment: no init duration, same process, module state kept', async () => {
    // prepare
    await cloud.deployFunction('warm');
    const first = await invokeJson(cloud, 'warm', { action: 'whoami' });

    // act
    const second = await invokeJson(cloud, 'warm', { action: 'whoami' });

    // assess
    expect(first.coldStart).toBe(true);
    expect(first.metrics.initDurationMs).toBeGreaterThan(0);
    expect(second.coldStart).toBe(false);
    expect(second.metrics.initDurationMs).toBeUndefined();
    expect(second.body.pid).toBe(first.body.pid);
    expect(second.body.initializedAt).toBe(first.body.initializedAt);
    expect(second.body.invocationsInThisEnvironment).toBe(2);
  });

  it('discards environments idle longer than the idle timeout', async () => {
    // prepare
    await cloud.deployFunction('reaped');
    const first = await invokeJson(cloud, 'reaped', { action: 'whoami' });
    const fn = cloud.module.service.registry.get('reaped');

    // act
    const reaped = fn?.reapIdle(60_000, Date.now() + 60_000);
    const next = await invokeJson(cloud, 'reaped', { action: 'whoami' });

    // assess
    expect(reaped).toBe(1);
    expect(next.coldStart).toBe(true);
    expect(next.body.pid).not.toBe(first.body.pid);
  });

  it('starts a second environment for a concurrent invocation', async () => {
    // prepare
    await cloud.deployFunction('parallel');

    // act
    const [slow, concurrent] = await Promise.all([
      invokeJson(cloud, 'parallel', { action: 'sleep', ms: 300 }),
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return invokeJson(cloud, 'parallel', { action: 'whoami' });
      })(),
    ]);
    const afterwards = cloud.module.service.registry.get('parallel');

    // assess
    expect(slow.body).toEqual({ slept: 300 });
    expect(concurrent.coldStart).toBe(true);
    expect(slow.pid).not.toBe(concurrent.pid);
    expect(afterwards?.idleCount).toBe(2);
    expect(afterwards?.counters.coldStarts).toBe(2);
  });

  it('enforces the timeout: Sandbox.Timedout, the environment discarded, the next call a cold start', async () => {
    // prepare
    await cloud.deployFunction('slow', { timeout: 1 });
    const before = await invokeJson(cloud, 'slow', { action: 'whoami' });

    // act
    const timedOut = await invokeJson(cloud, 'slow', { action: 'sleep', ms: 5000 });
    const after = await invokeJson(cloud, 'slow', { action: 'whoami' });

    // assess
    expect(timedOut.functionError).toBe('Unhandled');
    expect(timedOut.body).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${timedOut.requestId} Error: Task timed out after 1.00 seconds` });
    expect(timedOut.metrics.durationMs).toBe(1000);
    expect(after.coldStart).toBe(true);
    expect(after.body.pid).not.toBe(before.body.pid);
    const report = (await cloud.readLog('slow')).find((line) => line.type === 'platform.report' && line.requestId === timedOut.requestId);
    expect(report?.message).toContain('Status: timeout');
  });

  it('discards an environment whose process exits, and says so', async () => {
    // prepare
    await cloud.deployFunction('exits');

    // act
    const exited = await invokeJson(cloud, 'exits', { action: 'exit', code: 3 });
    const next = await invokeJson(cloud, 'exits', { action: 'whoami' });

    // assess
    expect(exited.functionError).toBe('Unhandled');
    expect(exited.body).toEqual({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${exited.requestId} Error: Runtime exited with error: exit status 3` });
    expect(next.coldStart).toBe(true);
  });

  it('reports running out of the function memory as Runtime.OutOfMemory', async () => {
    // prepare
    await cloud.deployFunction('hungry', { memory_size: 128, timeout: 30 });

    // act
    const result = await invokeJson(cloud, 'hungry', { action: 'grow-heap', megabytes: 512 });

    // assess
    expect(result.functionError).toBe('Unhandled');
    expect(result.body.errorType).toBe('Runtime.OutOfMemory');
  });

  it('supports callback-style handlers on nodejs22.x, succeeding and failing', async () => {
    // prepare: nodejs22.x, the last runtime AWS runs callback-style handlers on (nodejs24.x dropped them)
    await cloud.deployFunction('callback', { handler: 'index.callbackHandler', runtime: 'nodejs22.x' });
    await cloud.deployFunction('callback-error', { handler: 'index.callbackErrorHandler', runtime: 'nodejs22.x' });

    // act
    const ok = await invokeJson(cloud, 'callback', { n: 1 });
    const failed = await invokeJson(cloud, 'callback-error', {});

    // assess
    expect(ok.body).toEqual({ viaCallback: { n: 1 } });
    expect(failed.functionError).toBe('Unhandled');
    expect(failed.body).toMatchObject({ errorType: 'RangeError', errorMessage: 'callback failure' });
  });

  it('answers a missing export with Runtime.HandlerNotFound', async () => {
    // prepare
    await cloud.deployFunction('misnamed', { handler: 'index.nothingHere' });

    // act
    const result = await invokeJson(cloud, 'misnamed', {});

    // assess
    expect(result.functionError).toBe('Unhandled');
    expect(result.body).toMatchObject({ errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.nothingHere is undefined or not exported' });
  });

  it('loads a CommonJS bundle from a directory asset', async () => {
    // prepare
    const cjs = await buildFixtureStack({ format: 'cjs' });
    const cjsCloud = createTestCloud(cjs);
    try {
      await cjsCloud.deployFunction('cjs', { filename: cjs.directoryAsset });

      // act
      const result = await invokeJson(cjsCloud, 'cjs', { action: 'echo', value: 42 });

      // assess
      expect(result.body).toEqual({ received: { action: 'echo', value: 42 } });
    } finally {
      await cjsCloud.stop();
      cjs.cleanup();
    }
  });
});

describe('concurrency limits', () => {
  it('throttles every synchronous call when reserved concurrency is 0', async () => {
    // prepare
    await cloud.deployFunction('disabled', { reserved_concurrent_executions: 0 });

    // act
    const failure = await cloud.module.service.invokeSync('disabled', '{}').catch((error: unknown) => error);

    // assess
    expect(failure).toBeInstanceOf(AwsServiceError);
    expect(failure).toMatchObject({ code: 'TooManyRequestsException', status: 429, message: 'Rate Exceeded.', extra: { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' } });
    expect(cloud.module.service.registry.get('disabled')?.counters.throttles).toBe(1);
  });

  it('throttles the call beyond the reserved concurrency while the first still runs', async () => {
    // prepare
    await cloud.deployFunction('single', { reserved_concurrent_executions: 1 });
    const running = invokeJson(cloud, 'single', { action: 'sleep', ms: 300 });
    await new Promise((resolve) => setTimeout(resolve, 50));

    // act
    const second = await cloud.module.service.invokeSync('single', '{"action":"whoami"}').catch((error: unknown) => error);

    // assess
    expect(second).toMatchObject({ code: 'TooManyRequestsException' });
    expect((await running).body).toEqual({ slept: 300 });
  });
});

describe('request validation', () => {
  it('answers an unknown function with the 404 Lambda sends', async () => {
    // act
    const failure = await cloud.module.service.invokeSync('nope', '{}').catch((error: unknown) => error);

    // assess
    expect(failure).toMatchObject({ code: 'ResourceNotFoundException', status: 404, message: 'Function not found: arn:aws:lambda:eu-west-1:000000000000:function:nope' });
  });

  it('refuses a payload that is not JSON', async () => {
    // act
    const failure = await cloud.module.service.invokeSync('echo', '{not json').catch((error: unknown) => error);

    // assess
    expect(failure).toMatchObject({ code: 'InvalidRequestContentException', status: 400 });
    expect((failure as Error).message).toMatch(/^Could not parse request body into json: Could not parse payload into json: /);
  });

  it('refuses payloads above 6 MB sync and 1 MB async', async () => {
    // prepare
    const sixMegabytesAndABit = JSON.stringify({ data: 'x'.repeat(6 * 1024 * 1024) });
    const oneMegabyteAndABit = JSON.stringify({ data: 'x'.repeat(1024 * 1024) });

    // act
    const sync = await cloud.module.service.invokeSync('echo', sixMegabytesAndABit).catch((error: unknown) => error);
    const asyncFailure = (() => {
      try {
        return cloud.module.service.invokeAsync('echo', oneMegabyteAndABit);
      } catch (error) {
        return error;
      }
    })();

    // assess
    expect(sync).toMatchObject({ code: 'RequestEntityTooLargeException', status: 413, message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' });
    expect(asyncFailure).toMatchObject({
      code: 'RequestEntityTooLargeException',
      status: 413,
      message: `${Buffer.byteLength(oneMegabyteAndABit)} byte payload is too large for the Event invocation type (limit 1048576 bytes)`,
    });
  });
});

describe('logs', () => {
  it('writes START, application lines with the request id, END and a REPORT line per invocation', async () => {
    // prepare
    await cloud.deployFunction('chatty', { memory_size: 192 });

    // act
    const cold = await invokeJson(cloud, 'chatty', { action: 'log', message: 'hello' }, { tail: true });
    const warm = await invokeJson(cloud, 'chatty', { action: 'log', message: 'again' }, { tail: true });
    const log = await cloud.readLog('chatty');

    // assess
    const forCold = log.filter((line) => line.requestId === cold.requestId);
    expect(forCold.map((line) => line.type ?? line.level)).toEqual(['platform.start', 'INFO', 'WARN', 'ERROR', 'INFO', 'platform.end', 'platform.report']);
    expect(forCold[0]?.message).toBe(`START RequestId: ${cold.requestId} Version: $LATEST`);
    expect(forCold[1]?.message).toBe('info line: hello');
    expect(forCold[3]?.message).toBe('error line { nested: true }');
    expect(forCold[4]).toMatchObject({ message: 'raw stdout line', stream: 'stdout' });
    const coldReport = String(forCold[6]?.message);
    expect(coldReport).toMatch(
      new RegExp(`^REPORT RequestId: ${cold.requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 192 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms\\t$`),
    );
    const warmReport = String(log.find((line) => line.type === 'platform.report' && line.requestId === warm.requestId)?.message);
    expect(warmReport).not.toContain('Init Duration');
    expect(cold.metrics.maxMemoryUsedMB).toBeGreaterThan(10);
    expect(cold.metrics.billedDurationMs).toBeGreaterThanOrEqual(Math.ceil(cold.metrics.durationMs));
    expect(cold.logLines?.[0]).toBe(`START RequestId: ${cold.requestId} Version: $LATEST`);
    expect(cold.logLines?.some((line) => line.endsWith(`\t${cold.requestId}\tINFO\tinfo line: hello`))).toBe(true);
    expect(cold.logLines?.at(-1)).toBe(coldReport);
  });
});

describe('runtimes', () => {
  it('runs nodejs24.x functions on Node 24 and nodejs22.x on Node 22', async () => {
    // prepare
    await cloud.deployFunction('node24', { runtime: 'nodejs24.x' });
    await cloud.deployFunction('node22', { runtime: 'nodejs22.x' });

    // act
    const on24 = await invokeJson(cloud, 'node24', { action: 'whoami' });
    const on22 = await invokeJson(cloud, 'node22', { action: 'whoami' });

    // assess
    expect(on24.body.version).toMatch(/^v24\./);
    expect(on22.body.version).toMatch(/^v22\./);
  }, 120_000);
});

describe('state', () => {
  it('describes each function with its pool and counters', async () => {
    // prepare
    await cloud.deployFunction('described', { reserved_concurrent_executions: 3, timeout: 7 });
    await invokeJson(cloud, 'described', { action: 'throw', message: 'x' });
    await invokeJson(cloud, 'described', { action: 'whoami' });

    // act
    const state = cloud.module.state.find((contributor) => contributor.stateKey === 'functions')?.describe() as Array<Record<string, unknown>>;

    // assess
    expect(state.find((fn) => fn.name === 'described')).toMatchObject({
      arn: 'arn:aws:lambda:eu-west-1:000000000000:function:described',
      runtime: 'nodejs24.x',
      nodeBinary: process.execPath,
      handler: 'index.handler',
      timeout: 7,
      memorySize: 128,
      reservedConcurrency: 3,
      warm: 1,
      busy: 0,
      invocations: 2,
      errors: 1,
      coldStarts: 1,
    });
  });
});
