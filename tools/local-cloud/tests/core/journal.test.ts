import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, journalLine } from '../../src/core/journal';

const folders: string[] = [];
function journalPath(): string {
  const folder = mkdtempSync(join(tmpdir(), 'journal-'));
  folders.push(folder);
  return join(folder, 'work.journal');
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('Journal', () => {
  it('hands back what was put and not done after the file is reopened (as after kill -9: nothing is closed)', async () => {
    const path = journalPath();
    const first = Journal.open<{ n: number }>(path, { label: 'test' });
    first.put('a', { n: 1 });
    first.putAll([
      ['b', { n: 2 }],
      ['c', { n: 3 }],
    ]);
    first.done('b');
    await first.durable();
    // No close(): the second open reads the file as a restarted process would.
    const second = Journal.open<{ n: number }>(path, { label: 'test' });
    expect([...second.recovered]).toEqual([
      ['a', { n: 1 }],
      ['c', { n: 3 }],
    ]);
    expect(second.problems).toEqual([]);
  });

  it('detects a torn last record, reports it with the file name, skips it and cuts it off so later appends stay readable', () => {
    const path = journalPath();
    const journal = Journal.open<string>(path, { label: 'test' });
    journal.put('kept', 'value');
    const torn = journalLine(JSON.stringify({ p: 'torn', v: 'half' }));
    appendFileSync(path, torn.slice(0, torn.length - 7));
    const logged: string[] = [];
    const reopened = Journal.open<string>(path, { label: 'test', log: (message) => logged.push(message) });
    expect([...reopened.recovered.keys()]).toEqual(['kept']);
    expect(reopened.problems).toMatchObject([{ kind: 'torn-tail', file: path }]);
    expect(logged.join('\n')).toContain(`${path}: the last record`);
    reopened.put('after', 'ok');
    expect([...Journal.open<string>(path, { label: 'test' }).recovered.keys()]).toEqual(['kept', 'after']);
  });

  it('skips a corrupt record in the middle but first keeps a copy of the whole file', () => {
    const path = journalPath();
    const good = (id: string) => journalLine(JSON.stringify({ p: id, v: id }));
    writeFileSync(path, `${good('one')}00000000 {"p":"bad","v":"bad"}\n${good('two')}`);
    const journal = Journal.open<string>(path, { label: 'test' });
    expect([...journal.recovered.keys()]).toEqual(['one', 'two']);
    expect(journal.problems).toMatchObject([{ kind: 'corrupt-record' }]);
    expect(readdirSync(join(path, '..')).some((name) => name.startsWith('work.journal.corrupt-'))).toBe(true);
  });

  it('compacts to the pending records once enough work is done', () => {
    const path = journalPath();
    const journal = Journal.open<number>(path, { label: 'test', compactAfter: 10 });
    for (let index = 0; index < 30; index++) journal.put(`id-${index}`, index);
    for (let index = 0; index < 28; index++) journal.done(`id-${index}`);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThan(20);
    expect([...Journal.open<number>(path, { label: 'test' }).recovered.keys()]).toEqual(['id-28', 'id-29']);
  });

  it('shares one fsync among callers waiting at the same time and resolves for each', async () => {
    const journal = Journal.open<number>(journalPath(), { label: 'test', fsync: true });
    const waits: Promise<void>[] = [];
    for (let index = 0; index < 50; index++) {
      journal.put(`id-${index}`, index);
      waits.push(journal.durable());
    }
    await expect(Promise.all(waits)).resolves.toHaveLength(50);
    await journal.close();
  });
});
