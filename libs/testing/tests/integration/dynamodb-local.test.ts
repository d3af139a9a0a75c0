import { DescribeTimeToLiveCommand, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type TestTableDefinition,
  DynamoDbLocalStartError,
  createLocalDynamoDbClient,
  createTestTable,
  dynamoDbLocalEndpoint,
  findFreePort,
  startDynamoDbLocal,
} from '../../src/dynamodb-local/index';

const keyOnlyTable: TestTableDefinition = {
  TableName: 'harness',
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
};

describe('shared DynamoDB Local from the global setup', () => {
  const client = createLocalDynamoDbClient(dynamoDbLocalEndpoint());
  afterAll(() => client.destroy());

  it('round-trips an item through a uniquely named table with TTL enabled', async () => {
    // prepare
    const table = await createTestTable(client, keyOnlyTable, { timeToLiveAttribute: 'ttl' });

    // act
    await client.send(new PutItemCommand({ TableName: table.tableName, Item: { PK: { S: 'a' }, ttl: { N: '1' } } }));
    const read = await client.send(new GetItemCommand({ TableName: table.tableName, Key: { PK: { S: 'a' } } }));
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));
    await table.delete();

    // assess
    expect(table.tableName).toMatch(/^harness-/);
    expect(read.Item).toEqual({ PK: { S: 'a' }, ttl: { N: '1' } });
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
  });

  it('gives two tests from the same definition different tables', async () => {
    // act
    const first = await createTestTable(client, keyOnlyTable);
    const second = await createTestTable(client, keyOnlyTable);
    await client.send(new PutItemCommand({ TableName: first.tableName, Item: { PK: { S: 'only-in-first' } } }));
    const fromSecond = await client.send(new GetItemCommand({ TableName: second.tableName, Key: { PK: { S: 'only-in-first' } } }));
    await Promise.all([first.delete(), second.delete()]);

    // assess
    expect(first.tableName).not.toBe(second.tableName);
    expect(fromSecond.Item).toBeUndefined();
  });
});

describe('startDynamoDbLocal', () => {
  it('starts on a chosen port, answers, and is gone after stop()', async () => {
    // prepare
    const port = await findFreePort();

    // act
    const local = await startDynamoDbLocal({ port });
    const client = createLocalDynamoDbClient(local.endpoint);
    const tables = await client.send(new ListTablesCommand({}));
    await local.stop();
    await local.stop(); // idempotent
    const afterStop = client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(2_000) });

    // assess
    expect(local.endpoint).toBe(`http://127.0.0.1:${port}`);
    expect(tables.TableNames).toEqual([]);
    await expect(afterStop).rejects.toThrow();
    client.destroy();
  });

  it('refuses a port someone else already answers on', async () => {
    // prepare
    const busyPort = Number(new URL(dynamoDbLocalEndpoint()).port);

    // act
    const started = startDynamoDbLocal({ port: busyPort });

    // assess
    await expect(started).rejects.toThrow(`port ${busyPort} is already in use`);
  });

  it('reports the JVM output when DynamoDB Local cannot start', async () => {
    // act
    const started = startDynamoDbLocal({ jvmArgs: ['-XX:+NoSuchKestrelOption'] });

    // assess
    await expect(started).rejects.toBeInstanceOf(DynamoDbLocalStartError);
    await expect(started).rejects.toThrow(/exited before answering[\s\S]*DynamoDB Local output[\s\S]*NoSuchKestrelOption/);
  });

  it('rejects contradictory storage options', async () => {
    // act
    const started = startDynamoDbLocal({ inMemory: true, dbPath: '/tmp/never-used' });

    // assess
    await expect(started).rejects.toThrow('choose either inMemory or dbPath');
  });

  it('names the executable when java cannot be spawned', async () => {
    // act
    const started = startDynamoDbLocal({ javaExecutable: '/nonexistent/java' });

    // assess
    await expect(started).rejects.toThrow(/Could not run \/nonexistent\/java: command not found/);
  });

  it('does not leave the JVM running when its owner is killed without stop()', async () => {
    // prepare: a separate Node process starts DynamoDB Local and reports the endpoint
    const fixture = fileURLToPath(new URL('./fixtures/start-and-hang.ts', import.meta.url));
    const owner = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [firstLine] = (await once(owner.stdout, 'data')) as [Buffer];
    const { endpoint } = JSON.parse(firstLine.toString('utf8')) as { endpoint: string };
    const client = createLocalDynamoDbClient(endpoint);
    const beforeKill = await client.send(new ListTablesCommand({}));

    // act
    owner.kill('SIGKILL');
    await once(owner, 'exit');
    const stillAnswers = await waitUntilUnreachable(client, 10_000);
    client.destroy();

    // assess
    expect(beforeKill.TableNames).toEqual([]);
    expect(stillAnswers).toBe(false);
  });
});

async function waitUntilUnreachable(client: ReturnType<typeof createLocalDynamoDbClient>, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    try {
      await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(1_000) });
    } catch {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}
