/**
 * A JSON snapshot on disk, rewritten shortly after each change (changes in
 * the same few milliseconds share one write) and atomically (temp file +
 * rename), so a crash leaves either the old or the new state, never half.
 */
import { mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readFileIfExists, temporaryPathFor, writeFileAtomically } from '../../core/files';

export class SnapshotFile<T> {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  /** How long the last write took; a big state waits longer between writes so saving never hogs the event loop. */
  private lastWriteMs = 0;

  constructor(
    private readonly path: string,
    private readonly produce: () => T,
    private readonly delayMs = 20,
  ) {}

  /** The last saved snapshot, or undefined on first start (a corrupt file is an error, not silently dropped state). */
  load(): T | undefined {
    const text = readFileIfExists(this.path);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new Error(`${this.path} is not valid JSON (${(error as Error).message}); move it away to start empty`);
    }
  }

  /** Marks the state changed; it is written within `delayMs`. */
  changed(): void {
    this.dirty = true;
    if (this.timer || this.writing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeNow();
    }, Math.max(this.delayMs, this.lastWriteMs * 5));
  }

  private async writeNow(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const started = performance.now();
    const text = JSON.stringify(this.produce());
    this.lastWriteMs = performance.now() - started;
    const temporary = temporaryPathFor(this.path);
    this.writing = (async () => {
      mkdirSync(dirname(this.path), { recursive: true });
      await writeFile(temporary, text);
      await rename(temporary, this.path);
    })();
    try {
      await this.writing;
    } finally {
      this.writing = undefined;
    }
    if (this.dirty) this.changed();
  }

  /** Writes any pending change now (synchronously, so it also works on shutdown paths). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.writing) await this.writing.catch(() => undefined);
    if (!this.dirty) return;
    this.dirty = false;
    writeFileAtomically(this.path, JSON.stringify(this.produce()));
  }
}
