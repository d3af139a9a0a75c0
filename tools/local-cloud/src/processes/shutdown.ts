/**
 * A clean stop for a long-running command (`npm start`), whoever asks for it:
 * Ctrl-C (SIGINT), a supervisor or CI (SIGTERM), a closed terminal or
 * `nohup`-less parent (SIGHUP), or a parent that died without saying so (we
 * are re-parented: `process.ppid` changes). Cleanups run once, last added
 * first, then the process exits; a second signal while stopping exits at once
 * (the supervisor's exit hook still SIGKILLs every real component it started).
 */

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface ShutdownOptions {
  /** How often to check that the parent process is still ours (ms); 0 turns the check off. */
  parentCheckMs?: number;
  /** Told why the stop started (`SIGTERM`, `parent process exited`), and of a cleanup that failed. */
  say?: (message: string) => void;
  exit?: (code: number) => void;
}

/**
 * @example
 * const shutdown = new Shutdown({ say: console.log });
 * shutdown.install();
 * shutdown.add(() => cloud.stop());
 * // … later, on a failure: await shutdown.stop('a stack failed to apply', 1);
 */
export class Shutdown {
  private readonly cleanups: Array<() => Promise<void> | void> = [];
  private stopping = false;
  private firstSignal?: { signal: NodeJS.Signals; at: number };
  private parentWatch?: NodeJS.Timeout;
  private readonly exit: (code: number) => void;
  private readonly parentCheckMs: number;
  /** Where the stop's messages go (replaceable once a console report exists). */
  say: (message: string) => void;

  constructor(options: ShutdownOptions = {}) {
    this.exit = options.exit ?? ((code) => process.exit(code));
    this.say = options.say ?? (() => undefined);
    this.parentCheckMs = options.parentCheckMs ?? 1_000;
  }

  /** True once a stop has begun (long steps check it to give up early). */
  get requested(): boolean {
    return this.stopping;
  }

  /**
   * What a stop signal does. One Ctrl-C can arrive twice (the terminal signals the whole process
   * group, and `npm start`'s launchers pass it on): the same signal within a second of the one
   * that began the stop is that same request, not the impatient second one that exits at once.
   */
  onSignal(signal: NodeJS.Signals, now = Date.now()): void {
    if (this.stopping && this.firstSignal?.signal === signal && now - this.firstSignal.at < 1_000) return;
    if (!this.stopping) this.firstSignal = { signal, at: now };
    void this.stop(signal, 0);
  }

  /** Listens for the stop signals and watches the parent process. */
  install(): void {
    for (const signal of STOP_SIGNALS) process.on(signal, () => this.onSignal(signal));
    const every = this.parentCheckMs;
    if (every > 0) {
      const parent = process.ppid;
      this.parentWatch = setInterval(() => {
        if (process.ppid !== parent) void this.stop(`parent process ${parent} exited`, 0);
      }, every);
      this.parentWatch.unref();
    }
  }

  /** Registers a cleanup; returns a function that unregisters it (for a step that finished). */
  add(cleanup: () => Promise<void> | void): () => void {
    this.cleanups.push(cleanup);
    return () => {
      const index = this.cleanups.indexOf(cleanup);
      if (index >= 0) this.cleanups.splice(index, 1);
    };
  }

  /** Runs every cleanup (last added first), then exits with `code`. */
  async stop(reason: string, code: number): Promise<void> {
    const say = this.say;
    if (this.stopping) {
      say(`${reason} while stopping: exiting now.`);
      this.exit(code === 0 ? 130 : code);
      return;
    }
    this.stopping = true;
    if (this.parentWatch) clearInterval(this.parentWatch);
    say(`${reason}: stopping…`);
    for (const cleanup of [...this.cleanups].reverse()) {
      try {
        await cleanup();
      } catch (error) {
        say(`a cleanup step failed: ${(error as Error).message}`);
      }
    }
    this.exit(code);
  }
}
