/**
 * An archive's events on disk, as an append-only file of checksummed lines
 * (`AppendOnlyFile`, `core/journal.ts`): each event is appended synchronously
 * as it is archived, and PutEvents answers only after `durable()`, so an
 * acknowledged event is in its archive. Loaded whole on start; a torn last
 * line (a crash mid-write) is reported with the file name and cut off;
 * rewritten atomically only when retention drops old events. Files written
 * before the checksummed format (plain JSON lines) are read and converted.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readFileIfExists, writeFileAtomically } from '../../core/files';
import { AppendOnlyFile, journalLine } from '../../core/journal';
import type { ArchivedEvent } from './model';

export class ArchiveLog {
  readonly events: ArchivedEvent[] = [];
  private file: AppendOnlyFile | undefined;

  constructor(
    private readonly directory: string | undefined,
    readonly archiveName: string,
    private readonly log: (message: string, fields?: Record<string, unknown>) => void = () => undefined,
  ) {
    if (!directory) return;
    if (readFileIfExists(this.path)?.startsWith('{')) this.convertPlainLines();
    this.file = new AppendOnlyFile(this.path, { label: `eventbridge archive ${archiveName}`, log });
    this.events.push(...(this.file.records as ArchivedEvent[]));
  }

  /** The pre-checksum format: one JSON event per line; a torn last line is reported and dropped. */
  private convertPlainLines(): void {
    const lines = readFileSync(this.path, 'utf8').split('\n');
    const events: ArchivedEvent[] = [];
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        events.push(JSON.parse(line) as ArchivedEvent);
      } catch (error) {
        if (index < lines.length - 2) throw new Error(`${this.path}: line ${index + 1} is not valid JSON (${(error as Error).message}); fix or remove that line by hand (the other events are kept)`);
        this.log(`eventbridge archive ${this.archiveName}: ${this.path}: the last line is torn (the process stopped while writing it); it is skipped`);
      }
    });
    writeFileAtomically(this.path, events.map((event) => journalLine(JSON.stringify(event))).join(''));
  }

  private get path(): string {
    return join(this.directory ?? '', `${encodeURIComponent(this.archiveName)}.jsonl`);
  }

  /** Appends synchronously: in the file when this returns; `durable()` fsyncs. */
  append(event: ArchivedEvent): void {
    this.events.push(event);
    this.file?.append([event]);
  }

  durable(): Promise<void> {
    return this.file?.durable() ?? Promise.resolve();
  }

  /** Drops events received before `cutoff` (retention), rewriting the file atomically. */
  async expire(cutoff: number): Promise<void> {
    const keep = this.events.filter((event) => event.receivedAt >= cutoff);
    if (keep.length === this.events.length) return;
    this.events.splice(0, this.events.length, ...keep);
    await this.durable();
    this.file?.rewrite(keep);
  }

  async close(): Promise<void> {
    await this.file?.close();
  }

  async remove(): Promise<void> {
    this.events.length = 0;
    await this.close();
    this.file = undefined;
    if (this.directory) rmSync(this.path, { force: true });
  }
}
