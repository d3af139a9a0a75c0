/**
 * Reading a DynamoDB stream with the real DynamoDB Streams API (through the
 * edge, so DynamoDB Local answers with AWS-form ARNs): DescribeStream for the
 * shard list and lineage, GetShardIterator, GetRecords.
 */
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { _Record as StreamRecord, ShardIteratorType } from '@aws-sdk/client-dynamodb-streams';

export interface ShardInfo {
  shardId: string;
  parentShardId?: string;
  /** The shard has an ending sequence number: no new records will arrive. */
  closed: boolean;
}

export interface StreamsApi {
  describeStream(streamArn: string): Promise<ShardInfo[]>;
  getShardIterator(streamArn: string, shardId: string, type: ShardIteratorType, sequenceNumber?: string): Promise<string | undefined>;
  getRecords(iterator: string): Promise<{ records: StreamRecord[]; next?: string }>;
  destroy(): void;
}

/**
 * The Streams API through `endpoint`.
 *
 * @example
 * const streams = dynamoDbStreamsApi({ endpoint: context.endpoint, region: context.region });
 */
export function dynamoDbStreamsApi(options: { endpoint: string; region: string }): StreamsApi {
  const client = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: options.region,
    // DynamoDB Local refuses access key ids that are not purely alphanumeric.
    credentials: { accessKeyId: 'PIPESLOCAL', secretAccessKey: 'local' },
    // The pipe's own loop retries with backoff; SDK retries would only hide the errors it reports.
    maxAttempts: 1,
  });
  return {
    async describeStream(streamArn) {
      const shards: ShardInfo[] = [];
      let exclusiveStart: string | undefined;
      do {
        const page = await client.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStart }));
        for (const shard of page.StreamDescription?.Shards ?? []) {
          shards.push({ shardId: shard.ShardId as string, parentShardId: shard.ParentShardId, closed: Boolean(shard.SequenceNumberRange?.EndingSequenceNumber) });
        }
        exclusiveStart = page.StreamDescription?.LastEvaluatedShardId;
      } while (exclusiveStart);
      return shards;
    },
    async getShardIterator(streamArn, shardId, type, sequenceNumber) {
      const answer = await client.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type, SequenceNumber: sequenceNumber }));
      return answer.ShardIterator;
    },
    async getRecords(iterator) {
      const answer = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      return { records: answer.Records ?? [], next: answer.NextShardIterator };
    },
    destroy() {
      client.destroy();
    },
  };
}
