import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Every item of a table, all pages, read consistently (tests only: production code never scans).
 *
 * @example
 * ```ts
 * const items = await allItems(documents, table.tableName);
 * expect(items.filter((item) => String(item.PK).startsWith('OUTBOX#'))).toHaveLength(1);
 * ```
 */
export async function allItems(documents: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}
