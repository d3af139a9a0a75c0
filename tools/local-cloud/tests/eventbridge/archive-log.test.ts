/**
 * The bus archive on disk (issue 14, "torn files"): each archived event is a
 * checksummed line written before PutEvents answers; a torn last line (a crash
 * mid-write) is reported with the file's name and skipped, never stopping the
 * start; files in the older plain-JSON-lines format are converted.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ArchiveLog } from '../../src/services/eventbridge/archive-log';
import type { ArchivedEvent } from '../../src/services/eventbridge/model';

const folders: string[] = [];
function folder(): string {
  const path = mkdtempSync(join(tmpdir(), 'archive-log-'));
  folders.push(path);
  return path;
}
afterEach(() => {
  for (const path of folders.splice(0)) rmSync(path, { recursive: true, force: true });
});

const archived = (id: string, receivedAt = 1): ArchivedEvent => ({
  receivedAt,
  event: { version: '0', id, 'detail-type': 'Test', source: 'test', account: '000000000000', time: '2026-12-07T00:00:00Z', region: 'eu-west-1', resources: [], detail: { id } },
});

describe('ArchiveLog', () => {
  it('reads back every appended event after a reopen without a close (as after kill -9)', () => {
    const directory = folder();
    const log = new ArchiveLog(directory, 'all-events');
    log.append(archived('a'));
    log.append(archived('b'));
    expect(new ArchiveLog(directory, 'all-events').events.map((entry) => entry.event.id)).toEqual(['a', 'b']);
  });

  it('reports a torn last line with the file name, keeps the events before it, and appends cleanly after it', () => {
    const directory = folder();
    new ArchiveLog(directory, 'all-events').append(archived('kept'));
    const file = join(directory, 'all-events.jsonl');
    appendFileSync(file, '1a2b3c4d {"receivedAt":2,"event":{"id":"torn"');
    const logged: string[] = [];
    const reopened = new ArchiveLog(directory, 'all-events', (message) => logged.push(message));
    reopened.append(archived('after'));
    expect(reopened.events.map((entry) => entry.event.id)).toEqual(['kept', 'after']);
    expect(logged.join('\n')).toContain(`${file}: the last record`);
    expect(new ArchiveLog(directory, 'all-events').events.map((entry) => entry.event.id)).toEqual(['kept', 'after']);
  });

  it('converts a file in the older plain JSON-lines format, dropping only a torn last line', () => {
    const directory = folder();
    const file = join(directory, 'all-events.jsonl');
    writeFileSync(file, `${JSON.stringify(archived('old-1'))}\n${JSON.stringify(archived('old-2'))}\n{"receivedAt":3,"ev`);
    const logged: string[] = [];
    const log = new ArchiveLog(directory, 'all-events', (message) => logged.push(message));
    expect(log.events.map((entry) => entry.event.id)).toEqual(['old-1', 'old-2']);
    expect(logged.join('\n')).toContain('the last line is torn');
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{8} \{/);
  });

  it('drops events past retention by rewriting the file atomically', async () => {
    const directory = folder();
    const log = new ArchiveLog(directory, 'all-events');
    log.append(archived('old', 1));
    log.append(archived('new', 10));
    await log.expire(5);
    expect(new ArchiveLog(directory, 'all-events').events.map((entry) => entry.event.id)).toEqual(['new']);
  });
});
