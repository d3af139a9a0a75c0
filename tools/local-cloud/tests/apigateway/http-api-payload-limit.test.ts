import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiGatewayModuleFactory } from '../../src/services/apigateway';
import { HTTP_API_MAX_PAYLOAD_BYTES } from '../../src/services/apigateway/http-api-service';
import type { InvokeResult, LambdaInvoker } from '../../src/core/types';
import { startHarness } from '../sqs/harness';
import { applyHttpApi } from './support';
import type { Harness } from '../sqs/harness';

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:upload';

/** Answers with the size of the body it was given, and remembers each call. */
class BodySizeLambda implements LambdaInvoker {
  readonly bodySizes: number[] = [];
  async invoke(_fn: string, event: unknown): Promise<InvokeResult> {
    const body = (event as { body?: string }).body ?? '';
    this.bodySizes.push(body.length);
    return { statusCode: 200, payload: { statusCode: 200, body: JSON.stringify({ received: body.length }) } };
  }
  functionExists(fn: string): boolean {
    return fn === FUNCTION_ARN;
  }
  isInvokeAllowed(): boolean {
    return true;
  }
}

describe('HTTP API payload limit (10 MB, as API Gateway)', () => {
  let harness: Harness;
  let url: string;
  const lambda = new BodySizeLambda();

  beforeAll(async () => {
    harness = await startHarness([apiGatewayModuleFactory()], { extraPeers: { lambda } });
    const api = await applyHttpApi(harness, { stack: 'customers', name: 'uploads-http' });
    url = api.url;
    await api.addProxyRoute('upload', 'POST /uploads', `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`);
  });
  afterAll(async () => {
    await harness.stop();
  });
  beforeEach(() => {
    lambda.bodySizes.length = 0;
  });

  it('refuses a body one byte over the limit with 413 before the integration runs', async () => {
    // act
    const response = await fetch(`${url}/uploads`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'a'.repeat(HTTP_API_MAX_PAYLOAD_BYTES + 1) });

    // assess
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(lambda.bodySizes).toEqual([]);
  });

  it('passes a body of exactly the limit to the integration', async () => {
    // act
    const response = await fetch(`${url}/uploads`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'a'.repeat(HTTP_API_MAX_PAYLOAD_BYTES) });

    // assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: HTTP_API_MAX_PAYLOAD_BYTES });
    expect(lambda.bodySizes).toEqual([HTTP_API_MAX_PAYLOAD_BYTES]);
  });
});
