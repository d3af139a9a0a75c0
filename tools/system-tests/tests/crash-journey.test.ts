// The whole platform as `npm start` runs it, killed with `kill -9` under a load of sign-ups
// (Cognito → identity → UserRegistered → customers), HTTP commands to customers' API with a real
// local Cognito token, and PutEvents; small in CI (two kill points: the local cloud's own process
// and DynamoDB Local), large in `bench/crash-journey.bench.ts` (50+). `support/crash-load.ts`
// describes the load and the invariants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSystemCrash, type SystemCrashReport } from './support/crash-load';

let report: SystemCrashReport;

beforeAll(async () => {
  // Messages the killed cloud had received come back after the queue's visibility timeout, as in
  // AWS; 20 s instead of analytics' 380 s keeps the run short (the benchmark keeps 380 s).
  report = await runSystemCrash({
    seed: 14,
    kills: 2,
    targets: ['local-cloud', 'dynamodb-local'],
    loadMs: { min: 2500, max: 3500 },
    queueVisibilityTimeoutSeconds: 20,
    quiescenceTimeoutMs: 90_000,
    progress: (message) => console.log(message),
  });
}, 330_000);

afterAll(() => {
  if (report && (report.totals.lost > 0 || report.customersCreatedTwice.length > 0)) console.error(JSON.stringify(report, null, 2));
});

describe('npm start killed with kill -9 during sign-ups, HTTP commands and PutEvents (2 seeded kill points)', () => {
  it('killed both the local cloud and DynamoDB Local while each kind of call was being acknowledged', () => {
    expect(report.killPoints.map((point) => point.target).sort()).toEqual(['dynamodb-local', 'local-cloud']);
    expect(report.outcomes.signUps.acknowledged).toBeGreaterThan(0);
    expect(report.outcomes.httpCreates.acknowledged).toBeGreaterThan(0);
    expect(report.outcomes.httpEdits.acknowledged).toBeGreaterThan(0);
    expect(report.outcomes.putEvents.acknowledged).toBeGreaterThan(0);
  });

  it.each(['signUps', 'httpCreates', 'httpEdits', 'putEvents'] as const)('loses nothing acknowledged in %s: each reached every target it was meant for, or a DLQ with a reason', (kind) => {
    const outcome = report.outcomes[kind];
    expect(outcome.lostSample).toEqual([]);
    // No exception for DynamoDB Local kills: the edge acknowledges a transaction only once it is committed.
    expect(outcome.delivered + outcome.deadLettered).toBe(outcome.acknowledged);
  });

  it('publishes every outbox item of identity and customers: none stuck behind a pipe checkpoint', () => {
    expect(report.stuckOutboxItems.outboxItems).toBeGreaterThan(0);
    expect(report.stuckOutboxItems.sample).toEqual([]);
  });

  it('creates no customer twice: one CustomerCreated event per customer, however often its cause was redelivered', () => {
    expect(report.customersCreatedTwice).toEqual([]);
  });

  it('has every lake event exactly once in latest_events (npm run lake:query), whatever the raw duplicates', () => {
    // Raw duplicates (redeliveries) are allowed and reported: report.lake.rawDuplicateRate.
    expect(report.lake.query.rawEvents).toBe(report.lake.rawRows);
    expect(report.lake.query.latestEvents).toBe(report.lake.distinctEvents);
    expect(report.lake.query.latestEventIds).toBe(report.lake.distinctEvents);
    expect(report.lake.quarantined).toBe(0);
  });
});
