// Throttling a table on demand (src/services/dynamodb/fault-injection.ts), seen through the real
// SDK v3 client: its retries of a throttled request, the error once they are exhausted, batches
// and transactions answered as DynamoDB answers them, and the throttle counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  ThrottlingException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createDynamoDbModule } from '../../src/services/dynamodb';

const credentials = { accessKeyId: 'AKIDANY', secretAccessKey: 'any' };

let cloud: LocalCloud;
let ddb: DynamoDBClient;

/** The local control operation, as a test in another process would call it (unsigned, like Firehose's). */
async function control(operation: 'LocalSetFaultInjection' | 'LocalDescribeFaultInjection', body: Record<string, unknown> = {}) {
  const response = await fetch(cloud.endpoint, {
    method: 'POST',
    headers: { 'x-amz-target': `DynamoDB_20120810.${operation}`, 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { Tables?: Record<string, unknown>[]; __type?: string; message?: string } };
}

const counts = async (table: string) => (await control('LocalDescribeFaultInjection')).body.Tables?.find((t) => t.TableName === table);

beforeAll(async () => {
  cloud = await startLocalCloud({ inMemory: true, modules: [createDynamoDbModule] });
  ddb = new DynamoDBClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials });
  for (const name of ['hot', 'cool', 'partly']) {
    await ddb.send(new CreateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
  }
}, 90_000);

afterAll(async () => {
  ddb?.destroy();
  await cloud?.stop();
});

describe('DynamoDB throttling on demand', () => {
  it('answers a throttled write as DynamoDB does: HTTP 400, JSON 1.0, a namespaced __type and the table in ThrottlingReasons', async () => {
    // prepare
    await control('LocalSetFaultInjection', { TableName: 'hot', ThrottleRate: 1 });
    // act: raw, so the wire shape shows (unsigned: the local administrator)
    const response = await fetch(cloud.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ TableName: 'hot', Item: { pk: { S: 'raw' } } }),
    });
    // assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await response.json()).toEqual({
      __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message: expect.stringContaining('provisioned throughput for the table was exceeded'),
      ThrottlingReasons: [{ reason: 'TableWriteKeyRangeThroughputExceeded', resource: 'arn:aws:dynamodb:eu-west-1:000000000000:table/hot' }],
    });
    await control('LocalSetFaultInjection', { TableName: 'hot', ThrottleRate: 0 });
  });

  it('the SDK retries a throttled request with backoff (the DynamoDB client defaults to 4 attempts, other clients to 3) and then throws the modelled exception', async () => {
    // prepare
    await control('LocalSetFaultInjection', { TableName: 'hot', ThrottleRate: 1 });
    const before = (await counts('hot'))?.WriteThrottleEvents as number;
    // act
    const error = await ddb.send(new PutItemCommand({ TableName: 'hot', Item: { pk: { S: 'a' } } })).catch((e: unknown) => e);
    const after = (await counts('hot'))?.WriteThrottleEvents as number;
    // assess
    expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
    const throttled = error as ProvisionedThroughputExceededException;
    expect(throttled.$metadata.httpStatusCode).toBe(400);
    expect(throttled.$metadata.attempts).toBe(4);
    expect(throttled.$metadata.totalRetryDelay).toBeGreaterThan(0);
    expect(throttled.ThrottlingReasons).toEqual([{ reason: 'TableWriteKeyRangeThroughputExceeded', resource: 'arn:aws:dynamodb:eu-west-1:000000000000:table/hot' }]);
    expect(after - before).toBe(4); // every attempt reached the table and was counted
    // the other table and reads of a table not switched are untouched
    await expect(ddb.send(new PutItemCommand({ TableName: 'cool', Item: { pk: { S: 'a' } } }))).resolves.toBeDefined();
    await control('LocalSetFaultInjection', { TableName: 'hot', ThrottleRate: 0 });
  });

  it('answers ThrottlingException when asked, and a client with more attempts gets through a partial throttle', async () => {
    // prepare
    await control('LocalSetFaultInjection', { TableName: 'partly', ThrottleRate: 1, ErrorCode: 'ThrottlingException' });
    const single = new DynamoDBClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials, maxAttempts: 1 });
    // act
    const refused = await single.send(new GetItemCommand({ TableName: 'partly', Key: { pk: { S: 'x' } } })).catch((e: unknown) => e);
    await control('LocalSetFaultInjection', { TableName: 'partly', ThrottleRate: 0.3, ErrorCode: 'ThrottlingException' });
    const patient = new DynamoDBClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials, maxAttempts: 10 });
    const writes = await Promise.all(Array.from({ length: 20 }, (_, i) => patient.send(new PutItemCommand({ TableName: 'partly', Item: { pk: { S: `k${i}` } } }))));
    const state = await counts('partly');
    // assess
    expect(refused).toBeInstanceOf(ThrottlingException);
    expect((refused as ThrottlingException).$metadata.attempts).toBe(1);
    expect(writes.map((w) => w.$metadata.httpStatusCode)).toEqual(Array(20).fill(200));
    expect(writes.reduce((sum, w) => sum + (w.$metadata.attempts as number) - 1, 0)).toBe(state?.WriteThrottleEvents);
    expect(state).toMatchObject({ ThrottleRate: 0.3, ErrorCode: 'ThrottlingException', ReadThrottleEvents: 1 });
    single.destroy();
    patient.destroy();
    await control('LocalSetFaultInjection', { TableName: 'partly', ThrottleRate: 0 });
  });

  it('a batch over a throttled and a healthy table writes the healthy one and returns the rest as UnprocessedItems', async () => {
    // prepare
    await control('LocalSetFaultInjection', { TableName: 'hot', ThrottleRate: 1 });
    const puts = (prefix: string) => [1, 2].map((n) => ({ PutRequest: { Item: { pk: { S: `${prefix}${n}` } } } }));
    // act
    const answer = await ddb.send(new BatchWriteItemCommand({ RequestItems: { hot: puts('batch-hot-'), cool: puts('batch-cool-') } }));
    const written = await ddb.send(new GetItemCommand({ TableName: 'cool', Key: { pk: { S: 'batch-cool-1' } } }));
    const allThrottled = await ddb.send(new BatchWriteItemCommand({ RequestItems: { hot: puts('only-hot-') } })).catch((e: unknown) => e);
    // assess
    expect(answer.UnprocessedItems).toEqual({ hot: puts('batch-hot-') });
    expect(written.Item).toEqual({ pk: { S: 'batch-cool-1' } });
    expect(allThrottled).toBeInstanceOf(ProvisionedThroughputExceededException);
    await control('LocalSetFaultInjection', { TableName: 'hot', ThrottleRate: 0 });
  });

  it('a transaction touching a throttled table is cancelled with a ThrottlingError reason for its actions', async () => {
    // prepare
    await control('LocalSetFaultInjection', { TableName: 'hot', ThrottleRate: 1 });
    // act
    const error = await ddb
      .send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'cool', Item: { pk: { S: 'tx' } } } }, { Put: { TableName: 'hot', Item: { pk: { S: 'tx' } } } }] }))
      .catch((e: unknown) => e);
    const notWritten = await ddb.send(new GetItemCommand({ TableName: 'cool', Key: { pk: { S: 'tx' } } }));
    // assess
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).message).toBe('Transaction cancelled, please refer cancellation reasons for specific reasons [None, ThrottlingError]');
    expect((error as TransactionCanceledException).CancellationReasons).toEqual([{ Code: 'None' }, { Code: 'ThrottlingError', Message: expect.stringContaining('Throughput exceeds') }]);
    expect(notWritten.Item).toBeUndefined();
    await control('LocalSetFaultInjection', { TableName: 'hot', ThrottleRate: 0 });
  });

  it('refuses a switch without a table or with a rate outside 0..1, naming the field', async () => {
    // act
    const noTable = await control('LocalSetFaultInjection', { ThrottleRate: 1 });
    const badRate = await control('LocalSetFaultInjection', { TableName: 'hot', ThrottleRate: 2 });
    const badCode = await control('LocalSetFaultInjection', { TableName: 'hot', ThrottleRate: 1, ErrorCode: 'Nope' });
    // assess
    expect(noTable).toMatchObject({ status: 400, body: { __type: 'ValidationException', message: expect.stringContaining('TableName') } });
    expect(badRate).toMatchObject({ status: 400, body: { __type: 'ValidationException', message: expect.stringContaining('ThrottleRate') } });
    expect(badCode).toMatchObject({ status: 400, body: { __type: 'ValidationException', message: expect.stringContaining('ErrorCode') } });
  });
});
