/**
 * SQS's query protocol: the form parsing and XML answers on their own, the
 * `<ErrorResponse>` shape over HTTP, and the daily commands of the AWS CLI
 * from Debian's awscli 2.9 (which speaks only the query protocol to SQS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsModule } from '../../src/services/sqs';
import { parseQueryRequest, queryResponse } from '../../src/services/sqs/query-protocol';
import { awsCli, awsCliInstalled, AWS_CLI_SKIP_REASON, cliJson, sqsModelWithMoveTasks } from '../support/aws-cli';
import { startHarness, type Harness } from './harness';

describe('query protocol forms and answers', () => {
  it('turns flattened lists and maps into the JSON protocol input', () => {
    // act
    const { action, input } = parseQueryRequest(
      new URLSearchParams(
        'Action=SendMessageBatch&Version=2012-11-05&QueueUrl=http%3A%2F%2Fq' +
          '&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one' +
          '&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=kind&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String' +
          '&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=k1' +
          '&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two&SendMessageBatchRequestEntry.2.DelaySeconds=5',
      ),
    );
    const attributes = parseQueryRequest(new URLSearchParams('Action=CreateQueue&QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=5&Tag.1.Key=team&Tag.1.Value=a'));
    const names = parseQueryRequest(new URLSearchParams('Action=GetQueueAttributes&QueueUrl=u&AttributeName.2=QueueArn&AttributeName.1=All'));
    // assess
    expect(action).toBe('SendMessageBatch');
    expect(input).toEqual({
      QueueUrl: 'http://q',
      Entries: [
        { Id: 'a', MessageBody: 'one', MessageAttributes: { kind: { DataType: 'String', StringValue: 'k1' } } },
        { Id: 'b', MessageBody: 'two', DelaySeconds: '5' },
      ],
    });
    expect(attributes.input).toMatchObject({ QueueName: 'q', Attributes: { VisibilityTimeout: '5' }, tags: { team: 'a' } });
    expect(names.input).toEqual({ QueueUrl: 'u', AttributeNames: ['All', 'QueueArn'] });
  });

  it('writes results as the query model names them, escaping text', () => {
    // act
    const received = queryResponse(
      'ReceiveMessage',
      { Messages: [{ MessageId: 'm1', Body: '<a & "b">', Attributes: { SentTimestamp: '1' }, MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }] },
      'req-1',
    );
    const empty = queryResponse('ReceiveMessage', {}, 'req-2');
    const deleted = queryResponse('DeleteQueue', {}, 'req-3');
    // assess
    expect(received.body).toContain(
      '<ReceiveMessageResult><Message><MessageId>m1</MessageId><Body>&lt;a &amp; &quot;b&quot;&gt;</Body>' +
        '<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>' +
        '<MessageAttribute><Name>k</Name><Value><DataType>String</DataType><StringValue>v</StringValue></Value></MessageAttribute></Message></ReceiveMessageResult>',
    );
    expect(empty.body).toContain('<ReceiveMessageResult></ReceiveMessageResult>');
    expect(deleted.body).not.toContain('DeleteQueueResult');
    expect(deleted.body).toContain('<RequestId>req-3</RequestId>');
  });
});

describe('SQS query protocol over HTTP', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness([createSqsModule]);
  });

  afterAll(async () => {
    await harness.stop();
  });

  const post = (form: string) =>
    fetch(harness.edge.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: form,
    });

  it('answers errors as <ErrorResponse> with the legacy code the query protocol uses', async () => {
    // act
    const response = await post('Action=GetQueueUrl&Version=2012-11-05&QueueName=absent');
    const body = await response.text();
    // assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('text/xml');
    expect(body).toContain('<ErrorResponse><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>');
    expect(body).toContain('<Message>The specified queue does not exist.</Message>');
  });

  it('names a missing parameter and an unknown action', async () => {
    // act
    const missing = await (await post('Action=CreateQueue&Version=2012-11-05')).text();
    const unknown = await (await post('Action=Teleport&Version=2012-11-05')).text();
    // assess
    expect(missing).toContain('<Code>MissingParameter</Code><Message>The request must contain the parameter QueueName.</Message>');
    expect(unknown).toContain('<Code>InvalidAction</Code><Message>The action Teleport is not valid for this endpoint.</Message>');
  });
});

// Each CLI call starts Python (2-4 s on a loaded machine), hence the long timeout.
describe.skipIf(!awsCliInstalled)(`SQS with the AWS CLI from Debian's awscli (${awsCliInstalled ? '/usr/bin/aws' : AWS_CLI_SKIP_REASON})`, { timeout: 180_000 }, () => {
  let harness: Harness;
  let endpoint: string;

  beforeAll(async () => {
    harness = await startHarness([createSqsModule]);
    endpoint = harness.edge.endpoint;
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('creates, lists, sends, receives, deletes, reads attributes and purges', async () => {
    // act
    const created = cliJson<{ QueueUrl: string }>(
      await awsCli(endpoint, ['sqs', 'create-queue', '--queue-name', 'cli-orders', '--attributes', 'VisibilityTimeout=45', '--tags', 'team=orders']),
    );
    const listed = cliJson<{ QueueUrls: string[] }>(await awsCli(endpoint, ['sqs', 'list-queues']));
    const sent = cliJson<{ MessageId: string; MD5OfMessageAttributes: string }>(
      await awsCli(endpoint, [
        'sqs', 'send-message', '--queue-url', created.QueueUrl, '--message-body', '{"order":"<42> & more"}',
        '--message-attributes', '{"kind":{"DataType":"String","StringValue":"created"},"raw":{"DataType":"Binary","BinaryValue":"AQID"}}',
      ]),
    );
    const received = cliJson<{ Messages: Array<{ MessageId: string; Body: string; ReceiptHandle: string; Attributes: Record<string, string>; MessageAttributes: Record<string, { StringValue?: string; BinaryValue?: string }> }> }>(
      await awsCli(endpoint, ['sqs', 'receive-message', '--queue-url', created.QueueUrl, '--attribute-names', 'All', '--message-attribute-names', 'All']),
    );
    const message = received.Messages[0];
    const deleted = await awsCli(endpoint, ['sqs', 'delete-message', '--queue-url', created.QueueUrl, '--receipt-handle', message?.ReceiptHandle ?? '']);
    await awsCli(endpoint, ['sqs', 'send-message', '--queue-url', created.QueueUrl, '--message-body', 'to purge']);
    const purged = await awsCli(endpoint, ['sqs', 'purge-queue', '--queue-url', created.QueueUrl]);
    const attributes = cliJson<{ Attributes: Record<string, string> }>(
      await awsCli(endpoint, ['sqs', 'get-queue-attributes', '--queue-url', created.QueueUrl, '--attribute-names', 'All']),
    );
    const missing = await awsCli(endpoint, ['sqs', 'get-queue-url', '--queue-name', 'absent']);
    // assess
    expect(created.QueueUrl).toBe(`${endpoint}/000000000000/cli-orders`);
    expect(listed.QueueUrls).toEqual([created.QueueUrl]);
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(message).toMatchObject({ MessageId: sent.MessageId, Body: '{"order":"<42> & more"}', Attributes: { ApproximateReceiveCount: '1' } });
    expect(message?.MessageAttributes).toEqual({ kind: { StringValue: 'created', DataType: 'String' }, raw: { BinaryValue: 'AQID', DataType: 'Binary' } });
    expect(deleted.code).toBe(0);
    expect(purged.code).toBe(0);
    expect(attributes.Attributes).toMatchObject({ VisibilityTimeout: '45', ApproximateNumberOfMessages: '0', QueueArn: 'arn:aws:sqs:eu-west-1:000000000000:cli-orders' });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('(AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation: The specified queue does not exist.');
  });

  it('redrives a DLQ with start-message-move-task (model extended through AWS_DATA_PATH: CLI 2.9 predates the operation)', async (context) => {
    // prepare
    const dataPath = sqsModelWithMoveTasks();
    if (!dataPath) context.skip('Debian awscli model not found under /usr/lib/python3/dist-packages/awscli');
    const sqs = harness.modules[0] as ReturnType<typeof createSqsModule>;
    sqs.service.createQueue('cli-dlq');
    sqs.service.createQueue('cli-work', { VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:000000000000:cli-dlq', maxReceiveCount: 1 }) });
    await sqs.service.sendMessage('cli-work', 'dead letter');
    await sqs.service.receive('cli-work', 10, 0);
    await sqs.service.receive('cli-work', 10, 0); // over maxReceiveCount: redriven to cli-dlq
    const env = { AWS_DATA_PATH: dataPath as string };
    // act
    const started = cliJson<{ TaskHandle: string }>(
      await awsCli(endpoint, ['sqs', 'start-message-move-task', '--source-arn', 'arn:aws:sqs:eu-west-1:000000000000:cli-dlq'], env),
    );
    let tasks = cliJson<{ Results: Array<Record<string, unknown>> }>(await awsCli(endpoint, ['sqs', 'list-message-move-tasks', '--source-arn', 'arn:aws:sqs:eu-west-1:000000000000:cli-dlq'], env));
    while (tasks.Results[0]?.Status === 'RUNNING') {
      tasks = cliJson(await awsCli(endpoint, ['sqs', 'list-message-move-tasks', '--source-arn', 'arn:aws:sqs:eu-west-1:000000000000:cli-dlq'], env));
    }
    // assess
    expect(started.TaskHandle).toEqual(expect.any(String));
    expect(tasks.Results).toEqual([
      expect.objectContaining({ Status: 'COMPLETED', SourceArn: 'arn:aws:sqs:eu-west-1:000000000000:cli-dlq', ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 1 }),
    ]);
    expect(sqs.service.receiveNow('cli-work', 10).map((message) => message.body)).toEqual(['dead letter']);
  });
});
