import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, GetParameterHistoryCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CognitoIdentityProviderClient, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { FirehoseClient, ListDeliveryStreamsCommand } from '@aws-sdk/client-firehose';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startEdgeServer } from '../../src/edge/server';
import type { EdgeServer } from '../../src/edge/server';
import { createSsmModule } from '../../src/services/ssm';
import { AwsServiceError, LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../../src/core/types';
import type { AwsRequest, LocalCloudContext, LocalServiceModule } from '../../src/core/types';
import { jsonResponse } from '../../src/core/protocol';

const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' };

/** A module that records what the edge handed it and answers with a scripted response or failure. */
function recordingModule(name: string, serviceNames: string[], behaviour: (request: AwsRequest) => unknown): LocalServiceModule & { seen: AwsRequest[] } {
  const seen: AwsRequest[] = [];
  return {
    name,
    seen,
    handlers: [
      {
        serviceNames,
        async handle(request) {
          seen.push(request);
          return jsonResponse(behaviour(request), { protocol: 'awsJson1_1' });
        },
      },
    ],
    provisioners: [],
    state: [{ stateKey: `${name}-calls`, describe: () => seen.length }],
    async stop() {},
  };
}

describe('edge server', () => {
  let edge: EdgeServer;
  const cognito = recordingModule('cognito-recorder', ['cognito-idp'], () => ({ UserConfirmed: false, UserSub: 'sub-1' }));
  const lambda = recordingModule('lambda-recorder', ['lambda'], (request) => {
    if (request.path.includes('missing')) throw new AwsServiceError('ResourceNotFoundException', 'Function not found: missing');
    if (request.path.includes('crash')) throw new Error('boom\n    at secret/stack/frame.ts:1');
    return { ok: true };
  });
  const s3 = recordingModule('s3-recorder', ['s3'], () => {
    throw new AwsServiceError('NoSuchKey', 'The specified key does not exist.', 404, { Key: 'a.txt' });
  });

  beforeAll(async () => {
    const context: LocalCloudContext = {
      accountId: LOCAL_ACCOUNT_ID,
      region: LOCAL_REGION,
      endpoint: 'http://127.0.0.1:0',
      dataDir: mkdtempSync(join(tmpdir(), 'edge-test-')),
      inMemory: true,
      peers: {
        lambda: () => { throw new Error('no lambda'); },
        sqs: () => { throw new Error('no sqs'); },
        events: () => { throw new Error('no events'); },
        firehose: () => { throw new Error('no firehose'); },
      },
      log: () => undefined,
    };
    edge = await startEdgeServer({
      port: 0,
      modules: [createSsmModule(context), cognito, lambda, s3],
      maxBodyBytes: 1024,
      extraState: () => ({ stacks: [{ name: 'demo' }] }),
    });
  });
  afterAll(async () => {
    await edge.close();
  });

  it('routes signed calls by credential scope (SSM round trip with the real SDK)', async () => {
    // prepare
    const ssm = new SSMClient({ endpoint: edge.endpoint, region: 'eu-west-1', credentials });
    // act
    await ssm.send(new PutParameterCommand({ Name: '/kestrel/bus-name', Value: 'kestrel-bus', Type: 'String' }));
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/kestrel/bus-name' }));
    // assess
    expect(Parameter).toMatchObject({ Name: '/kestrel/bus-name', Value: 'kestrel-bus', Version: 1, ARN: 'arn:aws:ssm:eu-west-1:000000000000:parameter/kestrel/bus-name' });
    expect(Parameter?.LastModifiedDate).toBeInstanceOf(Date);
  });

  it('renders awsJson errors that the SDK maps to its typed exceptions', async () => {
    // prepare
    const ssm = new SSMClient({ endpoint: edge.endpoint, region: LOCAL_REGION, credentials });
    // act
    const error = await ssm.send(new GetParameterCommand({ Name: '/does/not/exist' })).catch((caught: unknown) => caught);
    // assess
    expect(error).toMatchObject({ name: 'ParameterNotFound', message: 'Parameter /does/not/exist not found.', $metadata: { httpStatusCode: 400 } });
  });

  it('answers a malformed JSON body with a SerializationException the SDK parses', async () => {
    // prepare: corrupt the serialized body just before it is sent
    const ssm = new SSMClient({ endpoint: edge.endpoint, region: LOCAL_REGION, credentials, maxAttempts: 1 });
    ssm.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body: string; headers: Record<string, string> };
        request.body = '{"Name": ';
        request.headers['content-length'] = String(request.body.length);
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    // act
    const error = await ssm.send(new GetParameterCommand({ Name: '/x' })).catch((caught: unknown) => caught);
    // assess
    expect(error).toMatchObject({ name: 'SerializationException', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toMatch(/not valid JSON/);
  });

  it('names the operation an emulated service does not support', async () => {
    // prepare
    const ssm = new SSMClient({ endpoint: edge.endpoint, region: LOCAL_REGION, credentials });
    // act
    const error = await ssm.send(new GetParameterHistoryCommand({ Name: '/x' })).catch((caught: unknown) => caught);
    // assess
    expect(error).toMatchObject({ name: 'UnknownOperationException' });
    expect((error as Error).message).toContain("'GetParameterHistory' is not emulated");
  });

  it('answers a service that is not emulated with a clear, non-retryable error', async () => {
    // prepare
    const firehose = new FirehoseClient({ endpoint: edge.endpoint, region: LOCAL_REGION, credentials });
    // act
    const error = await firehose.send(new ListDeliveryStreamsCommand({})).catch((caught: unknown) => caught);
    // assess
    expect(error).toMatchObject({ name: 'ServiceNotEmulated', $metadata: { httpStatusCode: 400, attempts: 1 } });
    expect((error as Error).message).toContain("does not emulate the 'firehose' service (operation ListDeliveryStreams)");
  });

  it('routes unsigned Cognito calls by their X-Amz-Target prefix', async () => {
    // prepare: SignUp is an unauthenticated operation, the SDK sends it without SigV4
    const client = new CognitoIdentityProviderClient({ endpoint: edge.endpoint, region: LOCAL_REGION, credentials });
    // act
    const result = await client.send(new SignUpCommand({ ClientId: 'client', Username: 'ada@example.com', Password: 'Passw0rd!' }));
    // assess
    expect(result.UserSub).toBe('sub-1');
    const seen = cognito.seen.at(-1);
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen).toMatchObject({ service: 'cognito-idp', operation: 'SignUp', region: LOCAL_REGION });
  });

  it('routes unsigned Lambda REST calls by path', async () => {
    // prepare
    const url = `${edge.endpoint}/2015-03-31/functions/my-fn/invocations`;
    // act
    const response = await fetch(url, { method: 'POST', body: '{}' });
    // assess
    expect(response.status).toBe(200);
    expect(lambda.seen.at(-1)).toMatchObject({ service: 'lambda', path: '/2015-03-31/functions/my-fn/invocations' });
  });

  it('routes presigned URLs by their X-Amz-Credential parameter and renders REST-XML errors for S3', async () => {
    // prepare
    const presigned = `${edge.endpoint}/bucket/a.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent('AK/20260101/eu-central-1/s3/aws4_request')}`;
    // act
    const response = await fetch(presigned);
    // assess
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('<Code>NoSuchKey</Code>');
    expect(s3.seen.at(-1)).toMatchObject({ service: 's3', region: 'eu-central-1' });
  });

  it('gives the S3 SDK an error it maps to NoSuchKey', async () => {
    // prepare
    const client = new S3Client({ endpoint: edge.endpoint, region: LOCAL_REGION, credentials, forcePathStyle: true });
    // act
    const error = await client.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'a.txt' })).catch((caught: unknown) => caught);
    // assess
    expect(error).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });

  it('renders REST-JSON errors with x-amzn-errortype, and unexpected failures as a one-line InternalFailure', async () => {
    // prepare
    const client = new LambdaClient({ endpoint: edge.endpoint, region: LOCAL_REGION, credentials, maxAttempts: 1 });
    // act
    const missing = await client.send(new InvokeCommand({ FunctionName: 'missing' })).catch((caught: unknown) => caught);
    const crash = await fetch(`${edge.endpoint}/2015-03-31/functions/crash/invocations`, { method: 'POST', body: '{}' });
    // assess
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', message: 'Function not found: missing' });
    expect(crash.status).toBe(500);
    expect(crash.headers.get('x-amzn-errortype')).toBe('InternalFailure');
    expect(await crash.json()).toEqual({ message: 'Local lambda failed: boom' });
  });

  it('refuses bodies over the limit with RequestEntityTooLarge', async () => {
    // prepare
    const body = JSON.stringify({ Name: '/big', Value: 'x'.repeat(2048), Type: 'String' });
    // act
    const response = await fetch(edge.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSSM.PutParameter', 'content-type': 'application/x-amz-json-1.1' },
      body,
    });
    // assess
    expect(response.status).toBe(413);
    expect(response.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLarge');
    expect(await response.json()).toMatchObject({ __type: 'RequestEntityTooLarge' });
  });

  it('explains a request it cannot attribute to any service', async () => {
    // act
    const response = await fetch(`${edge.endpoint}/nothing-here`, { method: 'POST', body: 'x' });
    // assess
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnrecognizedServiceException');
  });

  it('serves health and the merged state document', async () => {
    // act
    const healthResponse = await fetch(`${edge.endpoint}/_local/health`);
    const health = (await healthResponse.json()) as { status: string; services: string[] };
    const state = await (await fetch(`${edge.endpoint}/_local/state`)).json();
    // assess
    expect(healthResponse.status).toBe(200);
    expect(health).toMatchObject({ status: 'ready', ready: true });
    expect(health.services).toEqual(expect.arrayContaining(['ssm', 'cognito-idp', 'lambda', 's3']));
    expect(state).toMatchObject({
      services: ['ssm', 'cognito-recorder', 'lambda-recorder', 's3-recorder'],
      parameters: [{ name: '/kestrel/bus-name', type: 'String', version: 1, value: 'kestrel-bus' }],
      stacks: [{ name: 'demo' }],
    });
  });
});
