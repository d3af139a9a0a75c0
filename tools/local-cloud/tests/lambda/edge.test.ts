/**
 * The Lambda module behind the real edge server, called with the real
 * `@aws-sdk/client-lambda`, next to the real SQS module (destinations, and a
 * function that calls SQS through `AWS_ENDPOINT_URL`).
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetFunctionCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../../src/core/types';
import type { LocalCloudContext, LocalServiceModule, PeerProviders } from '../../src/core/types';
import { startEdgeServer } from '../../src/edge/server';
import type { EdgeServer } from '../../src/edge/server';
import { lambdaModuleFactory } from '../../src/services/lambda';
import type { LambdaModule } from '../../src/services/lambda';
import { createSqsModule } from '../../src/services/sqs';
import { buildFixtureStack, resource } from './support';
import type { FixtureStack } from './support';

let stack: FixtureStack;
let sdkStack: FixtureStack;
let edge: EdgeServer;
let lambdaModule: LambdaModule;
let modules: LocalServiceModule[];
let lambda: LambdaClient;
let sqs: SQSClient;
let failuresQueueUrl: string;
let outboxQueueUrl: string;

const clientConfig = () => ({
  endpoint: edge.endpoint,
  region: LOCAL_REGION,
  credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
  maxAttempts: 1,
});

async function apply(target: FixtureStack, type: string, name: string, config: Record<string, unknown>) {
  const provisioner = modules.flatMap((module) => module.provisioners).find((candidate) => candidate.type === type);
  if (!provisioner) throw new Error(`no provisioner for ${type}`);
  return provisioner.apply(resource(target.stackDir, type, name, config));
}

const decode = (payload: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

beforeAll(async () => {
  [stack, sdkStack] = await Promise.all([buildFixtureStack(), buildFixtureStack({ entry: 'sdk' })]);
  edge = await startEdgeServer({ port: 0 });
  const provided = <K extends keyof PeerProviders>(key: K) => {
    const found = modules.find((module) => module.provides?.[key])?.provides?.[key];
    if (!found) throw new Error(`no module provides ${key}`);
    return found as NonNullable<PeerProviders[K]>;
  };
  const context: LocalCloudContext = {
    accountId: LOCAL_ACCOUNT_ID,
    region: LOCAL_REGION,
    endpoint: edge.endpoint,
    dataDir: mkdtempSync(join(stack.root, 'data-')),
    inMemory: true,
    peers: { lambda: () => provided('lambda'), sqs: () => provided('sqs'), events: () => provided('events'), firehose: () => provided('firehose') },
    log: () => undefined,
  };
  lambdaModule = lambdaModuleFactory({ asyncTimeScale: 1 / 600 })(context);
  modules = [lambdaModule, createSqsModule(context)];
  for (const module of modules) await module.start?.();
  edge.setModules(modules);
  lambda = new LambdaClient(clientConfig());
  sqs = new SQSClient(clientConfig());

  const failures = await apply(stack, 'aws_sqs_queue', 'failures', { name: 'failures' });
  const outbox = await apply(stack, 'aws_sqs_queue', 'outbox', { name: 'outbox' });
  failuresQueueUrl = String(failures.url);
  outboxQueueUrl = String(outbox.url);
  const fn = (name: string, extra: Record<string, unknown> = {}) => ({ function_name: name, handler: 'index.handler', runtime: 'nodejs24.x', filename: stack.zipAsset, ...extra });
  await apply(stack, 'aws_lambda_function', 'api', fn('api'));
  await apply(stack, 'aws_lambda_function', 'busy', fn('busy', { reserved_concurrent_executions: 0 }));
  await apply(stack, 'aws_lambda_function', 'worker', fn('worker'));
  await apply(stack, 'aws_lambda_function_event_invoke_config', 'worker', {
    function_name: 'worker',
    maximum_retry_attempts: 1,
    destination_config: { on_failure: { destination: failures.arn } },
  });
  await apply(stack, 'aws_lambda_permission', 'api', { statement_id: 'AllowApiGateway', action: 'lambda:InvokeFunction', function_name: 'api', principal: 'apigateway.amazonaws.com' });
  await apply(sdkStack, 'aws_lambda_function', 'publisher', {
    function_name: 'publisher',
    handler: 'index.handler',
    runtime: 'nodejs24.x',
    filename: sdkStack.zipAsset,
    timeout: 10,
    environment: { variables: { QUEUE_URL: outboxQueueUrl } },
  });
}, 60_000);

afterAll(async () => {
  lambda?.destroy();
  sqs?.destroy();
  for (const module of modules ?? []) await module.stop();
  await edge?.close();
  stack?.cleanup();
  sdkStack?.cleanup();
});

describe('Invoke through the edge with the AWS SDK', () => {
  it('answers RequestResponse with the payload, the executed version and the log tail', async () => {
    // act
    const response = await lambda.send(new InvokeCommand({ FunctionName: 'api', Payload: encode({ action: 'echo', id: 7 }), LogType: 'Tail' }));

    // assess
    expect(response.StatusCode).toBe(200);
    expect(response.ExecutedVersion).toBe('$LATEST');
    expect(response.FunctionError).toBeUndefined();
    expect(decode(response.Payload)).toEqual({ received: { action: 'echo', id: 7 } });
    const tail = Buffer.from(response.LogResult ?? '', 'base64').toString('utf8');
    expect(tail).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    expect(tail).toMatch(/REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t/);
  });

  it('reports a handler error in X-Amz-Function-Error and the payload', async () => {
    // act
    const response = await lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:eu-west-1:000000000000:function:api', Payload: encode({ action: 'throw', message: 'nope' }) }));

    // assess
    expect(response.StatusCode).toBe(200);
    expect(response.FunctionError).toBe('Unhandled');
    expect(decode(response.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'nope' });
  });

  it('accepts Event (202) and DryRun (204) invocations', async () => {
    // act
    const event = await lambda.send(new InvokeCommand({ FunctionName: 'api', InvocationType: 'Event', Payload: encode({ action: 'echo' }) }));
    const dryRun = await lambda.send(new InvokeCommand({ FunctionName: 'api', InvocationType: 'DryRun' }));
    await lambdaModule.service.whenAsyncIdle();

    // assess
    expect(event.StatusCode).toBe(202);
    expect(dryRun.StatusCode).toBe(204);
  });

  it('raises the SDK exceptions Lambda raises', async () => {
    // act
    const missing = await lambda.send(new InvokeCommand({ FunctionName: 'missing' })).catch((error: unknown) => error);
    const throttled = await lambda.send(new InvokeCommand({ FunctionName: 'busy' })).catch((error: unknown) => error);
    const badJson = await lambda.send(new InvokeCommand({ FunctionName: 'api', Payload: new TextEncoder().encode('{oops') })).catch((error: unknown) => error);

    // assess
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as Error).message).toBe('Function not found: arn:aws:lambda:eu-west-1:000000000000:function:missing');
    expect((missing as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    expect((throttled as TooManyRequestsException).Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect((badJson as Error).name).toBe('InvalidRequestContentException');
  });

  it('lets a function call SQS through AWS_ENDPOINT_URL', async () => {
    // act
    const response = await lambda.send(new InvokeCommand({ FunctionName: 'publisher', Payload: encode({ text: 'from inside the function' }) }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: outboxQueueUrl, WaitTimeSeconds: 1 }));

    // assess
    expect(response.FunctionError).toBeUndefined();
    expect(received.Messages?.[0]?.Body).toBe('from inside the function');
    expect(decode(response.Payload).messageId).toBe(received.Messages?.[0]?.MessageId);
  });

  it('sends exhausted async events to the SQS on-failure destination', async () => {
    // act
    await lambda.send(new InvokeCommand({ FunctionName: 'worker', InvocationType: 'Event', Payload: encode({ action: 'fail-if', id: 1, fail: true }) }));
    await lambdaModule.service.whenAsyncIdle();
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: failuresQueueUrl, WaitTimeSeconds: 1 }));

    // assess
    const record = JSON.parse(received.Messages?.[0]?.Body ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 2 },
      requestPayload: { action: 'fail-if', id: 1, fail: true },
      responsePayload: { errorMessage: 'event 1 fails' },
    });
  });
});

describe('function metadata through the edge', () => {
  it('answers GetFunction, ListFunctions and GetPolicy', async () => {
    // act
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'busy' }));
    const listed = await lambda.send(new ListFunctionsCommand({}));
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: 'api' }));

    // assess
    expect(fn.Configuration).toMatchObject({ FunctionName: 'busy', Runtime: 'nodejs24.x', Handler: 'index.handler', Timeout: 3, MemorySize: 128, State: 'Active' });
    expect(fn.Concurrency?.ReservedConcurrentExecutions).toBe(0);
    expect(listed.Functions?.map((listedFn) => listedFn.FunctionName)).toEqual(['api', 'busy', 'publisher', 'worker']);
    expect(JSON.parse(policy.Policy ?? '{}').Statement[0]).toMatchObject({ Sid: 'AllowApiGateway', Principal: { Service: 'apigateway.amazonaws.com' } });
  });

  it('shows the functions in /_local/state', async () => {
    // act
    const state = (await (await fetch(`${edge.endpoint}/_local/state`)).json()) as { functions: Array<Record<string, unknown>> };

    // assess
    expect(state.functions.find((fn) => fn.name === 'api')).toMatchObject({ runtime: 'nodejs24.x', handler: 'index.handler', warm: expect.any(Number) });
  });
});
