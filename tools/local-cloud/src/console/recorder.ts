/**
 * The console's memory of what happened: every telemetry record (events put,
 * target outcomes, invocations, HTTP requests) in a bounded ring, indexed by
 * event id and correlation id, and appended to `<dataDir>/console/telemetry.jsonl`
 * so a restarted local cloud still shows the last run's history.
 *
 * The ring holds the newest `capacity` records (default 50,000: 10,000 events
 * with their outcomes and the invocations they caused); older ones are
 * forgotten in memory and, at the next compaction, on disk. Appends are
 * batched (one write per `flushMs`), so recording costs the publisher a push.
 *
 * @example
 * const recorder = new TelemetryRecorder(telemetry, { dir: join(dataDir, 'console') });
 * recorder.query({ correlationId: 'user-42' });      // that flow, oldest first
 * recorder.query({ type: 'invocation', functionName: 'kestrel-staging-customers-on-user-registered', limit: 20 });
 */
import { appendFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readFileIfExists, writeFileAtomically } from '../core/files';
import type { Telemetry, TelemetryKind, TelemetryRecord } from '../core/telemetry';

/** A record as kept: the telemetry record and its position in the recording (increasing, never reused). */
export type RecordedRecord = TelemetryRecord & { seq: number };

export interface RecordQuery {
  type?: TelemetryKind | readonly TelemetryKind[];
  correlationId?: string;
  eventId?: string;
  /** `invocation` records of this function (and nothing else). */
  functionName?: string;
  /** `invocation` and `http.request` records with this request id. */
  requestId?: string;
  /** Only records after this sequence number (a stream's resume point). */
  afterSeq?: number;
  /** Only records at or after this epoch ms. */
  since?: number;
  /** The newest `limit` of what matches (still oldest first). */
  limit?: number;
}

export interface RecorderOptions {
  /** Folder of `telemetry.jsonl`; omit to keep records in memory only. */
  dir?: string;
  /** Records kept (default 50,000). */
  capacity?: number;
  /** Batching interval of the appends (default 200 ms). */
  flushMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export type RecordListener = (record: RecordedRecord) => void;

export const DEFAULT_RECORDER_CAPACITY = 50_000;
const FILE_NAME = 'telemetry.jsonl';

export class TelemetryRecorder {
  readonly capacity: number;
  private readonly ring: (RecordedRecord | undefined)[];
  /** Index of the oldest record in `ring`. */
  private head = 0;
  private count = 0;
  private nextSeq = 1;
  private readonly byEvent = new Map<string, RecordedRecord[]>();
  private readonly byCorrelation = new Map<string, RecordedRecord[]>();
  private readonly listeners = new Set<RecordListener>();
  private readonly path: string | undefined;
  private pendingLines: string[] = [];
  private linesOnDisk = 0;
  /** Bumped by each compaction: batches taken before it are already in the rewritten file. */
  private generation = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(
    telemetry: Telemetry,
    private readonly options: RecorderOptions = {},
  ) {
    this.capacity = Math.max(1, options.capacity ?? DEFAULT_RECORDER_CAPACITY);
    this.ring = new Array<RecordedRecord | undefined>(this.capacity);
    this.path = options.dir ? join(options.dir, FILE_NAME) : undefined;
    if (options.dir) {
      mkdirSync(options.dir, { recursive: true });
      this.load();
    }
    this.unsubscribe = telemetry.subscribe((record) => this.add(record));
  }

  /** Records kept now. */
  get size(): number {
    return this.count;
  }

  /** The sequence number the next record will get. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Told of every record as it is recorded. Returns the unsubscribe function. */
  subscribe(listener: RecordListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Matching records, oldest first. Event and correlation lookups use their index; the rest scan the ring. */
  query(filter: RecordQuery = {}): RecordedRecord[] {
    const types = filter.type === undefined ? undefined : new Set(typeof filter.type === 'string' ? [filter.type] : filter.type);
    const candidates =
      filter.eventId !== undefined
        ? (this.byEvent.get(filter.eventId) ?? [])
        : filter.correlationId !== undefined
          ? (this.byCorrelation.get(filter.correlationId) ?? [])
          : undefined;
    const keep = (record: RecordedRecord): boolean =>
      (!types || types.has(record.type)) &&
      (filter.correlationId === undefined || record.correlationId === filter.correlationId) &&
      (filter.eventId === undefined || ('eventId' in record && record.eventId === filter.eventId)) &&
      (filter.functionName === undefined || (record.type === 'invocation' && record.functionName === filter.functionName)) &&
      (filter.requestId === undefined || ((record.type === 'invocation' || record.type === 'http.request') && record.requestId === filter.requestId)) &&
      (filter.afterSeq === undefined || record.seq > filter.afterSeq) &&
      (filter.since === undefined || record.at >= filter.since);
    const limit = filter.limit ?? Number.POSITIVE_INFINITY;
    const found: RecordedRecord[] = [];
    // Newest first, so a limit stops early; reversed at the end.
    if (candidates) {
      for (let index = candidates.length - 1; index >= 0 && found.length < limit; index--) {
        const record = candidates[index] as RecordedRecord;
        if (keep(record)) found.push(record);
      }
    } else {
      for (let offset = this.count - 1; offset >= 0 && found.length < limit; offset--) {
        const record = this.ring[(this.head + offset) % this.capacity] as RecordedRecord;
        if (keep(record)) found.push(record);
      }
    }
    return found.reverse();
  }

  /** Every record kept, oldest first (for listings that filter on what a record implies, like an event's outcome). */
  all(): RecordedRecord[] {
    const out: RecordedRecord[] = new Array(this.count);
    for (let offset = 0; offset < this.count; offset++) out[offset] = this.ring[(this.head + offset) % this.capacity] as RecordedRecord;
    return out;
  }

  /** Writes what is waiting to disk. */
  async flush(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.path && this.pendingLines.length > 0) {
      const lines = this.pendingLines;
      this.pendingLines = [];
      const path = this.path;
      const generation = this.generation;
      this.writing = this.writing.then(() => (generation === this.generation ? this.append(path, lines) : undefined));
    }
    await this.writing;
  }

  /** Stops recording and writes what is waiting. */
  async close(): Promise<void> {
    this.unsubscribe();
    this.listeners.clear();
    await this.flush();
  }

  private add(record: TelemetryRecord, persist = true): void {
    const recorded = { ...record, seq: this.nextSeq++ } as RecordedRecord;
    if (this.count === this.capacity) this.evictOldest();
    this.ring[(this.head + this.count) % this.capacity] = recorded;
    this.count++;
    if ('eventId' in recorded) pushTo(this.byEvent, recorded.eventId, recorded);
    if (recorded.correlationId !== undefined) pushTo(this.byCorrelation, recorded.correlationId, recorded);
    if (persist && this.path) {
      this.pendingLines.push(JSON.stringify(record));
      this.flushTimer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? 200);
      this.flushTimer.unref?.();
    }
    for (const listener of this.listeners) {
      try {
        listener(recorded);
      } catch {
        // A stream that failed is the stream's problem; recording goes on.
      }
    }
  }

  private evictOldest(): void {
    const oldest = this.ring[this.head] as RecordedRecord;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    // The oldest record is also the first in each index list it is in.
    if ('eventId' in oldest) shiftFrom(this.byEvent, oldest.eventId, oldest);
    if (oldest.correlationId !== undefined) shiftFrom(this.byCorrelation, oldest.correlationId, oldest);
  }

  /** Reads the last run's records back (the newest `capacity` of them). */
  private load(): void {
    const text = this.path ? readFileIfExists(this.path) : undefined;
    if (!text) return;
    const lines = text.split('\n');
    let start = lines.length - 1 - this.capacity;
    if (start < 0) start = 0;
    let skipped = 0;
    for (let index = start; index < lines.length; index++) {
      const line = lines[index] as string;
      if (!line) continue;
      try {
        this.add(JSON.parse(line) as TelemetryRecord, false);
      } catch {
        // A line cut short by a crash mid-write.
        skipped++;
      }
    }
    this.linesOnDisk = lines.length;
    if (skipped > 0) this.options.log?.('console: skipped unreadable history lines', { file: this.path, skipped });
    if (this.linesOnDisk > 2 * this.capacity) this.compact();
  }

  private async append(path: string, lines: string[]): Promise<void> {
    try {
      await appendFile(path, `${lines.join('\n')}\n`, 'utf8');
      this.linesOnDisk += lines.length;
      // The file keeps at most twice what the ring holds before it is rewritten with the ring.
      if (this.linesOnDisk > 2 * this.capacity) this.compact();
    } catch (error) {
      this.options.log?.('console: could not write history', { file: path, error: (error as Error).message });
    }
  }

  private compact(): void {
    if (!this.path) return;
    const lines = this.all().map(({ seq: _seq, ...record }) => JSON.stringify(record));
    writeFileAtomically(this.path, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    this.linesOnDisk = lines.length;
    this.generation++;
    this.pendingLines = [];
  }
}

function pushTo(index: Map<string, RecordedRecord[]>, key: string, record: RecordedRecord): void {
  const list = index.get(key);
  if (list) list.push(record);
  else index.set(key, [record]);
}

function shiftFrom(index: Map<string, RecordedRecord[]>, key: string, record: RecordedRecord): void {
  const list = index.get(key);
  if (!list) return;
  if (list[0] === record) list.shift();
  if (list.length === 0) index.delete(key);
}
