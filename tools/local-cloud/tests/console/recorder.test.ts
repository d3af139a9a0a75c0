import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Telemetry } from '../../src/core/telemetry';
import type { TelemetryRecord } from '../../src/core/telemetry';
import { TelemetryRecorder } from '../../src/console/recorder';

const put = (index: number, correlationId = `flow-${index % 3}`): TelemetryRecord => ({
  type: 'event.put',
  at: 1_000 + index,
  correlationId,
  eventId: `event-${index}`,
  bus: 'default',
  source: 'kestrel.customers',
  detailType: 'CustomerCreated',
  event: { id: `event-${index}` },
  matchedRules: [],
  size: 10,
});
const invocation = (index: number, functionName: string): TelemetryRecord => ({
  type: 'invocation',
  at: 2_000 + index,
  functionName,
  requestId: `request-${index}`,
  durationMs: 3,
  coldStart: index === 0,
  trigger: 'event',
});

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('TelemetryRecorder', () => {
  it('answers queries by correlation id, event, type, function and request id, oldest first, newest `limit`', () => {
    const telemetry = new Telemetry();
    const recorder = new TelemetryRecorder(telemetry);
    for (let index = 0; index < 9; index++) telemetry.publish(put(index));
    telemetry.publish(invocation(0, 'on-user-registered'));
    telemetry.publish(invocation(1, 'ingest'));

    expect(recorder.query({ correlationId: 'flow-1' }).map((record) => record.at)).toEqual([1_001, 1_004, 1_007]);
    expect(recorder.query({ correlationId: 'flow-1', limit: 2 }).map((record) => record.at)).toEqual([1_004, 1_007]);
    expect(recorder.query({ eventId: 'event-5' })).toHaveLength(1);
    expect(recorder.query({ type: 'invocation', functionName: 'ingest' }).map((record) => record.type === 'invocation' && record.requestId)).toEqual(['request-1']);
    expect(recorder.query({ requestId: 'request-0' })).toHaveLength(1);
    expect(recorder.query({ type: ['invocation', 'event.put'] })).toHaveLength(11);
    const tenth = recorder.query()[9]?.seq as number;
    expect(recorder.query({ afterSeq: tenth }).map((record) => record.type)).toEqual(['invocation']);
  });

  it('keeps the newest `capacity` records and forgets the rest in its indexes too', () => {
    const telemetry = new Telemetry();
    const recorder = new TelemetryRecorder(telemetry, { capacity: 5 });
    for (let index = 0; index < 12; index++) telemetry.publish(put(index));

    expect(recorder.size).toBe(5);
    expect(recorder.all().map((record) => record.at)).toEqual([1_007, 1_008, 1_009, 1_010, 1_011]);
    expect(recorder.query({ eventId: 'event-6' })).toEqual([]);
    expect(recorder.query({ correlationId: 'flow-0' }).map((record) => record.at)).toEqual([1_009]);
    expect(recorder.lastSeq).toBe(12);
  });

  it('reads the last run back from telemetry.jsonl, and rewrites the file once it holds twice its capacity', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recorder-'));
    dirs.push(dir);
    const first = new Telemetry();
    const recording = new TelemetryRecorder(first, { dir, capacity: 4, flushMs: 1 });
    for (let index = 0; index < 3; index++) first.publish(put(index));
    await recording.close();
    first.publish(put(99)); // after close: not recorded

    const second = new Telemetry();
    const restarted = new TelemetryRecorder(second, { dir, capacity: 4, flushMs: 1 });
    expect(restarted.all().map((record) => record.at)).toEqual([1_000, 1_001, 1_002]);
    expect(restarted.query({ correlationId: 'flow-2' })).toHaveLength(1);

    for (let index = 3; index < 12; index++) {
      second.publish(put(index));
      await restarted.flush();
    }
    await restarted.close();
    const lines = readFileSync(join(dir, 'telemetry.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(8);
    expect((JSON.parse(lines[lines.length - 1] as string) as { at: number }).at).toBe(1_011);

    const third = new TelemetryRecorder(new Telemetry(), { dir, capacity: 4 });
    expect(third.all().map((record) => record.at)).toEqual([1_008, 1_009, 1_010, 1_011]);
    await third.close();
  });

  it('skips a history line cut short by a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recorder-'));
    dirs.push(dir);
    const telemetry = new Telemetry();
    const recorder = new TelemetryRecorder(telemetry, { dir, flushMs: 1 });
    telemetry.publish(put(1));
    await recorder.close();
    const { appendFileSync } = await import('node:fs');
    appendFileSync(join(dir, 'telemetry.jsonl'), '{"type":"event.put","at":');
    const logged: string[] = [];
    const restarted = new TelemetryRecorder(new Telemetry(), { dir, log: (message) => logged.push(message) });
    expect(restarted.size).toBe(1);
    expect(logged).toEqual(['console: skipped unreadable history lines']);
  });
});
