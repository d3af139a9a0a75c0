/**
 * Where each pipe is in its stream, per shard: the sequence number of the
 * last record whose batch was handled (delivered, filtered out or
 * dead-lettered). Written atomically after every batch, so a restart resumes
 * after the last committed batch — never losing a record and replaying at
 * most the batch that was in flight (at-least-once, as Pipes is).
 */
import { copyFileSync } from 'node:fs';
import { readFileIfExists, writeFileAtomically } from '../../core/files';

/** `LOCAL_CLOUD_PIPES_REREAD=1`: an unreadable checkpoint file makes every pipe read its stream again from the oldest record. */
export const REREAD_VARIABLE = 'LOCAL_CLOUD_PIPES_REREAD';

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
  /** The saved positions were unreadable: pipes re-read their streams from the oldest record (never skip one). */
  private readonly rereadAll: boolean = false;

  constructor(
    private readonly path?: string,
    log: (message: string) => void = () => undefined,
    reread = process.env[REREAD_VARIABLE] === '1',
  ) {
    if (!path) return;
    const text = readFileIfExists(path);
    if (text === undefined) return;
    let saved: Record<string, PipeCheckpoint>;
    try {
      saved = JSON.parse(text) as Record<string, PipeCheckpoint>;
    } catch (error) {
      const problem = `${path} is not valid JSON (${(error as Error).message})`;
      if (!reread) {
        // Moving the file away would be wrong: a pipe without a checkpoint starts at its StartingPosition,
        // and LATEST skips every outbox record not yet published.
        throw new Error(
          `${problem}. It is written atomically, so this is not a torn write: fix it by hand, or start with ${REREAD_VARIABLE}=1 to keep a copy of it and let every pipe read its stream again from the oldest record (records already published are published again; consumers de-duplicate by event id). Do not delete it: pipes starting at LATEST would skip every record not yet published.`,
        );
      }
      const copy = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      copyFileSync(path, copy);
      log(`pipes: ${problem}; kept as ${copy}; ${REREAD_VARIABLE}=1, so every pipe reads its stream again from the oldest record`);
      this.rereadAll = true;
      return;
    }
    for (const [name, checkpoint] of Object.entries(saved)) this.pipes.set(name, checkpoint);
  }

  /** The checkpoint of `pipe` for `source`, fresh if the pipe now reads another stream. */
  of(pipe: string, source: string): PipeCheckpoint {
    let checkpoint = this.pipes.get(pipe);
    if (!checkpoint || checkpoint.source !== source) {
      // Initialized with no positions = from the oldest record of every shard (TRIM_HORIZON).
      checkpoint = { source, initialized: this.rereadAll, shards: {} };
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
