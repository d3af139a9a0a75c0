/**
 * DynamoDB Local itself under `kill -9` (no local cloud in front): 8 writers send TransactWriteItems of
 * two Puts (`A#<id>` with a condition, `B#<id>`: the customer + outbox shape), the JVM is killed at
 * seeded-random points and started again on the same `-dbPath`. Afterwards: how many *acknowledged*
 * (HTTP 200) transactions are missing, and whether any is half there. Explains the rare
 * "UserRegistered in the lake, no customer, no CustomerCreated, no dead letter" of the system crash
 * test (tools/local-cloud/README.md, "Known differences"). Writes `bench-results/dynamodb-local-durability.json`.
 *
 *   npx tsx bench/dynamodb-local-durability.bench.ts --kills 8
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ScanCommand, TransactWriteItemsCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DEFAULT_JVM_FLAGS, findDynamoDbLocalJar } from '../src/services/dynamodb/dynamodb-local';
import { findFreePort } from '../src/processes/supervisor';
import { argument, writeBenchResult } from './support';

const TABLE = 'durability';
const kills = argument('kills', 8);
const dir = mkdtempSync(join(tmpdir(), 'ddb-durability-'));
const port = await findFreePort();
const { jar, libraryPath } = findDynamoDbLocalJar();
const client = new DynamoDBClient({
  endpoint: `http://127.0.0.1:${port}`,
  region: 'eu-west-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  // One attempt: a write counts as acknowledged only if DynamoDB Local itself answered 200.
  maxAttempts: 1,
  requestHandler: new NodeHttpHandler({ requestTimeout: 3000, connectionTimeout: 1000 }),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const start = (): ChildProcess =>
  spawn('java', [...DEFAULT_JVM_FLAGS, `-Djava.library.path=${libraryPath}`, '-jar', jar, '-port', String(port), '-sharedDb', '-dbPath', dir], { cwd: dir, stdio: 'ignore' });
async function ready(): Promise<void> {
  for (;;) {
    try {
      await client.send(new ScanCommand({ TableName: TABLE, Limit: 1 }));
      return;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return;
      await sleep(200);
    }
  }
}

let child = start();
await ready();
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
let refused = 0;
for (let round = 0; round < kills; round++) {
  let running = true;
  const writers = Array.from({ length: 8 }, async () => {
    while (running) {
      const id = randomUUID();
      try {
        await client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: TABLE, Item: { PK: { S: `A#${id}` }, pad: { S: 'a'.repeat(500) } }, ConditionExpression: 'attribute_not_exists(PK)' } },
              { Put: { TableName: TABLE, Item: { PK: { S: `B#${id}` }, pad: { S: 'b'.repeat(900) } } } },
            ],
          }),
        );
        acknowledged.push(id);
      } catch {
        refused++;
        await sleep(20);
      }
    }
  });
  await sleep(800 + Math.random() * 1500);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  running = false;
  await Promise.all(writers);
  child = start();
  await ready();
}
const keys: string[] = [];
let startKey: Record<string, AttributeValue> | undefined;
do {
  const page = await client.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: startKey }));
  for (const item of page.Items ?? []) keys.push(item.PK?.S ?? '');
  startKey = page.LastEvaluatedKey;
} while (startKey);
child.kill('SIGKILL');
const a = new Set(keys.filter((key) => key.startsWith('A#')).map((key) => key.slice(2)));
const b = new Set(keys.filter((key) => key.startsWith('B#')).map((key) => key.slice(2)));
const lost = acknowledged.filter((id) => !a.has(id) && !b.has(id));
const halves = [...a].filter((id) => !b.has(id)).length + [...b].filter((id) => !a.has(id)).length;
const result = { kills, acknowledgedTransactions: acknowledged.length, refusedOrUnanswered: refused, acknowledgedThenLost: lost.length, halfWritten: halves, lostSample: lost.slice(0, 5) };
console.log(JSON.stringify(result));
console.log(writeBenchResult('dynamodb-local-durability', result));
rmSync(dir, { recursive: true, force: true });
