/**
 * The drill service's consumers (one bundle, deployed as each of its functions): a direct one
 * (one async invocation per event) and a queued one (SQS batches). Each fails on demand while
 * `$DRILL_DIR/$DRILL_FUNCTION.broken` exists: on every event, or when the file reads
 * `poison:<eventId>,…` on those only (a poison event the code can't handle until a fix is
 * deployed). Otherwise it handles each event: a function with a table (`TABLE_NAME_RECORDS`)
 * writes it there first with the real SDK client, so a throttled table fails the invocation after
 * the client's retries; then it appends the event's `eventId` to `$DRILL_DIR/$DRILL_FUNCTION.log`,
 * which the game day counts (a line per delivery, so a duplicate shows).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

interface DrillEvent {
  detail: { metadata: { eventId: string } };
}

interface Item {
  messageId?: string;
  event: DrillEvent;
}

const dir = process.env.DRILL_DIR ?? '';
const functionKey = process.env.DRILL_FUNCTION ?? '';
const table = process.env.TABLE_NAME_RECORDS;
const dynamodb = table ? new DynamoDBClient({}) : undefined;

function refusals(): ((item: Item) => boolean) | undefined {
  const switchFile = join(dir, `${functionKey}.broken`);
  if (!existsSync(switchFile)) return undefined;
  const broken = readFileSync(switchFile, 'utf8');
  if (!broken.startsWith('poison:')) return () => true;
  const poison = new Set(broken.slice('poison:'.length).trim().split(','));
  return (item) => poison.has(item.event.detail.metadata.eventId);
}

async function handle(item: Item): Promise<void> {
  const { eventId } = item.event.detail.metadata;
  // Idempotent on eventId: a redriven event overwrites the same item.
  if (dynamodb) await dynamodb.send(new PutItemCommand({ TableName: table, Item: { PK: { S: `EVENT#${eventId}` }, SK: { S: 'RECORD' } } }));
  appendFileSync(join(dir, `${functionKey}.log`), `${eventId}\n`);
}

export const handler = async (event: DrillEvent | { Records: { messageId: string; body: string }[] }) => {
  const batch = 'Records' in event;
  const items: Item[] = batch ? event.Records.map((r) => ({ messageId: r.messageId, event: JSON.parse(r.body) as DrillEvent })) : [{ event }];
  const refuses = refusals();
  const refused = refuses ? items.filter(refuses) : [];
  if (refused.length > 0 && !batch) throw new Error('consumer broken on purpose');
  for (const item of items.filter((i) => !refused.includes(i))) await handle(item);
  return batch ? { batchItemFailures: refused.map((item) => ({ itemIdentifier: item.messageId as string })) } : {};
};
