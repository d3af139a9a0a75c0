/**
 * Where each pipe is in its stream, per shard: the sequence number of the
 * last record whose batch was handled (delivered, filtered out or
 * dead-lettered). Written atomically after every batch, so a restart resumes
 * after the last committed batch — never losing a record and replaying at
 * most the batch that was in flight (at-least-once, as Pipes is).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ShardCheckpoint {
  /** Sequence number of the last handled record. */
  after?: string;
  /** The shard is closed and every record in it was handled. */
  finished?: boolean;
}

export interface PipeCheckpoint {
  /** The stream these positions belong to (a new source starts afresh). */
  source: string;
  /** The starting position has been applied (for LATEST: existing records were skipped). */
  initialized: boolean;
  shards: Record<string, ShardCheckpoint>;
}

export class CheckpointStore {
  private readonly pipes = new Map<string, PipeCheckpoint>();

  constructor(private readonly path?: string) {
    if (!path) return;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    let saved: Record<string, PipeCheckpoint>;
    try {
      saved = JSON.parse(text) as Record<string, PipeCheckpoint>;
    } catch (error) {
      throw new Error(`${path} is not valid JSON (${(error as Error).message}); move it away to let pipes start from their starting position`);
    }
    for (const [name, checkpoint] of Object.entries(saved)) this.pipes.set(name, checkpoint);
  }

  /** The checkpoint of `pipe` for `source`, fresh if the pipe now reads another stream. */
  of(pipe: string, source: string): PipeCheckpoint {
    let checkpoint = this.pipes.get(pipe);
    if (!checkpoint || checkpoint.source !== source) {
      checkpoint = { source, initialized: false, shards: {} };
      this.pipes.set(pipe, checkpoint);
    }
    return checkpoint;
  }

  forget(pipe: string): void {
    this.pipes.delete(pipe);
    this.save();
  }

  save(): void {
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(Object.fromEntries(this.pipes), null, 2));
    renameSync(temporary, this.path);
  }
}
