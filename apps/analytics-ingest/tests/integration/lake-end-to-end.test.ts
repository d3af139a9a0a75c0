/**
 * End to end through the local cloud, on the synthesized stacks: 10,000
 * business events put on the platform bus reach the raw zone through the rule,
 * the subscription queue, the event source mapping's batches, the ingest
 * function (a real Lambda child process running the bundle) and Firehose —
 * with a quarter of Firehose records refused — and every one is in the lake
 * after deduplication, with no personal value anywhere in the bucket.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { UserRegisteredV1, UserSignedInV1 } from '@kestrel/contracts';
import { allObjects } from '@kestrel/testing/cloud';
import { createPseudonymiser } from '../../src/domain';
import { syncLake } from '../../tools/lake/cache';
import { openLake } from '../../tools/lake/lake-db';
import type { Lake } from '../../tools/lake/lake-db';
import { projectDir, startLocalPlatform } from './local-platform';
import type { LocalPlatform } from './local-platform';

const EVENTS = 10_000;
const FAILURE_RATE = 0.25;
const run = randomBytes(3).toString('hex');
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Personal values, each matching a pattern no pseudonym or other field can, so one regex finds any that leaked. */
const person = (n: number) => ({
  email: `person${n}.${run}@example.com`,
  givenName: `Given${n}q${run}`,
  familyName: `Family${n}q${run}`,
  phoneNumber: `+4477${String(n).padStart(8, '0')}`,
});
const PII_PATTERN = new RegExp(`person\\d+\\.${run}@example\\.com|(Given|Family)\\d+q${run}|\\+4477\\d{8}`);

interface SentEvent {
  eventId: string;
  entry: PutEventsRequestEntry;
}

/** Registrations (with PII) and sign-ins, as identity publishes them. */
function businessEvent(n: number, bus: string): SentEvent {
  const eventId = randomUUID();
  const userId = `00000000-0000-4000-8000-${String(Math.floor(n / 2)).padStart(12, '0')}`;
  const at = new Date(Date.UTC(2026, 0, 15, 9) + n * 1_000).toISOString();
  const registration = n % 2 === 0;
  const contract = registration ? UserRegisteredV1 : UserSignedInV1;
  const data = registration
    ? { userId, ...person(n), locale: 'en-GB', registeredAt: at, origin: 'sign-up' }
    : { userId, clientId: 'web', method: 'password', signedInAt: new Date(Date.parse(at) + 60_000 * (1 + (n % 7))).toISOString() };
  return {
    eventId,
    entry: {
      EventBusName: bus,
      Source: contract.source,
      DetailType: contract.detailType,
      Time: new Date(at),
      Detail: JSON.stringify({
        metadata: { eventId, occurredAt: at, version: 1, correlationId: `it-${run}`, causationId: `it-${run}`, producer: 'identity' },
        data,
      }),
    },
  };
}

/** Events that must be quarantined, carrying personal data the lake must not keep in clear. */
function badEvents(bus: string): PutEventsRequestEntry[] {
  const metadata = (eventId: string) => ({ eventId, occurredAt: '2026-01-15T09:00:00.000Z', version: 1, correlationId: 'c', causationId: 'c', producer: 'identity' });
  return [
    ...Array.from({ length: 5 }, (_, i) => ({
      EventBusName: bus,
      Source: 'kestrel.identity',
      DetailType: 'UserRegistered',
      Detail: JSON.stringify({ metadata: metadata(randomUUID()), data: { ...person(900_000 + i), email: `person${900_000 + i}.${run}@example.com broken` } }),
    })),
    ...Array.from({ length: 5 }, (_, i) => ({
      EventBusName: bus,
      Source: 'kestrel.billing',
      DetailType: 'InvoicePaid',
      Detail: JSON.stringify({ metadata: metadata(randomUUID()), data: { payer: person(950_000 + i).email, amount: 12 } }),
    })),
  ];
}

async function firehoseLocal(endpoint: string, operation: string, body: Record<string, unknown>): Promise<unknown> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `Firehose_20150804.${operation}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${operation}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Sends entries 10 per PutEvents call, a few calls at a time. */
async function putAll(events: EventBridgeClient, entries: PutEventsRequestEntry[]): Promise<void> {
  const chunks: PutEventsRequestEntry[][] = [];
  for (let i = 0; i < entries.length; i += 10) chunks.push(entries.slice(i, i + 10));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as PutEventsRequestEntry[];
      const result = await events.send(new PutEventsCommand({ Entries: chunk }));
      if (result.FailedEntryCount) throw new Error(`PutEvents refused ${result.FailedEntryCount} entries: ${JSON.stringify(result.Entries)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

describe('analytics-ingest through the local cloud', () => {
  let platform: LocalPlatform;
  let s3: S3Client;
  let bucket: string;
  let lake: Lake;
  const cacheDir = () => join(platform.workDir, 'lake-cache');
  const key = randomBytes(32);
  const sent: SentEvent[] = [];

  beforeAll(async () => {
    // prepare: the stacks applied, the key set (the runbook step), a quarter of Firehose records refused
    platform = await startLocalPlatform();
    const endpoint = platform.cloud.endpoint;
    const clientConfig = { endpoint, region: platform.cloud.context.region, credentials };
    bucket = String(platform.outputs['raw-zone-bucket']);
    s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
    const ssm = new SSMClient(clientConfig);
    await ssm.send(
      new PutParameterCommand({ Name: '/kestrel/staging/analytics-ingest/pseudonymisation-key', Type: 'SecureString', Value: key.toString('base64'), Overwrite: true }),
    );
    ssm.destroy();
    await firehoseLocal(endpoint, 'LocalSetFaultInjection', { FailureRate: FAILURE_RATE });

    // act: 10,000 events and 10 bad ones on the bus
    const events = new EventBridgeClient(clientConfig);
    for (let n = 0; n < EVENTS; n++) sent.push(businessEvent(n, 'kestrel-staging-bus'));
    await putAll(events, [...sent.map((event) => event.entry), ...badEvents('kestrel-staging-bus')]);
    events.destroy();

    // Wait until every event is in the lake: flush Firehose's buffers, copy new objects, count.
    const deadline = Date.now() + 360_000;
    for (;;) {
      await firehoseLocal(endpoint, 'LocalFlush', {});
      await syncLake({ s3, bucket, cacheDir: cacheDir() });
      lake?.close();
      lake = await openLake(cacheDir());
      const [counts] = (await lake.query(`SELECT (SELECT count(*) FROM latest_events) AS raw, (SELECT count(*) FROM quarantine_events) AS quarantined`)).rows;
      if (Number(counts?.raw) >= EVENTS && Number(counts?.quarantined) >= 10) break;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the lake: ${JSON.stringify(counts)} of ${EVENTS} events and 10 quarantined`);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }, 420_000);

  afterAll(async () => {
    lake?.close();
    s3?.destroy();
    await platform?.cloud.stop();
    if (platform) rmSync(platform.workDir, { recursive: true, force: true });
  }, 60_000);

  it('has every eventId in latest_events, exactly once', async () => {
    // act
    const { rows } = await lake.query(`SELECT "eventId" FROM latest_events`);

    // assess
    const ids = rows.map((row) => String(row.eventId));
    expect(ids).toHaveLength(EVENTS);
    expect(new Set(ids)).toEqual(new Set(sent.map((event) => event.eventId)));
  });

  it('partitioned the objects by zone, source, detail-type, day and hour, gzipped', async () => {
    // act
    const { rows } = await lake.query(`SELECT DISTINCT source, detail_type, length(dt) AS dt_length, length(hour) AS hour_length FROM raw_events ORDER BY ALL`);

    // assess
    expect(rows).toEqual([
      { source: 'kestrel.identity', detail_type: 'UserRegistered', dt_length: 10, hour_length: 2 },
      { source: 'kestrel.identity', detail_type: 'UserSignedIn', dt_length: 10, hour_length: 2 },
    ]);
  });

  it('keeps no personal value in clear anywhere in the bucket, and pseudonymises with the key from SSM', async () => {
    // prepare
    const objects = await allObjects(s3, bucket);
    const keys = objects.map((object) => object.key);

    // act: every object, every prefix (raw, quarantine, errors), decompressed
    const leaks: string[] = [];
    for (const { key: objectKey, body } of objects) {
      const bytes = Buffer.from(body);
      const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
      const match = PII_PATTERN.exec(text);
      if (match) leaks.push(`${objectKey}: ${match[0]}`);
    }
    const { rows } = await lake.query(`SELECT json_extract_scalar(data, '$.email') AS email FROM latest_events WHERE "eventId" = '${sent[0]?.eventId}'`);

    // assess
    expect(keys.length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
    expect(rows).toEqual([{ email: createPseudonymiser(key)(person(0).email) }]);
  });

  it('quarantined the events that failed their contract or have none, with the reason', async () => {
    // act
    const { rows } = await lake.query(`SELECT source, detail_type, reason.code AS code, count(*) AS n FROM quarantine_events GROUP BY ALL ORDER BY ALL`);

    // assess
    expect(rows).toEqual([
      { source: 'kestrel.billing', detail_type: 'InvoicePaid', code: 'unknown-contract', n: 5 },
      { source: 'kestrel.identity', detail_type: 'UserRegistered', code: 'contract-violation', n: 5 },
    ]);
  });

  it('retried the records Firehose refused (the function logged retries)', () => {
    // prepare
    const logFile = join(platform.cloud.dataDir, 'lambda', 'logs', 'kestrel-staging-analytics-ingest-ingest.log');
    const metricLines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter((line) => line.includes('FirehoseRetriedRecords')) : [];
    const sum = (metric: string) => metricLines.reduce((total, line) => total + Number(new RegExp(`"${metric}\\\\?":(\\d+)`).exec(line)?.[1] ?? 0), 0);

    // act
    const records = sum('FirehoseRecords');
    const retried = sum('FirehoseRetriedRecords');

    // assess: events are packed several to a record; about a quarter of first attempts were retried, more for records refused again
    expect(records).toBeGreaterThan(0);
    expect(records).toBeLessThan(EVENTS / 2);
    expect(retried).toBeGreaterThan(records * FAILURE_RATE * 0.8);
  });

  it('went through the subscription queue in batches, leaving nothing behind', async () => {
    // act
    const state = (await platform.cloud.state()) as {
      functions: Array<{ name: string; invocations: number }>;
      eventSourceMappings: Array<{ eventSourceArn: string; batches: number; messages: number; batchSize: number }>;
      queues: Array<{ name: string; depth: number; inFlight: number }>;
    };
    const ingest = state.functions.find((fn) => fn.name === 'kestrel-staging-analytics-ingest-ingest');
    const [mapping] = state.eventSourceMappings;
    const queues = state.queues.filter((queue) => queue.name.startsWith('kestrel-staging-analytics-ingest-'));

    // assess: 10,010 events in batches of up to 500 (pollers cut a batch short only at the window's end)
    expect(mapping).toMatchObject({ eventSourceArn: expect.stringMatching(/:kestrel-staging-analytics-ingest-all-business-events-queue$/), batchSize: 500 });
    expect(mapping?.messages).toBeGreaterThanOrEqual(EVENTS + 10);
    expect(ingest?.invocations).toBe(mapping?.batches);
    expect(ingest?.invocations).toBeLessThan((EVENTS + 10) / 10);
    expect(queues.map((queue) => [queue.name, queue.depth, queue.inFlight])).toEqual(queues.map((queue) => [queue.name, 0, 0]));
  });

  it('answers SQL through npm run lake:query', async () => {
    // act: asynchronously, since the local cloud answering the CLI runs in this process
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(projectDir, '../../node_modules/tsx/dist/cli.mjs'), 'tools/lake/cli.ts', 'query', '--json', '--endpoint', platform.cloud.endpoint, '--cache', join(platform.workDir, 'cli-cache'), `SELECT detail_type, count(*) AS events FROM latest_events GROUP BY 1 ORDER BY 1`],
      { cwd: projectDir, encoding: 'utf8', env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: platform.cloud.context.region } },
    );

    // assess
    expect(JSON.parse(stdout)).toEqual([
      { detail_type: 'UserRegistered', events: EVENTS / 2 },
      { detail_type: 'UserSignedIn', events: EVENTS / 2 },
    ]);
  });
});
