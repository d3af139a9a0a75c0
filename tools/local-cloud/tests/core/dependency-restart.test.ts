/**
 * A real component that dies is restarted by its supervisor, and while it is
 * down the edge answers a retryable 503 `ServiceUnavailable` (never a 500), so
 * the SDK's own retries carry callers over the gap (issue 14, "supervised
 * dependencies"). DynamoDB Local is killed with SIGKILL under a running cloud.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { startLocalCloud, type LocalCloud } from '../../src/cloud';
import { forward } from '../../src/core/forward';
import { AwsServiceError } from '../../src/core/types';
import { createDynamoDbModule } from '../../src/services/dynamodb';
import type { SupervisedStatus } from '../../src/processes/supervisor';

const credentials = { accessKeyId: 'restart', secretAccessKey: 'any' };

async function health(endpoint: string): Promise<{ status: number; retryAfter: string | null; body: { status: string; components: SupervisedStatus[] } }> {
  const response = await fetch(`${endpoint}/_local/health`);
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { status: string; components: SupervisedStatus[] } };
}

async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('forward to a component that is not there', () => {
  it('fails with a retryable 503 ServiceUnavailable naming the component, with Retry-After', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const request = { method: 'POST', path: '/', query: new URLSearchParams(), headers: {}, body: Buffer.from('{}'), service: 'dynamodb', region: 'eu-west-1', accountId: '000000000000' };
    const failure = await forward(`http://127.0.0.1:${closedPort}`, request, { component: 'DynamoDB Local' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AwsServiceError);
    expect(failure).toMatchObject({ code: 'ServiceUnavailable', status: 503, headers: { 'retry-after': '1' } });
    expect((failure as Error).message).toContain('DynamoDB Local is not answering (ECONNREFUSED)');
  });
});

describe('DynamoDB Local killed under a running local cloud', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startLocalCloud({ inMemory: true, modules: [createDynamoDbModule] });
  }, 90_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('is reported down by /_local/health (503) and /_local/state, answered 503 to callers, restarted, and healthy again', async () => {
    // prepare
    const before = await health(cloud.endpoint);
    const component = before.body.components.find((entry) => entry.name === 'dynamodb-local');
    expect(before.status).toBe(200);
    expect(component).toMatchObject({ state: 'running', restarts: 0 });
    const noRetries = new DynamoDBClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials, maxAttempts: 1 });
    const withRetries = new DynamoDBClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials, maxAttempts: 10 });
    // act
    process.kill(component?.pid as number, 'SIGKILL');
    const down = await waitFor(() => health(cloud.endpoint), (answer) => answer.status === 503);
    const refused = await noRetries.send(new ListTablesCommand({})).catch((error: unknown) => error as { name: string; $metadata: { httpStatusCode: number } });
    const afterRestart = await withRetries.send(new ListTablesCommand({}));
    const up = await waitFor(() => health(cloud.endpoint), (answer) => answer.status === 200);
    const state = (await (await fetch(`${cloud.endpoint}/_local/state`)).json()) as { components: SupervisedStatus[] };
    // assess
    expect(down.retryAfter).toBe('1');
    expect(down.body.status).toBe('degraded');
    expect(down.body.components.find((entry) => entry.name === 'dynamodb-local')).toMatchObject({ state: 'restarting', lastExit: { reason: 'signal SIGKILL' } });
    // The JVM takes over a second to come back, so the call right after the unhealthy answer lands in the gap: a 503, never a 500.
    expect(refused).toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    expect(afterRestart.TableNames).toEqual([]);
    expect(up.body).toMatchObject({ ready: true, status: 'ready' });
    expect(state.components.find((entry) => entry.name === 'dynamodb-local')).toMatchObject({ state: 'running', restarts: 1 });
    noRetries.destroy();
    withRetries.destroy();
  }, 90_000);
});
