/**
 * A transaction the local cloud answered 200 survives `kill -9` of DynamoDB Local (issue 14).
 * DynamoDB Local alone answers TransactWriteItems before its COMMIT has run, and loses some of
 * those under kill -9 (`bench/dynamodb-local-durability.bench.ts` measures the raw rate); the
 * edge's commit barrier (`src/services/dynamodb/commit-barrier.ts`) withholds the 200 until the
 * commit has run. Each kill lands right after an acknowledgement, the moment the raw DynamoDB
 * Local loses it. Real SDK, no retries, a persisted data dir, the supervisor restarting the JVM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/processes/supervisor';
import { awaitCommit, needsCommitBarrier } from '../../src/services/dynamodb/commit-barrier';
import { clientFor, dynamoDbBehindEdge, runTransactionKills, type KillTarget, type TransactionKillResult } from './dynamodb-transaction-kills';

describe('DynamoDB Local killed with SIGKILL right after the edge acknowledged a transaction, 4 seeded kill points', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ddb-commit-'));
  let target: KillTarget;
  let result: TransactionKillResult;

  beforeAll(async () => {
    target = await dynamoDbBehindEdge(dataDir);
    result = await runTransactionKills(target, { kills: 4, seed: 14 });
  }, 240_000);

  afterAll(async () => {
    await target?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('acknowledged transactions and single-item writes before the kills', () => {
    expect(result.acknowledgedTransactions).toBeGreaterThan(result.kills);
    expect(result.acknowledgedSingleWrites).toBeGreaterThan(result.kills);
  });

  it('has every acknowledged transaction in the table after the restarts, none half-written', () => {
    expect({ lost: result.acknowledgedThenLost, sample: result.lostSample, halfWritten: result.halfWritten }).toEqual({ lost: 0, sample: [], halfWritten: 0 });
  });

  it('has every item of an acknowledged PutItem, UpdateItem or BatchWriteItem in the table after the restarts', () => {
    expect(result.singleWritesLost).toBe(0);
  });

  it('answers a retryable 503 instead of the 200 when a restarted DynamoDB Local answers the barrier', async () => {
    // The barrier read succeeds, but from another process than the one that took the transaction.
    const live = clientFor(target.endpoint);
    const failure = await awaitCommit(live, 41, () => 42).catch((error: unknown) => error);
    live.destroy();
    expect(failure).toMatchObject({ code: 'ServiceUnavailable', status: 503 });
    expect((failure as Error).message).toContain('restarted');
  });
});

describe('the commit barrier', () => {
  const request = (target: string) => ({
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: { 'x-amz-target': target },
    body: Buffer.from('{}'),
    service: 'dynamodb',
    region: 'eu-west-1',
    accountId: '000000000000',
  });

  it('holds back the 200 of TransactWriteItems and ExecuteTransaction only', () => {
    expect(needsCommitBarrier(request('DynamoDB_20120810.TransactWriteItems'), 200)).toBe(true);
    expect(needsCommitBarrier(request('DynamoDB_20120810.ExecuteTransaction'), 200)).toBe(true);
    expect(needsCommitBarrier(request('DynamoDB_20120810.TransactWriteItems'), 400)).toBe(false);
    expect(needsCommitBarrier(request('DynamoDB_20120810.PutItem'), 200)).toBe(false);
  });

  it('turns the 200 into a retryable 503 when DynamoDB Local is gone before confirming the commit', async () => {
    const closed = clientFor(`http://127.0.0.1:${await findFreePort()}`);
    const failure = await awaitCommit(closed, 41, () => 41).catch((error: unknown) => error);
    closed.destroy();
    expect(failure).toMatchObject({ code: 'ServiceUnavailable', status: 503, headers: { 'retry-after': '1' } });
  });
});
