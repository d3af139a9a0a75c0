/**
 * Where each pipe is in its stream, per shard: the sequence number of the
 * last record whose batch was handled (delivered, filtered out or
 * dead-lettered). Written atomically after every batch, so a restart resumes
 * after the last committed batch — never losing a record and replaying at
 * most the batch that was in flight (at-least-once, as Pipes is).
 */
import { readFileIfExists, writeFileAtomically } from '../../core/files';

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
    const text = readFileIfExists(path);
    if (text === undefined) return;
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
    writeFileAtomically(this.path, JSON.stringify(Object.fromEntries(this.pipes), null, 2));
  }
}
