/**
 * A DynamoDB Streams record as a pipe receives it (EventBridge User Guide,
 * "Amazon DynamoDB stream as a source"): the shape Lambda gets too, with
 * `eventSource: "aws:dynamodb"`, the caller's region, the stream ARN and
 * `ApproximateCreationDateTime` in epoch seconds. Binary attribute values are
 * base64 text, as in any JSON event.
 */
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';

export interface PipesDynamoDbRecord {
  eventID: string;
  eventName: string;
  eventVersion: string;
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: Record<string, unknown>;
  eventSourceARN: string;
  userIdentity?: { type?: string; principalId?: string };
}

/** AttributeValue as the SDK returns it (Uint8Array for B/BS) → its JSON wire form. */
function toJsonAttribute(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toJsonAttribute);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined).map(([key, inner]) => [key, toJsonAttribute(inner)]));
  }
  return value;
}

/**
 * Converts one GetRecords record.
 *
 * @example
 * toPipesRecord(record, 'arn:aws:dynamodb:us-east-1:000000000000:table/customers/stream/2026-01-01T00:00:00.000', 'us-east-1')
 */
export function toPipesRecord(record: StreamRecord, streamArn: string, region: string): PipesDynamoDbRecord {
  const source = record.dynamodb ?? {};
  const dynamodb: Record<string, unknown> = {};
  if (source.ApproximateCreationDateTime !== undefined) {
    const time = source.ApproximateCreationDateTime as Date | number;
    dynamodb.ApproximateCreationDateTime = time instanceof Date ? Math.floor(time.getTime() / 1000) : time;
  }
  if (source.Keys) dynamodb.Keys = toJsonAttribute(source.Keys);
  if (source.NewImage) dynamodb.NewImage = toJsonAttribute(source.NewImage);
  if (source.OldImage) dynamodb.OldImage = toJsonAttribute(source.OldImage);
  dynamodb.SequenceNumber = source.SequenceNumber;
  dynamodb.SizeBytes = source.SizeBytes;
  dynamodb.StreamViewType = source.StreamViewType;
  const converted: PipesDynamoDbRecord = {
    eventID: record.eventID ?? '',
    eventName: record.eventName ?? '',
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb,
    eventSourceARN: streamArn,
  };
  if (record.userIdentity) converted.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  return converted;
}
