/**
 * An HTTP API route whose Lambda is throttled, with the real Lambda module behind the API: Lambda
 * refuses the invocation with 429 TooManyRequestsException (its reserved concurrency is 0, or the
 * account's unreserved pool is busy), and API Gateway answers what AWS documents for a rejected
 * invocation: 500 `{"message":"Internal Server Error"}`, `application/json`, its request id, no
 * Retry-After, and no retry of the invocation (AWS Lambda developer guide, "Handling Lambda errors
 * with an API Gateway API"; API Gateway's "Troubleshooting issues with HTTP API Lambda integrations").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaInvoker } from '../../src/core/types';
import { apiGatewayModuleFactory, type ApiGatewayModule } from '../../src/services/apigateway';
import { lambdaModuleFactory, type LambdaModule } from '../../src/services/lambda';
import { buildFixtureStack, type FixtureStack } from '../lambda/support';
import { startHarness, type Harness } from '../sqs/harness';
import { applyHttpApi } from './support';

describe('HTTP API in front of a throttled Lambda', () => {
  let stack: FixtureStack;
  let harness: Harness;
  let url: string;
  const module = <T>(name: string) => harness.modules.find((candidate) => candidate.name === name) as T;

  beforeAll(async () => {
    stack = await buildFixtureStack();
    // One unreserved environment for the account, so a second concurrent call is throttled too.
    harness = await startHarness([lambdaModuleFactory({ unreservedConcurrency: 1 }), apiGatewayModuleFactory()]);
    const api = await applyHttpApi(harness, { stack: 'throttled', name: 'throttled-http', stackDir: stack.stackDir });
    const { apply } = api;
    url = api.url;
    for (const [name, reserved] of [
      ['disabled', 0],
      ['shared', -1],
    ] as const) {
      const fn = await apply('aws_lambda_function', name, { function_name: name, handler: 'index.handler', runtime: 'nodejs24.x', filename: stack.zipAsset, reserved_concurrent_executions: reserved });
      await apply('aws_lambda_permission', name, { statement_id: 'AllowApiGateway', action: 'lambda:InvokeFunction', function_name: name, principal: 'apigateway.amazonaws.com' });
      await api.addProxyRoute(name, `POST /${name}`, String(fn.invoke_arn ?? fn.arn));
    }
  }, 120_000);

  afterAll(async () => {
    await harness?.stop();
    stack?.cleanup();
  });

  it('answers 500 {"message":"Internal Server Error"} with no Retry-After when the function’s reserved concurrency is 0, and does not retry', async () => {
    // act
    const response = await fetch(`${url}/disabled`, { method: 'POST', body: JSON.stringify({ action: 'echo' }) });
    // assess
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('apigw-requestid')).toMatch(/\S+/);
    expect(response.headers.get('retry-after')).toBeNull();
    const lambda = module<LambdaModule>('lambda');
    expect(lambda.service.registry.get('disabled')?.counters).toMatchObject({ invocations: 0, throttles: 1 });
    expect(module<ApiGatewayModule>('apigateway').service.recentRequests().at(-1)).toMatchObject({
      status: 500,
      note: 'Lambda throttled the invocation (ReservedFunctionConcurrentInvocationLimitExceeded); API Gateway does not retry',
    });
  });

  it('answers the same to the call beyond the account’s concurrency while another runs; the running call completes', async () => {
    // act: a direct invocation holds the account's only unreserved environment for 1.5 s
    const invoker = module<LambdaModule>('lambda').provides?.lambda as LambdaInvoker;
    const first = invoker.invoke('shared', { action: 'sleep', ms: 1500 }, { invocationType: 'RequestResponse' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const second = await fetch(`${url}/shared`, { method: 'POST', body: JSON.stringify({ action: 'echo' }) });
    // assess
    expect([second.status, await second.json(), second.headers.get('retry-after')]).toEqual([500, { message: 'Internal Server Error' }, null]);
    expect(module<ApiGatewayModule>('apigateway').service.recentRequests().at(-1)?.note).toContain('ConcurrentInvocationLimitExceeded');
    expect((await first).payload).toEqual({ slept: 1500 });
  });
});
