import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createDynamoDbModule, tableInput, toAwsArn, toLocalArn } from '../../src/services/dynamodb';

const credentials = { accessKeyId: 'AKIDANY', secretAccessKey: 'any' };

const customersTable = {
  name: 'customers',
  hash_key: 'pk',
  range_key: 'sk',
  billing_mode: 'PAY_PER_REQUEST',
  attribute: [
    { name: 'pk', type: 'S' },
    { name: 'sk', type: 'S' },
    { name: 'email', type: 'S' },
  ],
  global_secondary_index: { name: 'by-email', hash_key: 'email', projection_type: 'ALL' },
  stream_enabled: true,
  stream_view_type: 'NEW_AND_OLD_IMAGES',
  ttl: { attribute_name: 'expiresAt', enabled: true },
};

describe('DynamoDB through the edge (DynamoDB Local)', () => {
  let cloud: LocalCloud;
  let provision: (config: Record<string, unknown>, previous?: Record<string, unknown>) => Promise<Record<string, unknown>>;

  beforeAll(async () => {
    cloud = await startLocalCloud({ inMemory: true, modules: [createDynamoDbModule] });
    const provisioner = cloud.modules[0]!.provisioners.find((candidate) => candidate.type === 'aws_dynamodb_table')!;
    provision = (config, previous) =>
      provisioner.apply({ stack: 'test', type: 'aws_dynamodb_table', name: 'customers', address: 'aws_dynamodb_table.customers', config, stackDir: '.' }, previous);
  }, 90_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  it('creates a table from Terraform configuration, exporting AWS-shaped ARNs, idempotently', async () => {
    // act
    const first = await provision(customersTable);
    const second = await provision(customersTable, first);
    // assess
    expect(first).toMatchObject({
      id: 'customers',
      name: 'customers',
      arn: 'arn:aws:dynamodb:eu-west-1:000000000000:table/customers',
      stream_arn: expect.stringMatching(/^arn:aws:dynamodb:eu-west-1:000000000000:table\/customers\/stream\//),
    });
    expect(second).toEqual(first);
    const ddb = new DynamoDBClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials });
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'customers' }));
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['by-email']);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'customers' }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('serves items, GSI queries and transactions, with ARNs in the caller region', async () => {
    // prepare
    const ddb = new DynamoDBClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials });
    // act
    await ddb.send(new PutItemCommand({ TableName: 'customers', Item: { pk: { S: 'C#1' }, sk: { S: 'PROFILE' }, email: { S: 'ada@example.com' } } }));
    await ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: 'customers', Item: { pk: { S: 'C#2' }, sk: { S: 'PROFILE' }, email: { S: 'bob@example.com' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Update: { TableName: 'customers', Key: { pk: { S: 'C#1' }, sk: { S: 'PROFILE' } }, UpdateExpression: 'SET visits = :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
        ],
      }),
    );
    const item = await ddb.send(new GetItemCommand({ TableName: 'customers', Key: { pk: { S: 'C#1' }, sk: { S: 'PROFILE' } } }));
    const byEmail = await ddb.send(new QueryCommand({ TableName: 'customers', IndexName: 'by-email', KeyConditionExpression: 'email = :e', ExpressionAttributeValues: { ':e': { S: 'bob@example.com' } } }));
    const described = await ddb.send(new DescribeTableCommand({ TableName: 'customers' }));
    // assess
    expect(item.Item).toMatchObject({ visits: { N: '1' } });
    expect(byEmail.Items?.map((found) => found.pk?.S)).toEqual(['C#2']);
    expect(described.Table?.TableArn).toBe('arn:aws:dynamodb:eu-west-1:000000000000:table/customers');
  });

  it('surfaces DynamoDB errors as the SDK typed exceptions', async () => {
    // prepare
    const ddb = new DynamoDBClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials });
    // act
    const failure = await ddb
      .send(new PutItemCommand({ TableName: 'customers', Item: { pk: { S: 'C#1' }, sk: { S: 'PROFILE' } }, ConditionExpression: 'attribute_not_exists(pk)' }))
      .catch((error: unknown) => error);
    // assess
    expect(failure).toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  it('serves DynamoDB Streams with the stream ARN the provisioner exported', async () => {
    // prepare
    const { stream_arn: streamArn } = await provision(customersTable);
    const streams = new DynamoDBStreamsClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials });
    // act
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: String(streamArn) }));
    const shardId = StreamDescription?.Shards?.[0]?.ShardId;
    const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: String(streamArn), ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const { Records } = await streams.send(new GetRecordsCommand({ ShardIterator }));
    // assess
    expect(StreamDescription?.StreamArn).toBe(streamArn);
    expect(StreamDescription?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
    expect(Records?.map((record) => `${record.eventName} ${record.dynamodb?.Keys?.pk?.S}`)).toEqual(['INSERT C#1', 'INSERT C#2', 'MODIFY C#1']);
  });

  it('refuses a key-schema change on re-apply with a way out', async () => {
    // act
    const failure = await provision({ ...customersTable, range_key: undefined }).catch((error: unknown) => error);
    // assess
    expect((failure as Error).message).toMatch(/exists locally with key schema .* --reset/);
  });
});

describe('DynamoDB table configuration mapping', () => {
  it('maps Terraform blocks to CreateTable input and rejects undeclared key attributes', () => {
    // act
    const input = tableInput({ ...customersTable, billing_mode: 'PROVISIONED', read_capacity: 5, write_capacity: 2 }, 'aws_dynamodb_table.customers');
    const broken = () => tableInput({ name: 't', hash_key: 'id', attribute: [] }, 'aws_dynamodb_table.t');
    // assess
    expect(input).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 2 },
      GlobalSecondaryIndexes: [{ IndexName: 'by-email', Projection: { ProjectionType: 'ALL' }, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    expect(broken).toThrow("aws_dynamodb_table.t: key attribute 'id' has no 'attribute' block declaring its type");
  });

  it('maps ARNs between DynamoDB Local and AWS form both ways', () => {
    // act
    const aws = toAwsArn('{"TableArn":"arn:aws:dynamodb:ddblocal:000000000000:table/t"}', 'eu-west-1', '000000000000');
    const local = toLocalArn('arn:aws:dynamodb:eu-west-1:000000000000:table/t/stream/2026-01-01T00:00:00.000');
    // assess
    expect(aws).toBe('{"TableArn":"arn:aws:dynamodb:eu-west-1:000000000000:table/t"}');
    expect(local).toBe('arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026-01-01T00:00:00.000');
  });
});
