import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Telemetry } from '../../src/core/telemetry';
import type { TelemetryRecord } from '../../src/core/telemetry';
import type { InvokeResult, LambdaInvoker } from '../../src/core/types';
import { apiGatewayModuleFactory } from '../../src/services/apigateway';
import { startHarness } from '../sqs/harness';
import { applyHttpApi } from './support';
import type { Harness } from '../sqs/harness';

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:hello';

const hello: LambdaInvoker = {
  invoke: async (): Promise<InvokeResult> => ({ statusCode: 200, payload: { statusCode: 201, body: '{}' } }),
  functionExists: (fn) => fn === FUNCTION_ARN,
};

describe('HTTP API request telemetry', () => {
  let harness: Harness;
  let url: string;
  const records: TelemetryRecord[] = [];

  beforeAll(async () => {
    const telemetry = new Telemetry();
    telemetry.subscribe((record) => records.push(record));
    harness = await startHarness([(context) => apiGatewayModuleFactory()({ ...context, telemetry })], { extraPeers: { lambda: hello } });
    const api = await applyHttpApi(harness, { stack: 'hello', name: 'hello-http' });
    url = api.url;
    await api.addProxyRoute('hello', 'POST /hello/{name}', FUNCTION_ARN);
  });
  afterAll(() => harness?.stop());

  it("publishes each request with its route and status, correlated by the client's x-correlation-id, else by the API's request id", async () => {
    // act
    const correlated = await fetch(`${url}/hello/ada`, { method: 'POST', headers: { 'x-correlation-id': 'web-7f1d' } });
    const plain = await fetch(`${url}/hello/grace`, { method: 'POST' });
    const unrouted = await fetch(`${url}/nowhere`);

    // assess
    expect([correlated.status, plain.status, unrouted.status]).toEqual([201, 201, 404]);
    const requests = records.filter((record) => record.type === 'http.request');
    expect(requests).toEqual([
      expect.objectContaining({ method: 'POST', path: '/hello/ada', routeKey: 'POST /hello/{name}', status: 201, correlationId: 'web-7f1d' }),
      expect.objectContaining({ method: 'POST', path: '/hello/grace', routeKey: 'POST /hello/{name}', status: 201, correlationId: plain.headers.get('apigw-requestid') }),
      expect.objectContaining({ method: 'GET', path: '/nowhere', status: 404 }),
    ]);
    expect(requests[2]).not.toHaveProperty('routeKey');
  });
});
