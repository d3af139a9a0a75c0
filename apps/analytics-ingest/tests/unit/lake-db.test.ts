import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRegisteredV1, UserSignedInV1 } from '@kestrel/contracts';
import { partitionPath } from '../../lake';
import { createPseudonymiser, ingestEvent } from '../../src/domain';
import type { LakeRow } from '../../src/domain';
import { openLake } from '../../tools/lake/lake-db';
import type { Lake } from '../../tools/lake/lake-db';
import { lakeReport } from '../../tools/lake/report';
import { eventBridgeEvent, TEST_KEY, testRegistry } from '../fixtures/events';

const pseudonymise = createPseudonymiser(TEST_KEY);
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Writes rows where Firehose would (gzipped NDJSON under their partition), one object per call. */
function writeObject(root: string, rows: LakeRow[], receivedAt: Date, name: string): void {
  const first = rows[0] as LakeRow;
  const dir = join(root, partitionPath(first.zone, { source: first.source, detailType: first.detailType, receivedAt }));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json.gz`), gzipSync(rows.map((row) => JSON.stringify(row)).join('\n') + '\n'));
}

function row(raw: unknown, receivedAt: Date): LakeRow {
  return ingestEvent(raw, { registry: testRegistry, pseudonymise, receivedAt }).row;
}

function registration(n: number, registeredAt: string) {
  return eventBridgeEvent(
    UserRegisteredV1,
    { userId: uuid(n), email: `user${n}@example.com`, locale: 'en', registeredAt, origin: 'sign-up' },
    { eventId: uuid(1_000 + n), occurredAt: registeredAt },
  );
}

function signIn(n: number, signedInAt: string, eventNumber: number) {
  return eventBridgeEvent(
    UserSignedInV1,
    { userId: uuid(n), clientId: 'web', method: 'password', signedInAt },
    { eventId: uuid(2_000 + eventNumber), occurredAt: signedInAt },
  );
}

describe('the local lake (DuckDB over cached objects)', () => {
  let root: string;
  let lake: Lake;

  beforeAll(async () => {
    // prepare: 3 users registered on 15 Jan, 1 on 16 Jan; first sign-ins after 10, 30, 50 and 5 minutes;
    // user 1 signs in twice; user 2's registration is delivered twice (a Firehose retry).
    root = mkdtempSync(join(tmpdir(), 'lake-db-test-'));
    const t1 = new Date('2026-01-15T10:00:00Z');
    const t2 = new Date('2026-01-16T10:00:00Z');
    writeObject(root, [row(registration(1, '2026-01-15T09:00:00.000Z'), t1), row(registration(2, '2026-01-15T09:10:00.000Z'), t1), row(registration(3, '2026-01-15T09:20:00.000Z'), t1)], t1, 'a');
    writeObject(root, [row(registration(2, '2026-01-15T09:10:00.000Z'), t2), row(registration(4, '2026-01-16T08:00:00.000Z'), t2)], t2, 'b');
    writeObject(
      root,
      [
        row(signIn(1, '2026-01-15T09:10:00.000Z', 1), t1),
        row(signIn(1, '2026-01-15T12:00:00.000Z', 2), t1),
        row(signIn(2, '2026-01-15T09:40:00.000Z', 3), t1),
        row(signIn(3, '2026-01-15T10:10:00.000Z', 4), t1),
        row(signIn(4, '2026-01-16T08:05:00.000Z', 5), t2),
      ],
      t1,
      'c',
    );
    writeObject(root, [row({ source: 'kestrel.billing', 'detail-type': 'InvoicePaid', detail: { metadata: { version: 1 }, data: {} } }, t1)], t1, 'q');
    lake = await openLake(root);
  });

  afterAll(() => {
    lake?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('reads every delivered row with its partition columns', async () => {
    // act
    const { rows } = await lake.query(`SELECT source, detail_type, dt, hour, count(*) AS n FROM raw_events GROUP BY ALL ORDER BY ALL`);

    // assess
    expect(rows).toEqual([
      { source: 'kestrel.identity', detail_type: 'UserRegistered', dt: '2026-01-15', hour: '10', n: 3 },
      { source: 'kestrel.identity', detail_type: 'UserRegistered', dt: '2026-01-16', hour: '10', n: 2 },
      { source: 'kestrel.identity', detail_type: 'UserSignedIn', dt: '2026-01-15', hour: '10', n: 5 },
    ]);
  });

  it('latest_events keeps one row per eventId, the one received last', async () => {
    // act
    const { rows } = await lake.query(`SELECT "eventId", dt FROM latest_events WHERE detail_type = 'UserRegistered' ORDER BY "eventId"`);

    // assess
    expect(rows).toEqual([
      { eventId: uuid(1_001), dt: '2026-01-15' },
      { eventId: uuid(1_002), dt: '2026-01-16' },
      { eventId: uuid(1_003), dt: '2026-01-15' },
      { eventId: uuid(1_004), dt: '2026-01-16' },
    ]);
  });

  it('answers Athena-dialect SQL over pseudonymised data (json_extract_scalar, from_iso8601_timestamp)', async () => {
    // act
    const { rows } = await lake.query(
      `SELECT json_extract_scalar(data, '$.email') AS email, hour(from_iso8601_timestamp("occurredAt")) AS h FROM latest_events WHERE "eventId" = '${uuid(1_001)}'`,
    );

    // assess
    expect(rows).toEqual([{ email: pseudonymise('user1@example.com'), h: 9 }]);
  });

  it('keeps quarantined events in their own view, with the reason', async () => {
    // act
    const { rows } = await lake.query(`SELECT source, detail_type, reason.code AS code FROM quarantine_events`);

    // assess
    expect(rows).toEqual([{ source: 'kestrel.billing', detail_type: 'InvoicePaid', code: 'unknown-contract' }]);
  });

  it('reports events per source/type/day and the median minutes to first sign-in (not additive across days)', async () => {
    // act
    const report = await lakeReport(lake);

    // assess
    expect(report.eventsPerDay.rows).toEqual([
      { day: '2026-01-15', source: 'kestrel.identity', detail_type: 'UserRegistered', events: 3 },
      { day: '2026-01-15', source: 'kestrel.identity', detail_type: 'UserSignedIn', events: 4 },
      { day: '2026-01-16', source: 'kestrel.identity', detail_type: 'UserRegistered', events: 1 },
      { day: '2026-01-16', source: 'kestrel.identity', detail_type: 'UserSignedIn', events: 1 },
    ]);
    // 15 Jan: first sign-ins after 10, 30 and 50 minutes -> median 30 (user 1's second sign-in doesn't count).
    expect(report.medianMinutesToFirstSignIn.rows).toEqual([
      { registration_day: '2026-01-15', registered: 3, signed_in: 3, median_minutes_to_first_sign_in: 30 },
      { registration_day: '2026-01-16', registered: 1, signed_in: 1, median_minutes_to_first_sign_in: 5 },
    ]);
  });

  it('opens an empty lake with the same views', async () => {
    // prepare
    const empty = mkdtempSync(join(tmpdir(), 'lake-db-empty-'));

    // act
    const emptyLake = await openLake(empty);
    const { rows } = await emptyLake.query('SELECT count(*) AS n FROM latest_events');
    emptyLake.close();
    rmSync(empty, { recursive: true, force: true });

    // assess
    expect(rows).toEqual([{ n: 0 }]);
  });
});
