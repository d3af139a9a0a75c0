/**
 * Crash safety, proven by killing (issue 14): a local cloud runs as its own
 * process under a load of PutEvents, async Invokes, SendMessage,
 * PutRecordBatch and outbox items written to DynamoDB Local (published by a
 * stream → pipe → bus), is `kill -9`ed at seeded random points and started again on
 * the same data dir; after the last restart every acknowledged item must
 * reach each sink it was meant for, or be dead-lettered with a reason
 * (`harness.ts` describes the load, the sinks and the invariants). The
 * benchmark `bench/crash.bench.ts` runs the same with 50+ kill points.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCrashScenario, type CrashReport } from './harness';

/** 0: each start takes a free port (set CRASH_TEST_PORT to pin it, as `npm start` does). */
const port = Number(process.env.CRASH_TEST_PORT ?? 0);

describe('kill -9 of the local cloud during a load, 3 seeded kill points', () => {
  let report: CrashReport;

  beforeAll(async () => {
    report = await runCrashScenario({ seed: 14, kills: 3, port, outbox: true, quiescenceTimeoutMs: 90_000 });
  }, 300_000);

  afterAll(() => {
    if (report && report.totals.lost > 0) console.error(JSON.stringify(report, null, 2));
  });

  it('acknowledged items before every kill (the kills hit a running load)', () => {
    expect(report.killPoints).toHaveLength(3);
    expect(report.sinks.eventsToLambda.acknowledged).toBeGreaterThan(0);
    expect(report.sinks.asyncInvokes.acknowledged).toBeGreaterThan(0);
    expect(report.sinks.sentMessages.acknowledged).toBeGreaterThan(0);
    expect(report.sinks.firehoseRecords.acknowledged).toBeGreaterThan(0);
    expect(report.sinks.outboxPublished?.acknowledged).toBeGreaterThan(0);
    expect(report.calls.failed).toBeGreaterThan(0);
  });

  it.each(['eventsToLambda', 'eventsToQueue', 'eventsToLake', 'asyncInvokes', 'sentMessages', 'firehoseRecords', 'outboxPublished'] as const)(
    'loses no acknowledged item in %s: each arrived at least once or was dead-lettered with a reason',
    (sink) => {
      const outcome = report.sinks[sink];
      if (!outcome) throw new Error(`no report for ${sink}`);
      expect(outcome.lostSample).toEqual([]);
      expect(outcome.delivered + outcome.deadLettered).toBe(outcome.acknowledged);
    },
  );

  it('publishes every outbox item written to the table: no item skipped or stuck behind the pipe checkpoint', () => {
    const outbox = report.sinks.outboxPublished;
    expect(outbox?.lostSample).toEqual([]);
    expect(outbox?.delivered).toBe(outbox?.acknowledged);
  });

  // Duplicates are allowed (at-least-once) and reported as the raw duplicate rate, not failed.
  it('has every acknowledged event and record in the lake, each id counted once (de-duplicated by id)', () => {
    const lake = [report.sinks.eventsToLake, report.sinks.firehoseRecords];
    expect(lake.map((sink) => sink.delivered)).toEqual(lake.map((sink) => sink.acknowledged));
  });
});
