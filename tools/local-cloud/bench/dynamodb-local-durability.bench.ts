/**
 * DynamoDB Local under `kill -9`, twice in one run on the same seed: alone (the raw reference: it
 * answers TransactWriteItems before its COMMIT has run and loses some of them) and behind the local
 * cloud's edge (whose commit barrier, `src/services/dynamodb/commit-barrier.ts`, must lose none).
 * 8 writers send TransactWriteItems of two Puts through the real SDK with no retries; each kill
 * lands right after an acknowledgement (`tests/crash/dynamodb-transaction-kills.ts`). Reports per
 * target: acknowledged, refused/unanswered, acknowledged then lost (edge: must be 0), half-written.
 *
 * Cost of the barrier, before the kills on each target: sequential TransactWriteItems and PutItem
 * latencies (PutItem has no barrier, so edge-minus-raw of PutItem is the proxy's own overhead and
 * the rest of the transaction's difference is the barrier). Timings are noisy on a shared machine.
 * Writes `bench-results/dynamodb-local-durability.json`.
 *
 *   npx tsx bench/dynamodb-local-durability.bench.ts --kills 10 --seed 14
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { findFreePort } from '../src/processes/supervisor';
import { clientFor, dynamoDbBehindEdge, rawDynamoDbLocal, runTransactionKills, type KillTarget } from '../tests/crash/dynamodb-transaction-kills';
import { argument, percentiles, round, writeBenchResult } from './support';

const kills = argument('kills', 10);
const seed = argument('seed', 14);
const sequentialWrites = argument('writes', 200);

/** Sequential latencies (ms) of TransactWriteItems (two Puts) and PutItem on a table of its own. */
async function writeLatencies(target: KillTarget) {
  const client = clientFor(target.endpoint);
  const TableName = 'latency';
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
    }),
  );
  const timed = async (send: (index: number) => Promise<unknown>) => {
    const samples: number[] = [];
    for (let index = 0; index < sequentialWrites; index++) {
      const startedAt = performance.now();
      await send(index);
      samples.push(performance.now() - startedAt);
    }
    return percentiles(samples.slice(sequentialWrites / 10)); // the first tenth warms the JIT and connections
  };
  const transactWriteItems = await timed((index) =>
    client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName, Item: { PK: { S: `A#${index}` } }, ConditionExpression: 'attribute_not_exists(PK)' } },
          { Put: { TableName, Item: { PK: { S: `B#${index}` } } } },
        ],
      }),
    ),
  );
  const putItem = await timed((index) => client.send(new PutItemCommand({ TableName, Item: { PK: { S: `P#${index}` } } })));
  client.destroy();
  return { transactWriteItems, putItem };
}

async function measure(name: string, open: (dir: string) => Promise<KillTarget>) {
  const dir = mkdtempSync(join(tmpdir(), `ddb-durability-${name}-`));
  const target = await open(dir);
  try {
    const latenciesMs = await writeLatencies(target);
    const { acknowledgedLatenciesMs, ...outcome } = await runTransactionKills(target, {
      kills,
      seed,
      progress: (message) => console.log(`${name}: ${message}`),
    });
    return { ...outcome, latenciesMs, underKillsAcknowledgedLatencyMs: percentiles(acknowledgedLatenciesMs) };
  } finally {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const raw = await measure('raw', async (dir) => rawDynamoDbLocal(dir, await findFreePort()));
const edge = await measure('edge', (dir) => dynamoDbBehindEdge(dir));
const p50 = (side: typeof raw, kind: 'transactWriteItems' | 'putItem') => side.latenciesMs[kind].p50;
const result = {
  kills,
  seed,
  rawDynamoDbLocal: raw,
  throughEdge: edge,
  // Barrier ≈ the transaction's extra edge cost beyond the proxy's own (PutItem's extra edge cost).
  barrierCostP50Ms: round(p50(edge, 'transactWriteItems') - p50(raw, 'transactWriteItems') - (p50(edge, 'putItem') - p50(raw, 'putItem'))),
};
const problems = [
  ...(edge.acknowledgedThenLost > 0 ? [`${edge.acknowledgedThenLost} transactions acknowledged by the edge then lost`] : []),
  ...(edge.halfWritten + raw.halfWritten > 0 ? ['half-written transactions'] : []),
];
console.log(JSON.stringify(result, null, 2));
console.log(writeBenchResult('dynamodb-local-durability', result, {}, problems));
