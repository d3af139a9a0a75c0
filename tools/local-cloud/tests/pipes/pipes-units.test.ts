import { describe, expect, it } from 'vitest';
import { renderInputTemplate } from '../../src/services/pipes/input-template';
import { resolveJsonPath, parseJsonPath } from '../../src/services/pipes/json-path';
import { pipeFromTerraform } from '../../src/services/pipes/model';
import { toPipesRecord } from '../../src/services/pipes/stream-record';

const envelope = { metadata: { eventId: 'e-1', occurredAt: '2026-01-02T03:04:05Z' }, data: { customerId: 'c-1', name: 'Ada "the first"' } };
const record = toPipesRecord(
  {
    eventID: 'f07f8ca4b0b26cb9c4e5e77e69f274ee',
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: {
      ApproximateCreationDateTime: new Date('2026-01-02T03:04:05Z'),
      Keys: { pk: { S: 'OUTBOX#e-1' }, sk: { S: 'EVENT' } },
      NewImage: {
        pk: { S: 'OUTBOX#e-1' },
        sk: { S: 'EVENT' },
        detail: { S: JSON.stringify(envelope) },
        detailType: { S: 'CustomerRegistered.v1' },
        source: { S: 'kestrel.customers' },
        attempts: { N: '3' },
        blob: { B: new Uint8Array([1, 2, 3]) },
      },
      SequenceNumber: '000000000000000000001',
      SizeBytes: 123,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  },
  'arn:aws:dynamodb:eu-west-1:000000000000:table/customers/stream/2026-01-01T00:00:00.000',
  'eu-west-1',
);
const variables = {
  pipeArn: 'arn:aws:pipes:eu-west-1:000000000000:pipe/customers-outbox',
  pipeName: 'customers-outbox',
  sourceArn: record.eventSourceARN,
  targetArn: 'arn:aws:events:eu-west-1:000000000000:event-bus/platform',
  ingestionTime: '2026-01-02T03:04:06.000Z',
};

describe('pipes stream record', () => {
  it('has the shape Pipes delivers for a DynamoDB source', () => {
    expect(record).toEqual({
      eventID: 'f07f8ca4b0b26cb9c4e5e77e69f274ee',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      dynamodb: {
        ApproximateCreationDateTime: 1767323045,
        Keys: { pk: { S: 'OUTBOX#e-1' }, sk: { S: 'EVENT' } },
        NewImage: expect.objectContaining({ attempts: { N: '3' }, blob: { B: 'AQID' } }),
        SequenceNumber: '000000000000000000001',
        SizeBytes: 123,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: 'arn:aws:dynamodb:eu-west-1:000000000000:table/customers/stream/2026-01-01T00:00:00.000',
    });
  });
});

describe('pipes JSON paths', () => {
  it('resolves dot paths, indices and wildcards', () => {
    const document = { a: { 'b-c': [{ d: 1 }, { d: 2 }], 'x/y': 'slash' } };
    expect(resolveJsonPath(document, '$.a.b-c[1].d')).toBe(2);
    expect(resolveJsonPath(document, '$.a.x/y')).toBe('slash');
    expect(resolveJsonPath(document, '$.a.b-c[*].d')).toEqual([1, 2]);
    expect(resolveJsonPath(document, '$.a.missing')).toBeUndefined();
    expect(resolveJsonPath(document, '$')).toBe(document);
  });

  it('refuses syntax Pipes does not support', () => {
    expect(() => parseJsonPath("$.a['b']")).toThrow('only [<index>] and [*]');
    expect(() => parseJsonPath('a.b')).toThrow("must start with '$'");
    expect(() => parseJsonPath('$..a')).toThrow("expected a name after '.'");
  });
});

describe('pipes input templates', () => {
  it('passes a stored JSON string through unquoted when the template is that one path (the outbox template)', () => {
    const rendered = renderInputTemplate('<$.dynamodb.NewImage.detail.S>', record, variables);
    expect(JSON.parse(rendered)).toEqual(envelope);
  });

  it('inserts strings escaped inside quotes and JSON values outside quotes', () => {
    // act
    const rendered = renderInputTemplate(
      '{"id": "<$.eventID>", "keys": <$.dynamodb.Keys>, "size": <$.dynamodb.SizeBytes>, "sizeText": "<$.dynamodb.SizeBytes>", "envelope": "<$.dynamodb.NewImage.detail.S>", "pipe": "<aws.pipes.pipe-name>", "at": "<aws.pipes.event.ingestion-time>", "missing": <$.nope>, "missingText": "<$.nope>", "literal": "a \\"<quoted>\\" b"}',
      record,
      variables,
    );
    // assess
    expect(JSON.parse(rendered)).toEqual({
      id: 'f07f8ca4b0b26cb9c4e5e77e69f274ee',
      keys: { pk: { S: 'OUTBOX#e-1' }, sk: { S: 'EVENT' } },
      size: 123,
      sizeText: '123',
      envelope: JSON.stringify(envelope),
      pipe: 'customers-outbox',
      at: '2026-01-02T03:04:06.000Z',
      missing: null,
      missingText: '',
      literal: 'a "<quoted>" b',
    });
  });

  it('renders free text with paths and the whole event', () => {
    expect(renderInputTemplate('Hello, <$.dynamodb.NewImage.source.S>', record, variables)).toBe('Hello, kestrel.customers');
    expect(JSON.parse(renderInputTemplate('<aws.pipes.event>', record, variables))).toEqual(record);
  });
});

describe('aws_pipes_pipe configuration', () => {
  const base = {
    name: 'customers-outbox',
    role_arn: 'arn:aws:iam::000000000000:role/pipe',
    source: 'arn:aws:dynamodb:eu-west-1:000000000000:table/customers/stream/2026-01-01T00:00:00.000',
    target: 'arn:aws:events:eu-west-1:000000000000:event-bus/platform',
    source_parameters: {
      dynamodb_stream_parameters: { starting_position: 'TRIM_HORIZON', batch_size: 10, maximum_retry_attempts: 3, dead_letter_config: { arn: 'arn:aws:sqs:eu-west-1:000000000000:outbox-dlq' } },
      filter_criteria: { filter: [{ pattern: '{"eventName":["INSERT"],"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"OUTBOX#"}]}}}}' }] },
    },
    target_parameters: {
      input_template: '<$.dynamodb.NewImage.detail.S>',
      eventbridge_event_bus_parameters: { source: '$.dynamodb.NewImage.source.S', detail_type: '$.dynamodb.NewImage.detailType.S' },
    },
  };

  it('reads the outbox pipe as cdktn synthesizes it', () => {
    const pipe = pipeFromTerraform(base, 'aws_pipes_pipe.outbox');
    expect(pipe).toMatchObject({
      name: 'customers-outbox',
      desiredState: 'RUNNING',
      sourceParameters: { startingPosition: 'TRIM_HORIZON', batchSize: 10, maximumRetryAttempts: 3, maximumRecordAgeInSeconds: -1, deadLetterArn: 'arn:aws:sqs:eu-west-1:000000000000:outbox-dlq' },
      filters: ['{"eventName":["INSERT"],"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"OUTBOX#"}]}}}}'],
      inputTemplate: '<$.dynamodb.NewImage.detail.S>',
      eventBus: { source: '$.dynamodb.NewImage.source.S', detailType: '$.dynamodb.NewImage.detailType.S' },
    });
  });

  it.each([
    [{ source: 'arn:aws:sqs:eu-west-1:000000000000:q' }, 'source: the local Pipes emulates DynamoDB stream sources only'],
    [{ target: 'arn:aws:lambda:eu-west-1:000000000000:function:f' }, 'target: the local Pipes emulates event bus targets only'],
    [{ source_parameters: { ...base.source_parameters, filter_criteria: { filter: [{ pattern: '{"eventName":"INSERT"}' }] } } }, 'source_parameters.filter_criteria.filter[0].pattern: Event pattern is not valid'],
    [{ source_parameters: { dynamodb_stream_parameters: { starting_position: 'AT_TIMESTAMP' } } }, 'source_parameters.dynamodb_stream_parameters.starting_position: must be TRIM_HORIZON or LATEST'],
    [{ source_parameters: { dynamodb_stream_parameters: { starting_position: 'LATEST', batch_size: 0 } } }, 'source_parameters.dynamodb_stream_parameters.batch_size: must be an integer between 1 and 10000, got 0'],
    [{ target_parameters: { input_template: '{"x": <detail>}' } }, 'target_parameters.input_template: unknown variable(s) <detail>'],
  ])('refuses %o', (override, message) => {
    expect(() => pipeFromTerraform({ ...base, ...override }, 'aws_pipes_pipe.outbox')).toThrow(`aws_pipes_pipe.outbox: ${message}`);
  });
});
