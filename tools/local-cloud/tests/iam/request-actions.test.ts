import { describe, expect, it } from 'vitest';
import type { AwsRequest } from '../../src/core/types';
import { requiredPermissions } from '../../src/iam/request-actions';
import type { RequiredPermission } from '../../src/iam/request-actions';

const base = { method: 'POST', path: '/', query: new URLSearchParams(), headers: { 'content-type': 'application/x-amz-json-1.0' }, region: 'eu-west-1', accountId: '111111111111' };
const json = (service: string, operation: string, body: object, extra: Partial<AwsRequest> = {}): AwsRequest => ({ ...base, service, operation, body: Buffer.from(JSON.stringify(body)), ...extra });
const permissions = (request: AwsRequest): RequiredPermission[] | 'public' => {
  const needed = requiredPermissions(request);
  return needed.kind === 'public' ? 'public' : needed.permissions;
};
const checked = (request: AwsRequest): RequiredPermission[] => {
  const needed = requiredPermissions(request);
  if (needed.kind === 'public') throw new Error('expected a checked request');
  return needed.permissions;
};

describe('requiredPermissions', () => {
  it('DynamoDB: the table (or index) of the call; batches and transactions per table, as the item actions', () => {
    expect(permissions(json('dynamodb', 'Query', { TableName: 'orders', IndexName: 'byCustomer' }))).toEqual([
      { action: 'dynamodb:Query', resource: 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders/index/byCustomer' },
    ]);
    expect(checked(json('dynamodb', 'BatchWriteItem', { RequestItems: { a: [], b: [] } })).map((p) => p.resource)).toEqual([
      'arn:aws:dynamodb:eu-west-1:111111111111:table/a',
      'arn:aws:dynamodb:eu-west-1:111111111111:table/b',
    ]);
    expect(permissions(json('dynamodb', 'TransactWriteItems', { TransactItems: [{ Put: { TableName: 'a' } }, { ConditionCheck: { TableName: 'b' } }] }))).toEqual([
      { action: 'dynamodb:PutItem', resource: 'arn:aws:dynamodb:eu-west-1:111111111111:table/a' },
      { action: 'dynamodb:ConditionCheckItem', resource: 'arn:aws:dynamodb:eu-west-1:111111111111:table/b' },
    ]);
    expect(permissions(json('dynamodb', 'ListTables', {}))).toEqual([{ action: 'dynamodb:ListTables', resource: '*' }]);
  });

  it('SQS: the queue of the URL, batch calls as their single action, JSON or query', () => {
    expect(permissions(json('sqs', 'SendMessageBatch', { QueueUrl: 'http://localhost:4566/111111111111/orders' }))).toEqual([
      { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:111111111111:orders' },
    ]);
    const query = { ...base, service: 'sqs', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from('Action=DeleteMessage&QueueUrl=http%3A%2F%2Fx%2F1%2Fq&ReceiptHandle=r') };
    expect(permissions(query)).toEqual([{ action: 'sqs:DeleteMessage', resource: 'arn:aws:sqs:eu-west-1:111111111111:q' }]);
  });

  it('EventBridge PutEvents: one check per entry with its bus, events:source and events:detail-type', () => {
    expect(permissions(json('events', 'PutEvents', { Entries: [{ Source: 'kestrel.orders', DetailType: 'OrderPlaced', EventBusName: 'kestrel-bus' }, { Source: 'x' }] }))).toEqual([
      { action: 'events:PutEvents', resource: 'arn:aws:events:eu-west-1:111111111111:event-bus/kestrel-bus', keys: { 'events:source': 'kestrel.orders', 'events:detail-type': 'OrderPlaced' } },
      { action: 'events:PutEvents', resource: 'arn:aws:events:eu-west-1:111111111111:event-bus/default', keys: { 'events:source': 'x' } },
    ]);
  });

  it('Lambda: Invoke by name or ARN is lambda:InvokeFunction on the function', () => {
    const invoke = (name: string) => permissions({ ...base, service: 'lambda', path: `/2015-03-31/functions/${name}/invocations`, body: Buffer.alloc(0) });
    const expected = [{ action: 'lambda:InvokeFunction', resource: 'arn:aws:lambda:eu-west-1:111111111111:function:orders' }];
    expect(invoke('orders')).toEqual(expected);
    expect(invoke(encodeURIComponent('arn:aws:lambda:eu-west-1:111111111111:function:orders'))).toEqual(expected);
  });

  it('S3: objects and buckets by method; a copy also reads its source', () => {
    const s3 = (method: string, path: string, headers = {}) => permissions({ ...base, service: 's3', method, path, headers, body: Buffer.alloc(0) });
    expect(s3('GET', '/raw/2026/a.json')).toEqual([{ action: 's3:GetObject', resource: 'arn:aws:s3:::raw/2026/a.json' }]);
    expect(s3('GET', '/raw')).toEqual([{ action: 's3:ListBucket', resource: 'arn:aws:s3:::raw' }]);
    expect(s3('PUT', '/raw/b', { 'x-amz-copy-source': '/raw/a' })).toEqual([
      { action: 's3:PutObject', resource: 'arn:aws:s3:::raw/b' },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::raw/a' },
    ]);
  });

  it('SSM and Firehose name their parameter and delivery stream', () => {
    expect(permissions(json('ssm', 'GetParameter', { Name: '/kestrel/staging/bus' }))).toEqual([{ action: 'ssm:GetParameter', resource: 'arn:aws:ssm:eu-west-1:111111111111:parameter/kestrel/staging/bus' }]);
    expect(permissions(json('firehose', 'PutRecordBatch', { DeliveryStreamName: 'raw' }))).toEqual([
      { action: 'firehose:PutRecordBatch', resource: 'arn:aws:firehose:eu-west-1:111111111111:deliverystream/raw' },
    ]);
  });

  it('SES v2 SendEmail: ses:SendEmail on the sender domain identity, with ses:FromAddress', () => {
    const send = (from: string) => permissions({ ...base, service: 'ses', path: '/v2/email/outbound-emails', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ FromEmailAddress: from })) });
    const expected = [{ action: 'ses:SendEmail', resource: 'arn:aws:ses:eu-west-1:111111111111:identity/kestrel.example', keys: { 'ses:FromAddress': 'codes@kestrel.example' } }];
    expect(send('codes@kestrel.example')).toEqual(expected);
    expect(send('Kestrel <codes@kestrel.example>')).toEqual(expected);
  });

  it('public Cognito calls and STS are not checked here', () => {
    expect(permissions(json('cognito-idp', 'InitiateAuth', {}))).toBe('public');
    expect(permissions(json('sts', 'AssumeRole', {}))).toBe('public');
    expect(permissions(json('cognito-idp', 'AdminGetUser', { UserPoolId: 'local_1' }))).toEqual([
      { action: 'cognito-idp:AdminGetUser', resource: 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/local_1' },
    ]);
  });
});
