/**
 * A JSON snapshot on disk, rewritten shortly after each change (changes in
 * the same few milliseconds share one write) and atomically (temp file,
 * fsync, rename), so a crash leaves either the old or the new state, never
 * half. What changed since the last snapshot and must survive a crash goes
 * to a `Journal` too (SQS messages); `written` tells the owner which
 * snapshot reached the disk, so it can retire those journal records.
 */
import { mkdirSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readJsonState, REPAIR_ADVICE, temporaryPathFor, writeFileAtomically } from '../../core/files';
import { fsyncEnabled } from '../../core/journal';

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
    /** Called with the snapshot's `produce()` result once it is on disk. */
    private readonly written: (snapshot: T) => void = () => undefined,
    /** What to do about a corrupt file, for the error message. */
    private readonly advice = `${REPAIR_ADVICE} (moved away, everything it holds is lost)`,
  ) {}

  /** The last saved snapshot, or undefined on first start (a corrupt file is an error, not silently dropped state). */
  load(): T | undefined {
    return readJsonState<T>(this.path, this.advice);
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
    const snapshot = this.produce();
    const text = JSON.stringify(snapshot);
    this.lastWriteMs = performance.now() - started;
    const temporary = temporaryPathFor(this.path);
    this.writing = (async () => {
      mkdirSync(dirname(this.path), { recursive: true });
      const file = await open(temporary, 'w');
      try {
        await file.writeFile(text);
        if (fsyncEnabled()) await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, this.path);
      this.written(snapshot);
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
    const snapshot = this.produce();
    writeFileAtomically(this.path, JSON.stringify(snapshot));
    this.written(snapshot);
  }
}
