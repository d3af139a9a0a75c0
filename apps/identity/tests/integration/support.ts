/**
 * The identity tables on the run's shared DynamoDB Local, built from the
 * same key layout the stack deploys (standard PK/SK, TTL on `ttl`, a
 * NEW_IMAGE stream on `identity` for the outbox pipe), plus readers of the
 * stream and recording stand-ins for the two ports DynamoDB Local cannot
 * serve (Cognito group membership, SES). End-to-end runs through the local
 * cloud use the real Cognito.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { createTableInput, OUTBOX_ITEM, standardTable, TTL } from '@kestrel/table-keys';
import { createLocalDocumentClient, createLocalDynamoDbClient, createTestTable, dynamoDbLocalEndpoint, localAwsConfig } from '@kestrel/testing/dynamodb-local';
import type { TestTable } from '@kestrel/testing/dynamodb-local';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { GroupMembership } from '../../src/adapters/cognito-groups';
import type { CodeMailer } from '../../src/adapters/code-mailer';
import type { RenderedMessage } from '../../src/domain/messages';

// The manifest declares no GSIs for either table.
const identityDefinition = { ...standardTable, globalSecondaryIndexes: [] };

export interface IdentityTables {
  client: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  identity: TestTable;
  legacy: TestTable;
  endpoint: string;
  delete(): Promise<void>;
}

export async function createIdentityTables(): Promise<IdentityTables> {
  const endpoint = dynamoDbLocalEndpoint();
  const client = createLocalDynamoDbClient(endpoint);
  const identity = await createTestTable(
    client,
    { ...createTableInput(identityDefinition, 'identity'), StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } },
    { timeToLiveAttribute: TTL },
  );
  const legacy = await createTestTable(client, createTableInput(identityDefinition, 'legacy-users'));
  return {
    client,
    documents: createLocalDocumentClient(client),
    identity,
    legacy,
    endpoint,
    delete: async () => {
      await identity.delete();
      await legacy.delete();
    },
  };
}

/** Every record of the table's stream so far, oldest first. */
export async function streamRecords(client: DynamoDBClient, endpoint: string, tableName: string): Promise<_Record[]> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const streams = new DynamoDBStreamsClient({ ...localAwsConfig, endpoint });
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: Table?.LatestStreamArn }));
  const records: _Record[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator: iterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: Table?.LatestStreamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    // An open shard's iterator never runs out: stop at the first empty page.
    for (let page = 0; iterator && page < 100; page += 1) {
      const result = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records.push(...(result.Records ?? []));
      if ((result.Records ?? []).length === 0) break;
      iterator = result.NextShardIterator;
    }
  }
  streams.destroy();
  return records;
}

export interface PublishedEvent {
  source: string;
  detailType: string;
  detail: { metadata: Record<string, unknown>; data: Record<string, unknown> };
}

/**
 * What the outbox pipe would put on the bus: one event per stream INSERT of
 * an outbox item (the pipe's filter: `eventName` INSERT and `PK` prefixed
 * `OUTBOX#`), with `source`, `detailType` and `detail` read from the item.
 */
export function outboxEvents(records: readonly _Record[]): PublishedEvent[] {
  return records
    .filter((record) => record.eventName === 'INSERT')
    .map((record) => unmarshall(record.dynamodb?.NewImage as Record<string, AttributeValue>))
    .filter((image) => String(image.PK).startsWith(OUTBOX_ITEM.keyPrefix))
    .map((image) => ({
      source: String(image[OUTBOX_ITEM.source]),
      detailType: String(image[OUTBOX_ITEM.detailType]),
      detail: JSON.parse(String(image[OUTBOX_ITEM.detail])) as PublishedEvent['detail'],
    }));
}

/** Group membership as the post-confirmation role would call it; Cognito's AdminAddUserToGroup is idempotent, so is this. */
export class RecordingGroupMembership implements GroupMembership {
  readonly calls: Array<{ userPoolId: string; userName: string; group: string }> = [];
  readonly members = new Set<string>();
  failNext = false;

  async addToGroup(call: { userPoolId: string; userName: string; group: string }): Promise<void> {
    this.calls.push(call);
    if (this.failNext) {
      this.failNext = false;
      throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    }
    this.members.add(`${call.group}/${call.userName}`);
  }
}

/** Captures the mail SES would send. */
export class RecordingMailer implements CodeMailer {
  readonly sent: Array<{ to: string; message: RenderedMessage }> = [];

  async send(to: string, message: RenderedMessage): Promise<void> {
    this.sent.push({ to, message });
  }

  /** The code in the last mail to `to`. */
  lastCode(to: string): string {
    const mail = [...this.sent].reverse().find((entry) => entry.to === to);
    const code = mail?.message.smsMessage.match(/\d{6}/)?.[0];
    if (!code) throw new Error(`no code mailed to ${to}`);
    return code;
  }
}

/** A published event as a consumer receives it: the EventBridge envelope around the outbox detail. */
export function asDelivered(event: PublishedEvent): Record<string, unknown> {
  return {
    version: '0',
    id: globalThis.crypto.randomUUID(),
    'detail-type': event.detailType,
    source: event.source,
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'eu-west-1',
    resources: [],
    detail: event.detail,
  };
}
