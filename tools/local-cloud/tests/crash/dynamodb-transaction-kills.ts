/**
 * DynamoDB Local `kill -9`ed under a load of transactions, reached either directly (the raw
 * reference) or through the local cloud's edge (which must make every 200 durable,
 * `src/services/dynamodb/commit-barrier.ts`). Shared by `tests/crash/dynamodb-local-commit.test.ts`
 * (CI, few kills) and `bench/dynamodb-local-durability.bench.ts` (many).
 *
 * Writers alternate TransactWriteItems of two Puts (`A#<id>` with a condition, `B#<id>`: the customer +
 * outbox shape) and single-item writes (PutItem, UpdateItem, BatchWriteItem of two Puts: `S#<id>…`, which
 * DynamoDB Local commits before answering) through
 * the real SDK with no retries, so a write counts as acknowledged only when its own answer was 200.
 * Each kill point: a seeded-random pause, then SIGKILL at the very next acknowledged transaction (the
 * adversarial moment: the answer just left, its commit may still be queued).
 * Afterwards every acknowledged id must be there, and never half.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startLocalCloud, type LocalCloud } from '../../src/cloud';
import { supervisedStatuses } from '../../src/processes/supervisor';
import { createDynamoDbModule } from '../../src/services/dynamodb';
import { DEFAULT_JVM_FLAGS, findDynamoDbLocalJar } from '../../src/services/dynamodb/dynamodb-local';
import { seededRandom } from '../support/seeded-random';

const TABLE = 'durability';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A DynamoDB Local to write to and kill: directly, or behind the edge. */
export interface KillTarget {
  endpoint: string;
  /** SIGKILLs DynamoDB Local (returns at once). */
  kill(): void;
  /** Resolves once DynamoDB Local answers again after a kill. */
  restarted(): Promise<void>;
  close(): Promise<void>;
}

export function clientFor(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'durability', secretAccessKey: 'any' },
    // One attempt: acknowledged means this request's own answer was 200.
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ requestTimeout: 5000, connectionTimeout: 1000 }),
  });
}

async function answering(client: DynamoDBClient, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer again within ${timeoutMs} ms: ${(error as Error).message}`);
      await sleep(100);
    }
  }
}

/** DynamoDB Local alone on `-dbPath <dataDir>`, restarted by us after each kill. */
export async function rawDynamoDbLocal(dataDir: string, port: number): Promise<KillTarget> {
  const { jar, libraryPath } = findDynamoDbLocalJar();
  const endpoint = `http://127.0.0.1:${port}`;
  const probe = clientFor(endpoint);
  const start = (): ChildProcess =>
    spawn('java', [...DEFAULT_JVM_FLAGS, `-Djava.library.path=${libraryPath}`, '-jar', jar, '-port', String(port), '-sharedDb', '-dbPath', dataDir], {
      cwd: dataDir,
      stdio: 'ignore',
    });
  let child = start();
  let exited = Promise.resolve();
  await answering(probe);
  return {
    endpoint,
    kill() {
      const dying = child;
      exited = new Promise((resolve) => dying.once('exit', () => resolve()));
      dying.kill('SIGKILL');
    },
    async restarted() {
      await exited;
      child = start();
      await answering(probe);
    },
    async close() {
      child.kill('SIGKILL');
      probe.destroy();
    },
  };
}

/** A local cloud with the DynamoDB module on `dataDir`; its supervisor restarts DynamoDB Local. */
export async function dynamoDbBehindEdge(dataDir: string, port = 0): Promise<KillTarget> {
  const cloud: LocalCloud = await startLocalCloud({ dataDir: join(dataDir, 'cloud'), port, modules: [createDynamoDbModule] });
  const probe = clientFor(cloud.endpoint);
  const dynamoDbLocal = () => supervisedStatuses().find((status) => status.name === 'dynamodb-local');
  let killedPid: number | undefined;
  return {
    endpoint: cloud.endpoint,
    kill() {
      killedPid = dynamoDbLocal()?.pid;
      if (!killedPid) throw new Error('DynamoDB Local is not running under the local cloud');
      process.kill(killedPid, 'SIGKILL');
    },
    async restarted() {
      const deadline = Date.now() + 90_000;
      // Until the supervisor has seen the exit, the old pid is still reported running.
      while (!(dynamoDbLocal()?.state === 'running' && dynamoDbLocal()?.pid !== killedPid)) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local not restarted by the supervisor: ${JSON.stringify(dynamoDbLocal())}`);
        await sleep(100);
      }
      await answering(probe);
    },
    async close() {
      probe.destroy();
      await cloud.stop();
    },
  };
}

/** One PutItem, UpdateItem or BatchWriteItem (by `kind`); the keys it wrote once answered 200 with nothing unprocessed. */
async function singleItemWrite(client: DynamoDBClient, id: string, kind: number): Promise<string[]> {
  const pad = { S: 's'.repeat(700) };
  if (kind === 0) {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { PK: { S: `S#${id}` }, pad } }));
    return [`S#${id}`];
  }
  if (kind === 1) {
    await client.send(new UpdateItemCommand({ TableName: TABLE, Key: { PK: { S: `S#${id}` } }, UpdateExpression: 'SET pad = :pad', ExpressionAttributeValues: { ':pad': pad } }));
    return [`S#${id}`];
  }
  const keys = [`S#${id}-1`, `S#${id}-2`];
  const { UnprocessedItems } = await client.send(
    new BatchWriteItemCommand({ RequestItems: { [TABLE]: keys.map((key) => ({ PutRequest: { Item: { PK: { S: key }, pad } } })) } }),
  );
  return Object.keys(UnprocessedItems ?? {}).length === 0 ? keys : [];
}

export interface TransactionKillResult {
  kills: number;
  acknowledgedTransactions: number;
  refusedOrUnanswered: number;
  acknowledgedThenLost: number;
  halfWritten: number;
  lostSample: string[];
  /** Items written by PutItem, UpdateItem and BatchWriteItem whose call answered 200 (all processed). */
  acknowledgedSingleWrites: number;
  /** Of those, missing afterwards. */
  singleWritesLost: number;
  /** Milliseconds from send to 200, acknowledged transactions only. */
  acknowledgedLatenciesMs: number[];
}

/**
 * Runs the writers against `target`, kills DynamoDB Local `kills` times, then checks the table.
 *
 * @example
 * const result = await runTransactionKills(await dynamoDbBehindEdge(dir), { kills: 3, seed: 14 });
 */
export async function runTransactionKills(
  target: KillTarget,
  options: { kills: number; seed: number; writers?: number; progress?: (message: string) => void },
): Promise<TransactionKillResult> {
  const random = seededRandom(options.seed);
  const client = clientFor(target.endpoint);
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    }),
  );
  const acknowledged: string[] = [];
  const acknowledgedSingles: string[] = [];
  const latencies: number[] = [];
  let refused = 0;
  let running = true;
  let killAtNextAck: (() => void) | undefined;
  const writers = Array.from({ length: options.writers ?? 8 }, async (_, writer) => {
    for (let sequence = 0; running; sequence++) {
      const id = `${options.seed}-${writer}-${sequence}`;
      const sentAt = performance.now();
      try {
        if (sequence % 2 === 1) {
          acknowledgedSingles.push(...(await singleItemWrite(client, id, (sequence >> 1) % 3)));
          continue;
        }
        await client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: TABLE, Item: { PK: { S: `A#${id}` }, pad: { S: 'a'.repeat(500) } }, ConditionExpression: 'attribute_not_exists(PK)' } },
              { Put: { TableName: TABLE, Item: { PK: { S: `B#${id}` }, pad: { S: 'b'.repeat(900) } } } },
            ],
          }),
        );
        latencies.push(performance.now() - sentAt);
        acknowledged.push(id);
        killAtNextAck?.();
      } catch {
        refused++;
        await sleep(20);
      }
    }
  });
  for (let round = 0; round < options.kills; round++) {
    await sleep(300 + random() * 1500);
    await new Promise<void>((resolve) => {
      killAtNextAck = () => {
        killAtNextAck = undefined;
        target.kill();
        resolve();
      };
    });
    await target.restarted();
    options.progress?.(`kill ${round + 1}/${options.kills}: ${acknowledged.length} acknowledged so far`);
  }
  running = false;
  await Promise.all(writers);
  const keys = new Set<string>();
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) keys.add(item.PK?.S ?? '');
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  client.destroy();
  const lost = acknowledged.filter((id) => !keys.has(`A#${id}`) && !keys.has(`B#${id}`));
  const ids = new Set([...keys].filter((key) => !key.startsWith('S#')).map((key) => key.slice(2)));
  const halfWritten = [...ids].filter((id) => keys.has(`A#${id}`) !== keys.has(`B#${id}`)).length;
  return {
    kills: options.kills,
    acknowledgedTransactions: acknowledged.length,
    refusedOrUnanswered: refused,
    acknowledgedThenLost: lost.length,
    halfWritten,
    lostSample: lost.slice(0, 5),
    acknowledgedSingleWrites: acknowledgedSingles.length,
    singleWritesLost: acknowledgedSingles.filter((key) => !keys.has(key)).length,
    acknowledgedLatenciesMs: latencies,
  };
}
