// The game day on the local cloud: each injected failure is detected by the paging monitor
// generated for it, the runbook's redrive repairs it, and nothing is lost. The JSON report is kept
// in tools/monitors/test-artifacts/gameday.json (uploaded by the CI workflow).
// Needs `nx run platform:synth` (the test target depends on it).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDrillCloud } from '../../src/gameday/drill-cloud';
import { runGameDay, type GameDayReport } from '../../src/gameday/gameday';

const WORKSPACE = join(import.meta.dirname, '../../../..');
const ARTIFACT = join(import.meta.dirname, '../../test-artifacts/gameday.json');

/** Three events published; the monitor back under its threshold after the repair; each event delivered once. */
const REPAIRED_NOTHING_LOST = { recovered: true, repaired: true, published: 3, delivered: 3, lost: 0, duplicates: 0 };

let drill: Awaited<ReturnType<typeof startDrillCloud>>;
let report: GameDayReport;

beforeAll(async () => {
  drill = await startDrillCloud(WORKSPACE);
  report = await runGameDay(drill.context);
  mkdirSync(join(ARTIFACT, '..'), { recursive: true });
  writeFileSync(ARTIFACT, `${JSON.stringify(report, null, 2)}\n`);
}, 300_000);

afterAll(async () => {
  await drill?.stop();
}, 60_000);

describe('game day on the local cloud', () => {
  it('detects a consumer throwing by its dead-letter depth monitor, and the redrive delivers every event once', () => {
    const failure = report.failures.find((f) => f.failure === 'consumer-throwing');
    expect(failure).toMatchObject({
      monitor: { key: 'staging/dlq-depth/kestrel-staging-ops-drill-on-user-registered-failures', kind: 'dlq-depth', pagesInProduction: true, observed: 3, threshold: 0 },
      detected: true,
      repair: 'npx tsx tools/monitors/src/ops/cli.ts redrive --service ops-drill --env staging --subscription user-registered --yes',
      repairResult: { moved: 3, failed: 0 },
      ...REPAIRED_NOTHING_LOST,
    });
  });

  it('detects a poison event on the queued subscription by its queue DLQ, and the move task brings it back', () => {
    const failure = report.failures.find((f) => f.failure === 'poison-event');
    expect(failure).toMatchObject({
      monitor: { key: 'staging/dlq-depth/kestrel-staging-ops-drill-user-registered-batches-queue-dlq', observed: 1, threshold: 0 },
      detected: true,
      repairResult: { moved: 1, failed: 0 },
      ...REPAIRED_NOTHING_LOST,
    });
  });

  it('detects a throttled table by the failure queue of the consumer writing it (its throttle monitor says why), and the redrive after the throttling stops delivers every event once', () => {
    const failure = report.failures.find((f) => f.failure === 'table-throttling');
    expect(failure).toMatchObject({
      monitor: { key: 'staging/dlq-depth/kestrel-staging-ops-drill-on-user-registered-failures', pagesInProduction: true, observed: 3, threshold: 0 },
      detected: true,
      causes: [{ key: 'staging/dynamodb-throttles/kestrel-staging-ops-drill-records', pagesInProduction: false, threshold: 0, fires: true }],
      repairResult: { moved: 3, failed: 0 },
      ...REPAIRED_NOTHING_LOST,
    });
    // Each event: 3 invocations (Lambda's 2 retries), each the SDK's 4 attempts, every one a throttled write.
    expect(failure?.causes[0]?.observed).toBe(3 * 3 * 4);
    // The invocations failed on the throttle, not on something else.
    expect(failure?.evidence).toMatchObject({ phrase: 'ProvisionedThroughputExceededException', lines: expect.any(Number) });
    expect(failure?.evidence?.lines).toBeGreaterThan(0);
  });

  it("detects an expired key by analytics-ingest's queue DLQ, and putting the key back then redriving puts every event in the lake once", () => {
    const failure = report.failures.find((f) => f.failure === 'expired-key');
    expect(failure).toMatchObject({
      monitor: { key: 'staging/dlq-depth/kestrel-staging-ops-drill-user-signed-in-lake-queue-dlq', pagesInProduction: true, observed: 3, threshold: 0 },
      detected: true,
      repair: 'npx tsx tools/monitors/src/ops/cli.ts redrive --service ops-drill --env staging --subscription user-signed-in-lake --yes',
      repairResult: { moved: 3, failed: 0 },
      ...REPAIRED_NOTHING_LOST,
    });
  });

  it('the lake drills failed for the injected reason: the ingest logs show the missing key, then Firehose refusing', () => {
    const expired = report.failures.find((f) => f.failure === 'expired-key');
    const refusing = report.failures.find((f) => f.failure === 'firehose-refusing');
    expect(expired?.evidence).toMatchObject({ logGroup: '/aws/lambda/kestrel-staging-ops-drill-ingest', phrase: 'PseudonymisationKeyUnavailableError' });
    expect(expired?.evidence?.lines).toBeGreaterThan(0);
    expect(refusing?.evidence).toMatchObject({ phrase: 'firehose refused records after retries', first: expect.stringContaining('ServiceUnavailableException') });
    expect(refusing?.evidence?.lines).toBeGreaterThan(0);
  });

  it('detects Firehose refusing records by the same queue DLQ, and once it accepts again the redrive puts every event in the lake once', () => {
    const failure = report.failures.find((f) => f.failure === 'firehose-refusing');
    expect(failure).toMatchObject({
      monitor: { key: 'staging/dlq-depth/kestrel-staging-ops-drill-user-signed-in-lake-queue-dlq', observed: 3, threshold: 0 },
      detected: true,
      repairResult: { moved: 3, failed: 0 },
      ...REPAIRED_NOTHING_LOST,
    });
  });

  it('reports the whole day ok: all five failures the runbooks cover are injected', () => {
    expect(report.failures.map((f) => f.failure)).toEqual(['consumer-throwing', 'poison-event', 'table-throttling', 'expired-key', 'firehose-refusing']);
    expect(report.notInjected).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
