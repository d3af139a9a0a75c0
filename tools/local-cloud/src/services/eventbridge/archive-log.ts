/**
 * An archive's events on disk: one JSON line per event, appended in batches
 * (an append per event would make PutEvents wait on the disk). Loaded whole
 * on start; rewritten only when retention drops old events.
 */
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArchivedEvent } from './model';

export class ArchiveLog {
  readonly events: ArchivedEvent[] = [];
  private buffer: string[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(private readonly directory: string | undefined, readonly archiveName: string) {
    if (directory && existsSync(this.path)) {
      for (const line of readFileSync(this.path, 'utf8').split('\n')) {
        if (line.trim() !== '') this.events.push(JSON.parse(line) as ArchivedEvent);
      }
    }
  }

  private get path(): string {
    return join(this.directory ?? '', `${encodeURIComponent(this.archiveName)}.jsonl`);
  }

  append(event: ArchivedEvent): void {
    this.events.push(event);
    if (!this.directory) return;
    this.buffer.push(JSON.stringify(event));
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /** Writes buffered lines; safe to call any time (writes are chained, never interleaved). */
  flush(): Promise<void> {
    if (!this.directory || this.buffer.length === 0) return this.flushing;
    const lines = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    const directory = this.directory;
    this.flushing = this.flushing.then(async () => {
      await mkdir(directory, { recursive: true });
      await appendFile(this.path, lines);
    });
    return this.flushing;
  }

  /** Drops events received before `cutoff` (retention), rewriting the file. */
  async expire(cutoff: number): Promise<void> {
    const keep = this.events.filter((event) => event.receivedAt >= cutoff);
    if (keep.length === this.events.length) return;
    this.events.splice(0, this.events.length, ...keep);
    if (!this.directory) return;
    await this.flush();
    const directory = this.directory;
    this.flushing = this.flushing.then(async () => {
      await mkdir(directory, { recursive: true });
      await writeFile(this.path, keep.map((event) => `${JSON.stringify(event)}\n`).join(''));
    });
    await this.flushing;
  }

  async remove(): Promise<void> {
    this.events.length = 0;
    this.buffer = [];
    if (!this.directory) return;
    await this.flushing;
    await rm(this.path, { force: true });
  }
}
