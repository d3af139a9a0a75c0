/**
 * Data: tables (query by key or scan, through DynamoDB Local's API on the
 * edge), queues (depth, in flight, a peek that consumes nothing) and the lake
 * (DuckDB SQL, run by the same `lake` tool `npm run lake:query` runs).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parseKey, TYPE } from '@kestrel/table-keys';
import { ConsoleError } from '../routes';
import type { ConsoleDeps, ConsoleRoute } from '../routes';
import { clientConfig, intParam, jsonOrText, REPO_ROOT } from './local-services';
import { requireModule } from '../modules';

const LAKE_CLI = join(REPO_ROOT, 'apps', 'analytics-ingest', 'tools', 'lake', 'cli.ts');
const LAKE_TIMEOUT_MS = 120_000;
const PEEK_BODY_CHARS = 64 * 1024;

/** A key attribute's value as table-keys segments (`CUSTOMER#42` → ['CUSTOMER', '42']), when it is one. */
function segmentsOf(value: unknown): readonly string[] | undefined {
  if (typeof value !== 'string' || !value.includes('#')) return undefined;
  try {
    return parseKey(value);
  } catch {
    return undefined;
  }
}

/**
 * An item as the console shows it: the entity name the table-keys library stores in `type`
 * (where the item has one), each key attribute split into its segments, and the item itself.
 */
export function describeItem(item: Record<string, unknown>, keyAttributes: readonly string[]) {
  const entity = typeof item[TYPE] === 'string' ? (item[TYPE] as string) : null;
  const key = Object.fromEntries(keyAttributes.map((attribute) => [attribute, item[attribute]]));
  const segments = Object.fromEntries(keyAttributes.flatMap((attribute) => {
    const parsed = segmentsOf(item[attribute]);
    return parsed ? [[attribute, parsed]] : [];
  }));
  return { entity, key, segments, item };
}

function keyNames(table: TableDescription, index: string | null) {
  const schema = index ? table.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === index)?.KeySchema : table.KeySchema;
  if (!schema) throw new ConsoleError(400, `Table ${table.TableName} has no index '${index}'`, { field: 'index', indexes: (table.GlobalSecondaryIndexes ?? []).map((candidate) => candidate.IndexName) });
  return {
    partition: schema.find((element) => element.KeyType === 'HASH')?.AttributeName as string,
    sort: schema.find((element) => element.KeyType === 'RANGE')?.AttributeName,
  };
}

function cursorOf(text: string | null): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new ConsoleError(400, `'cursor' is not one this API gave`, { field: 'cursor' });
  }
}

/** Runs `lake query --json` (the analytics-ingest tool) and parses its rows. */
function runLakeQuery(deps: ConsoleDeps, sql: string): Promise<{ rows: Array<Record<string, unknown>>; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
      [LAKE_CLI, 'query', '--json', '--endpoint', deps.context.endpoint, '--cache', join(deps.context.dataDir, 'console', 'lake-cache'), sql],
      { cwd: REPO_ROOT, env: { ...process.env, AWS_REGION: deps.context.region, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), LAKE_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        // The tool's failure is its last `lake: …` line and what follows (DuckDB's caret under the error).
        const failure = stderr.slice(stderr.lastIndexOf('lake: ') + 'lake: '.length).trim();
        reject(new ConsoleError(400, stderr.includes('lake: ') ? failure : `the lake tool exited with ${code}`, { field: 'sql' }));
        return;
      }
      try {
        // The tool's own report lines (`lake: N objects …`), not the runtime's warnings.
        const log = stderr.split('\n').filter((line) => line.startsWith('lake: ')).join('\n');
        resolve({ rows: JSON.parse(stdout) as Array<Record<string, unknown>>, log });
      } catch (error) {
        reject(new Error(`the lake tool's output is not JSON: ${(error as Error).message}`));
      }
    });
  });
}

export function dataRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  let dynamodb: DynamoDBClient | undefined;
  let documents: DynamoDBDocumentClient | undefined;
  const tables = () => (dynamodb ??= new DynamoDBClient(clientConfig(deps)));
  const items = () => (documents ??= DynamoDBDocumentClient.from(tables()));
  const describe = async (name: string) => {
    try {
      return (await tables().send(new DescribeTableCommand({ TableName: name }))).Table as TableDescription;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') throw new ConsoleError(404, `No table '${name}'`, { field: 'name' });
      throw error;
    }
  };

  return [
    {
      method: 'GET',
      path: '/_local/tables',
      summary: 'Every DynamoDB table: key schema, indexes, item count, stream',
      handle: async () => {
        const names: string[] = [];
        let start: string | undefined;
        do {
          const page = await tables().send(new ListTablesCommand({ ExclusiveStartTableName: start }));
          names.push(...(page.TableNames ?? []));
          start = page.LastEvaluatedTableName;
        } while (start);
        const described = await Promise.all(names.map(describe));
        return {
          body: {
            tables: described.map((table) => ({
              name: table.TableName,
              itemCount: table.ItemCount ?? 0,
              key: keyNames(table, null),
              indexes: (table.GlobalSecondaryIndexes ?? []).map((index) => ({ name: index.IndexName, key: keyNames(table, index.IndexName ?? null) })),
              stream: table.StreamSpecification?.StreamEnabled === true,
            })),
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/_local/tables/:name/items',
      summary: 'Items of a table: ?pk=<value> queries the partition (?sk=<prefix> narrows it with begins_with, ?index=<GSI> queries an index), without pk a scan; ?limit=<1-500> (25), ?cursor=<from the previous answer>',
      handle: async (call) => {
        const table = await describe(call.params.name as string);
        const index = call.url.searchParams.get('index') || null;
        const key = keyNames(table, index);
        const pk = call.url.searchParams.get('pk');
        const sk = call.url.searchParams.get('sk');
        const limit = intParam(call.url, 'limit', 25, 1, 500);
        const cursor = cursorOf(call.url.searchParams.get('cursor'));
        if (sk && !pk) throw new ConsoleError(400, `'sk' narrows a query: give 'pk' too`, { field: 'pk' });
        if (sk && !key.sort) throw new ConsoleError(400, `Table ${table.TableName} has no sort key`, { field: 'sk' });
        const common = { TableName: table.TableName, Limit: limit, ExclusiveStartKey: cursor, ...(index ? { IndexName: index } : {}) };
        const page = pk
          ? await items().send(
              new QueryCommand({
                ...common,
                KeyConditionExpression: sk ? '#pk = :pk AND begins_with(#sk, :sk)' : '#pk = :pk',
                ExpressionAttributeNames: { '#pk': key.partition, ...(sk ? { '#sk': key.sort as string } : {}) },
                ExpressionAttributeValues: { ':pk': pk, ...(sk ? { ':sk': sk } : {}) },
              }),
            )
          : await items().send(new ScanCommand(common));
        const keyAttributes = [key.partition, ...(key.sort ? [key.sort] : [])];
        return {
          body: {
            table: table.TableName,
            operation: pk ? 'Query' : 'Scan',
            items: (page.Items ?? []).map((item) => describeItem(item, keyAttributes)),
            ...(page.LastEvaluatedKey ? { cursor: Buffer.from(JSON.stringify(page.LastEvaluatedKey)).toString('base64url') } : {}),
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/_local/queues',
      summary: 'Every SQS queue: depth (visible), in flight, delayed, and the queues it is the dead-letter queue of',
      handle: () => ({ body: { queues: requireModule(deps, 'sqs').service.summaries() } }),
    },
    {
      method: 'GET',
      path: '/_local/queues/:name/messages',
      summary: 'Peeks at a queue\'s messages without receiving them (no visibility change, no receive count): oldest first, ?limit=<1-100> (20)',
      handle: (call) => {
        const queue = requireModule(deps, 'sqs').service.find(call.params.name as string);
        if (!queue) throw new ConsoleError(404, `No queue '${call.params.name}'`, { field: 'name' });
        const limit = intParam(call.url, 'limit', 20, 1, 100);
        const now = Date.now();
        const messages = [...queue.messages.values()].sort((a, b) => a.sentAt - b.sentAt);
        return {
          body: {
            queue: queue.name,
            total: messages.length,
            messages: messages.slice(0, limit).map((message) => {
              const parsed = jsonOrText(message.body);
              const body = typeof parsed === 'string' ? parsed.slice(0, PEEK_BODY_CHARS) : parsed;
              return {
                messageId: message.id,
                state: message.visibleAt > now ? (message.receiptHandle ? 'in flight' : 'delayed') : 'visible',
                sentAt: new Date(message.sentAt).toISOString(),
                receiveCount: message.receiveCount,
                ...(message.deadLetterSourceArn ? { deadLetterSourceArn: message.deadLetterSourceArn } : {}),
                attributes: Object.fromEntries(Object.entries(message.attributes).map(([name, value]) => [name, value.StringValue ?? `(${value.DataType})`])),
                body,
              };
            }),
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/_local/lake/query',
      summary: 'Runs DuckDB SQL over the lake (body `{ sql }`): the raw-zone objects are copied through the S3 API, then queried with the views raw_events, latest_events, quarantine_events; answers columns and rows',
      handle: async (call) => {
        const sql = (call.body as { sql?: unknown } | undefined)?.sql;
        if (typeof sql !== 'string' || sql.trim() === '') throw new ConsoleError(400, `'sql' must be a DuckDB query, e.g. SELECT count(*) FROM latest_events`, { field: 'sql' });
        const started = Date.now();
        const { rows, log } = await runLakeQuery(deps, sql);
        return { body: { columns: Object.keys(rows[0] ?? {}), rows, log, durationMs: Date.now() - started } };
      },
    },
  ];
}
