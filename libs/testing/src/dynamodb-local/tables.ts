import {
  CreateTableCommand,
  DeleteTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { uniqueName } from '../unique-name';

/** A table definition whose name is optional: when present it is used as the prefix of the unique name. */
export type TestTableDefinition = Omit<CreateTableCommandInput, 'TableName'> & { TableName?: string };

/** Options for {@link createTestTable}. */
export interface TestTableOptions {
  /** Enables TTL on this attribute after creation (CreateTable cannot do it). */
  timeToLiveAttribute?: string;
}

/** A table created for one test (file); `delete()` removes it again. */
export interface TestTable {
  readonly tableName: string;
  delete(): Promise<void>;
}

/**
 * A unique DynamoDB table name (3-255 characters of `[a-zA-Z0-9_.-]`) so tests sharing
 * one DynamoDB Local never see each other's data.
 *
 * @example
 * ```ts
 * uniqueTableName('customers'); // 'customers-41233-1-9f2c1a'
 * ```
 */
export function uniqueTableName(prefix = 'test'): string {
  return uniqueName(prefix).slice(0, 255);
}

/**
 * Creates a table with a unique name from a definition (e.g. the standard single-table
 * definition of `@kestrel/table-keys`). DynamoDB Local creates tables synchronously, so the
 * table is ACTIVE when this resolves.
 *
 * @example
 * ```ts
 * const table = await createTestTable(client, {
 *   TableName: 'customers',
 *   BillingMode: 'PAY_PER_REQUEST',
 *   AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
 *   KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
 * });
 * afterAll(() => table.delete());
 * ```
 */
export async function createTestTable(
  client: DynamoDBClient,
  definition: TestTableDefinition,
  options: TestTableOptions = {},
): Promise<TestTable> {
  const tableName = uniqueTableName(definition.TableName ?? 'test');
  await client.send(new CreateTableCommand({ ...definition, TableName: tableName }));
  if (options.timeToLiveAttribute !== undefined) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: options.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
  return {
    tableName,
    delete: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
    },
  };
}
