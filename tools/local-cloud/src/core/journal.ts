/**
 * A write-ahead journal of acknowledged work, shared by every service that
 * answers "accepted" before the work is done (PutEvents, async Invoke,
 * SendMessage, PutRecordBatch). See docs/adr/0002-write-ahead-journals.md.
 *
 * - One append-only file per service. Each record is one line:
 *   `<crc32 of the JSON, 8 hex digits> <JSON>\n`, where the JSON is
 *   `{"p": id, "v": value}` (work accepted) or `{"d": id}` (work finished).
 * - `put` writes the line synchronously (`writeSync`), so it is in the
 *   kernel's page cache and survives `kill -9` of the process the moment
 *   `put` returns; `durable()` then fsyncs (one `fdatasync` shared by every
 *   caller waiting at that moment — group commit), so it also survives a
 *   machine crash. A service answers its caller only after `durable()`.
 * - `done` needs no fsync: losing it only means the work is done again after
 *   a restart (at-least-once, as in AWS).
 * - On open, the records are replayed: what was put and not done is handed
 *   back. A torn last line (the process died mid-write) fails its checksum
 *   or lacks its newline: it was never acknowledged, so it is reported
 *   (file, byte offset, size) and cut off. A bad line *before* the last one
 *   cannot come from a crash (appends only ever tear the tail): it is
 *   reported, skipped, and the whole file copied to `<file>.corrupt-<time>`
 *   first, so nothing is thrown away.
 * - Compaction: once the file holds many finished records, it is rewritten
 *   with only the pending ones (temp file, fsync, rename), so it stays
 *   proportional to the work in flight.
 */
import { closeSync, copyFileSync, fdatasync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { removeStaleTemporaries, temporaryPathFor } from './files';
import type { ServiceHandler } from './types';

/** Whether journals and snapshots fsync (`LOCAL_CLOUD_FSYNC=0` turns it off: still safe against `kill -9`, not against a power cut). */
export function fsyncEnabled(): boolean {
  return process.env.LOCAL_CLOUD_FSYNC !== '0';
}

export interface JournalProblem {
  file: string;
  /** Byte offset of the bad record. */
  offset: number;
  bytes: number;
  kind: 'torn-tail' | 'corrupt-record';
  message: string;
}

export interface JournalOptions {
  /** Who owns it, for messages (`eventbridge deliveries`, `lambda async events`). */
  label: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Default {@link fsyncEnabled}(). */
  fsync?: boolean;
  /** Compact once the file holds this many records more than are pending (default 5000). */
  compactAfter?: number;
}

const checksum = (json: string) => crc32(json).toString(16).padStart(8, '0');

export function journalLine(json: string): string {
  return `${checksum(json)} ${json}\n`;
}

/** The records of a journal file's text, with the problems found (for `Journal` and for append-only logs like the bus archive). */
export function parseJournalText(
  file: string,
  text: string,
): { records: unknown[]; problems: JournalProblem[]; goodLength: number } {
  const records: unknown[] = [];
  const problems: JournalProblem[] = [];
  let offset = 0;
  let byteOffset = 0;
  let goodLength = 0;
  while (offset < text.length) {
    const newline = text.indexOf('\n', offset);
    const last = newline === -1 || newline === text.length - 1;
    const line = newline === -1 ? text.slice(offset) : text.slice(offset, newline);
    const bytes = Buffer.byteLength(line) + (newline === -1 ? 0 : 1);
    const next = newline === -1 ? text.length : newline + 1;
    const json = line.slice(9);
    const valid = newline !== -1 && line[8] === ' ' && checksum(json) === line.slice(0, 8);
    let record: unknown;
    let parsed = false;
    if (valid) {
      try {
        record = JSON.parse(json);
        parsed = true;
      } catch {
        parsed = false;
      }
    }
    if (parsed) {
      records.push(record);
      goodLength = byteOffset + bytes;
    } else if (line.trim() !== '') {
      problems.push(
        last
          ? {
              file,
              offset: byteOffset,
              bytes,
              kind: 'torn-tail',
              message: `${file}: the last record (${bytes} bytes at byte ${byteOffset}) is torn (the process stopped while writing it); it was never acknowledged, so it is skipped`,
            }
          : {
              file,
              offset: byteOffset,
              bytes,
              kind: 'corrupt-record',
              message: `${file}: the record at byte ${byteOffset} (${bytes} bytes) fails its checksum; it is skipped and the file kept as ${file}.corrupt-<time> — a crash only tears the last record, so check the disk`,
            },
      );
      if (!last) goodLength = byteOffset + bytes;
    } else if (!last) {
      goodLength = byteOffset + bytes;
    }
    offset = next;
    byteOffset += bytes;
  }
  return { records, problems, goodLength };
}

/**
 * An append-only file of checksummed records: read back (torn tail cut off,
 * corrupt records reported and the file copied aside), appended to
 * synchronously, fsync'd as a group, rewritten atomically. `Journal` and the
 * bus archive are built on it.
 */
export class AppendOnlyFile {
  readonly records: unknown[];
  readonly problems: readonly JournalProblem[];
  private fd: number | undefined;
  private unsynced = false;
  private syncing: Promise<void> | undefined;
  private nextSync: Promise<void> | undefined;
  private readonly fsync: boolean;

  constructor(
    readonly path: string,
    private readonly options: JournalOptions,
  ) {
    this.fsync = options.fsync ?? fsyncEnabled();
    mkdirSync(dirname(path), { recursive: true });
    removeStaleTemporaries(path);
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const { records, problems, goodLength } = parseJournalText(path, text);
    if (problems.some((problem) => problem.kind === 'corrupt-record')) copyFileSync(path, `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    for (const problem of problems) options.log?.(`${options.label}: ${problem.message}`, { file: problem.file, offset: problem.offset });
    this.records = records;
    this.problems = problems;
    this.fd = openSync(path, 'a+');
    // Cut a torn tail off, so the next record starts on a line of its own.
    if (Buffer.byteLength(text) !== goodLength) ftruncateSync(this.fd, goodLength);
  }

  /** Writes the records now (in the page cache, so they survive `kill -9` of this process). */
  append(records: readonly unknown[]): void {
    if (this.fd === undefined || records.length === 0) return;
    writeSync(this.fd, records.map((record) => journalLine(JSON.stringify(record))).join(''));
    this.unsynced = true;
  }

  /** Resolves once everything appended so far is on disk (one fdatasync shared by all callers waiting now). */
  durable(): Promise<void> {
    if (this.fd === undefined || !this.fsync || !this.unsynced) return this.nextSync ?? this.syncing ?? Promise.resolve();
    this.nextSync ??= (this.syncing ?? Promise.resolve()).then(() => {
      this.nextSync = undefined;
      this.unsynced = false;
      const fd = this.fd;
      this.syncing = fd === undefined ? Promise.resolve() : new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
      return this.syncing.finally(() => {
        this.syncing = undefined;
      });
    });
    return this.nextSync;
  }

  get busy(): boolean {
    return this.syncing !== undefined || this.nextSync !== undefined;
  }

  /** Replaces the whole file with `records` (temp file, fsync, rename): compaction and retention. */
  rewrite(records: readonly unknown[]): void {
    if (this.fd === undefined) return;
    const temporary = temporaryPathFor(this.path);
    const fd = openSync(temporary, 'w');
    writeSync(fd, records.map((record) => journalLine(JSON.stringify(record))).join(''));
    if (this.fsync) fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, this.path);
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.unsynced = false;
  }

  /** Waits for the last fsync and closes the file. */
  async close(): Promise<void> {
    await this.durable().catch(() => undefined);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

interface PutRecord<T> {
  p: string;
  v: T;
}
interface DoneRecord {
  d: string;
}

/**
 * @example
 * const journal = Journal.open<Job>(`${dataDir}/eventbridge/deliveries.journal`, { label: 'eventbridge deliveries' });
 * for (const [id, job] of journal.recovered) dispatcher.start(job);
 * journal.put(job.key, job); await journal.durable(); // then answer 200
 * journal.done(job.key); // once the target has it
 */
export class Journal<T> {
  /** Work put and not done when the journal was opened (recovered after a restart). */
  readonly recovered: ReadonlyMap<string, T>;
  readonly problems: readonly JournalProblem[];
  private readonly live = new Map<string, T>();
  private readonly file: AppendOnlyFile | undefined;
  private records = 0;
  private readonly compactAfter: number;

  private constructor(path: string | undefined, options: JournalOptions) {
    this.compactAfter = options.compactAfter ?? 5000;
    this.file = path ? new AppendOnlyFile(path, options) : undefined;
    for (const record of this.file?.records ?? []) {
      if (record && typeof record === 'object' && 'p' in record) this.live.set((record as PutRecord<T>).p, (record as PutRecord<T>).v);
      else if (record && typeof record === 'object' && 'd' in record) this.live.delete((record as DoneRecord).d);
    }
    this.records = this.file?.records.length ?? 0;
    this.problems = this.file?.problems ?? [];
    this.recovered = new Map(this.live);
    if (this.live.size > 0) options.log?.(`${options.label}: ${this.live.size} accepted item(s) recovered from ${path}`);
  }

  /** Opens (creating) the journal at `path`; without a path (in-memory clouds) it only tracks what is pending. */
  static open<T>(path: string | undefined, options: JournalOptions): Journal<T> {
    return new Journal<T>(path, options);
  }

  /** Items put and not yet done. */
  get pendingCount(): number {
    return this.live.size;
  }

  has(id: string): boolean {
    return this.live.has(id);
  }

  /** Ids put and not yet done, in the order they were put. */
  pendingIds(): string[] {
    return [...this.live.keys()];
  }

  /** Records accepted work. Survives `kill -9` once this returns; await {@link durable} before acknowledging. */
  put(id: string, value: T): void {
    this.putAll([[id, value]]);
  }

  /** Records several items in one write. */
  putAll(entries: Iterable<[string, T]>): void {
    const records: PutRecord<T>[] = [];
    for (const [id, value] of entries) {
      this.live.set(id, value);
      records.push({ p: id, v: value });
    }
    this.write(records);
  }

  /** Marks work finished (delivered, dead-lettered or dropped as AWS would). */
  done(id: string): void {
    this.doneAll([id]);
  }

  doneAll(ids: Iterable<string>): void {
    const records = [...ids].filter((id) => this.live.delete(id)).map((id) => ({ d: id }));
    if (records.length === 0) return;
    this.write(records);
    this.maybeCompact();
  }

  private write(records: Array<PutRecord<T> | DoneRecord>): void {
    this.file?.append(records);
    this.records += records.length;
  }

  /** Resolves once everything written so far is on disk. */
  durable(): Promise<void> {
    return this.file?.durable() ?? Promise.resolve();
  }

  private maybeCompact(): void {
    if (!this.file || this.file.busy) return;
    if (this.records - this.live.size < this.compactAfter || this.records < this.live.size * 2) return;
    this.file.rewrite([...this.live].map(([id, value]) => ({ p: id, v: value })));
    this.records = this.live.size;
  }

  /** Waits for the last fsync and closes the file (pending work stays in it for the next start). */
  async close(): Promise<void> {
    await this.file?.close();
  }
}

/**
 * Acknowledged means durable: wraps a service's API so no answer leaves
 * before what the call accepted (messages, records) is on disk.
 *
 * @example
 * handlers: [answerWhenDurable(new SqsApi(service, accountId), () => service.durable())],
 */
export function answerWhenDurable(api: ServiceHandler, durable: () => Promise<void>): ServiceHandler {
  return {
    serviceNames: api.serviceNames,
    handle: async (request) => {
      const answer = await api.handle(request);
      await durable();
      return answer;
    },
  };
}
