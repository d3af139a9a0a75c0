/**
 * Makes DynamoDB Local's answer to a transaction mean "committed", as it does on AWS.
 *
 * Why DynamoDB Local loses acknowledged transactions under `kill -9` (read from its jar, 3.x,
 * `SQLiteDBAccess`): every request runs as a job on one FIFO `SQLiteQueue` thread in front of
 * SQLite. Single-item writes (PutItem, UpdateItem, DeleteItem, BatchWriteItem) run `BEGIN … COMMIT`
 * inside their job and the request waits for it, so their 200 comes after the commit. But
 * TransactWriteItems and PartiQL ExecuteTransaction call `commitTransaction`, which *queues* the
 * `COMMIT` job and returns without waiting for it: the 200 can leave while the `COMMIT` still waits
 * behind other jobs (fsyncs on a busy disk), and a `kill -9` then rolls the transaction back
 * (whole: never half-written). No option or system property changes this.
 *
 * The barrier: after such a transaction answered 200, the edge sends one read (`ListTables`, a
 * job on the same queue that the request waits for) before answering. The queue is FIFO, so when
 * that read is answered the `COMMIT` has run and the transaction is in the database file (SQLite
 * has written it; a process kill does not lose the page cache). If DynamoDB Local died or was
 * restarted in between, the commit may be lost: the caller gets a retryable 503 instead of the
 * 200, an unknown outcome as after a network error on AWS (the SDK retries with the same
 * `ClientRequestToken`, which DynamoDB Local honours when the first attempt did commit).
 *
 * Chosen over a write-ahead journal of items in the edge: it fixes the cause (the early answer)
 * instead of re-applying writes after the fact, needs no replay or idempotency rules for
 * non-idempotent updates, and costs one local round trip per transaction only
 * (`bench/dynamodb-local-durability.bench.ts` measures it). It relies on DynamoDB Local's queue being
 * FIFO; `tests/crash/dynamodb-local-commit.test.ts` kills DynamoDB Local under transactions and
 * fails if that stops holding after an upgrade.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { componentUnavailable } from '../../core/forward';
import type { AwsRequest } from '../../core/types';

/** Operations whose 200 DynamoDB Local sends before their `COMMIT` has run. */
const COMMITS_AFTER_ANSWER = new Set(['DynamoDB_20120810.TransactWriteItems', 'DynamoDB_20120810.ExecuteTransaction']);

/** True when `request`, answered with `status`, must wait for the barrier before its answer goes out. */
export function needsCommitBarrier(request: AwsRequest, status: number): boolean {
  const target = request.headers['x-amz-target'];
  return status === 200 && typeof target === 'string' && COMMITS_AFTER_ANSWER.has(target);
}

/**
 * Waits until DynamoDB Local has run every job queued before now (so the transaction's `COMMIT`).
 * `pidBefore` is DynamoDB Local's pid when the transaction was sent; `currentPid` reads it now.
 * Throws the edge's retryable 503 when the barrier cannot prove the commit.
 *
 * @example
 * if (needsCommitBarrier(request, response.status)) await awaitCommit(client, pidBefore, () => child.pid);
 */
export async function awaitCommit(client: DynamoDBClient, pidBefore: number | undefined, currentPid: () => number | undefined): Promise<void> {
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
  } catch (error) {
    throw componentUnavailable('DynamoDB Local', `it stopped before confirming the transaction's commit: ${(error as Error).message}`);
  }
  // A restarted DynamoDB Local answering the barrier proves nothing about the one that took the transaction.
  if (currentPid() !== pidBefore) throw componentUnavailable('DynamoDB Local', "it restarted before confirming the transaction's commit");
}
