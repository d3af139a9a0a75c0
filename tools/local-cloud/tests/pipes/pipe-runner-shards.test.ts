import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { CheckpointStore } from '../../src/services/pipes/checkpoints';
import { PipeRunner } from '../../src/services/pipes/pipe-runner';
import type { PipeDefinition } from '../../src/services/pipes/model';
import type { ShardInfo, StreamsApi } from '../../src/services/pipes/stream-reader';
import type { EventPublisher, PutEventsEntry, QueueSender } from '../../src/core/types';

const STREAM = 'arn:aws:dynamodb:eu-west-1:000000000000:table/orders/stream/2026-01-01T00:00:00.000';

function record(sequence: number, pk: string): StreamRecord {
  return {
    eventID: `id-${sequence}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    dynamodb: { Keys: { pk: { S: pk } }, NewImage: { pk: { S: pk } }, SequenceNumber: String(sequence).padStart(21, '0'), SizeBytes: 10, StreamViewType: 'NEW_IMAGE' },
  };
}

/**
 * A stream with a closed parent shard and its open child, as after a split.
 * Iterators are `<shard>|<index of the next record>`.
 */
class SplitStream implements StreamsApi {
  readonly shards: ShardInfo[] = [
    { shardId: 'shard-child', parentShardId: 'shard-parent', closed: false },
    { shardId: 'shard-parent', closed: true },
  ];
  readonly records: Record<string, StreamRecord[]> = {
    'shard-parent': [record(1, 'a'), record(2, 'b')],
    'shard-child': [record(3, 'c')],
  };
  async describeStream(): Promise<ShardInfo[]> {
    return this.shards;
  }
  async getShardIterator(_arn: string, shardId: string, type: string, sequenceNumber?: string): Promise<string> {
    const records = this.records[shardId] ?? [];
    const start = type === 'AFTER_SEQUENCE_NUMBER' ? records.findIndex((candidate) => candidate.dynamodb?.SequenceNumber === sequenceNumber) + 1 : 0;
    return `${shardId}|${start}`;
  }
  async getRecords(iterator: string): Promise<{ records: StreamRecord[]; next?: string }> {
    const [shardId, index] = iterator.split('|') as [string, string];
    const records = (this.records[shardId] ?? []).slice(Number(index));
    const closed = this.shards.find((shard) => shard.shardId === shardId)?.closed;
    const next = Number(index) + records.length;
    return { records, next: closed ? undefined : `${shardId}|${next}` };
  }
  destroy(): void {}
}

const pipe: PipeDefinition = {
  name: 'orders-outbox',
  source: STREAM,
  sourceParameters: { startingPosition: 'TRIM_HORIZON', batchSize: 10, maximumBatchingWindowInSeconds: 0, maximumRetryAttempts: 0, maximumRecordAgeInSeconds: -1, parallelizationFactor: 1 },
  filters: [],
  target: 'arn:aws:events:eu-west-1:000000000000:event-bus/platform',
  eventBus: {},
  desiredState: 'RUNNING',
};

const noQueue: QueueSender = {
  sendMessage: async () => {
    throw new Error('no DLQ in this test');
  },
  queueExists: () => false,
};

describe('pipe runner across shard splits', () => {
  const runners: PipeRunner[] = [];
  afterEach(async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
  });

  function start(stream: StreamsApi, checkpoints: CheckpointStore, bus: EventPublisher): PipeRunner {
    const runner = new PipeRunner(pipe, {
      arn: 'arn:aws:pipes:eu-west-1:000000000000:pipe/orders-outbox',
      region: 'eu-west-1',
      streams: stream,
      events: () => bus,
      sqs: () => noQueue,
      checkpoints,
      now: Date.now,
      log: () => undefined,
      pollIntervalMs: 5,
      retryBaseDelayMs: 1,
      retryMaxDelayMs: 5,
    });
    runners.push(runner);
    runner.start();
    return runner;
  }

  it('reads the parent shard to its end before the child, and checkpoints both', async () => {
    // prepare
    const delivered: PutEventsEntry[] = [];
    const bus: EventPublisher = {
      async putEvents(entries) {
        delivered.push(...entries);
        return { FailedEntryCount: 0, Entries: entries.map((_, index) => ({ EventId: `e-${index}` })) };
      },
    };
    const path = join(mkdtempSync(join(tmpdir(), 'pipes-checkpoints-')), 'checkpoints.json');
    const stream = new SplitStream();
    // act
    const runner = start(stream, new CheckpointStore(path), bus);
    await runner.whenIdle();
    // assess: default source/detail-type of a pipe event, the record as detail, parent order first.
    expect(delivered.map((entry) => (JSON.parse(entry.Detail as string) as { dynamodb: { Keys: { pk: { S: string } } } }).dynamodb.Keys.pk.S)).toEqual(['a', 'b', 'c']);
    expect(delivered[0]).toMatchObject({ Source: 'Pipe orders-outbox', DetailType: 'Event from aws:dynamodb', EventBusName: pipe.target });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      'orders-outbox': {
        source: STREAM,
        initialized: true,
        shards: { 'shard-parent': { after: '000000000000000000002', finished: true }, 'shard-child': { after: '000000000000000000003' } },
      },
    });
  });

  it('after a graceful stop and start, continues after the checkpoint (nothing replayed, new records delivered)', async () => {
    // prepare: a first run delivers everything and stops.
    const delivered: string[] = [];
    const bus: EventPublisher = {
      async putEvents(entries) {
        delivered.push(...entries.map((entry) => entry.Detail as string));
        return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: 'e' })) };
      },
    };
    const path = join(mkdtempSync(join(tmpdir(), 'pipes-checkpoints-')), 'checkpoints.json');
    const stream = new SplitStream();
    const first = start(stream, new CheckpointStore(path), bus);
    await first.whenIdle();
    await first.stop();
    stream.records['shard-child']?.push(record(4, 'd'));
    // act: a new runner with the checkpoints read back from disk.
    const second = start(stream, new CheckpointStore(path), bus);
    await second.whenIdle();
    // assess
    expect(delivered.map((detail) => (JSON.parse(detail) as { dynamodb: { Keys: { pk: { S: string } } } }).dynamodb.Keys.pk.S)).toEqual(['a', 'b', 'c', 'd']);
  });
});
