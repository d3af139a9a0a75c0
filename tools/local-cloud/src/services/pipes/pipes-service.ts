/**
 * The local EventBridge Pipes: pipe definitions (persisted), one runner per
 * RUNNING pipe, and the state the API and `/_local/state` report.
 */
import { readJsonState, REPAIR_ADVICE, writeFileAtomically } from '../../core/files';
import { AwsServiceError } from '../../core/types';
import type { EventPublisher, QueueSender } from '../../core/types';
import { CheckpointStore } from './checkpoints';
import type { PipeDefinition } from './model';
import { PipeRunner } from './pipe-runner';
import type { PipeStats } from './pipe-runner';
import type { StreamsApi } from './stream-reader';

export interface PipesServiceOptions {
  accountId: string;
  region: string;
  streams: StreamsApi;
  events: () => EventPublisher;
  sqs: () => QueueSender;
  /** Folder for `pipes.json` and `checkpoints.json`; in memory when absent. */
  dataDir?: string;
  now?: () => number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  pollIntervalMs?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Judges a call a pipe makes as its role (see `PipeRunnerDeps.authorize`); absent: allowed. */
  authorizeAsRole?: (roleArn: string | undefined, pipeName: string, permission: { action: string; resource: string; keys?: Record<string, string> }) => string | undefined;
  /**
   * A pipe restored from `pipes.json` runs only once this run applies it again (its stack, or StartPipe/UpdatePipe).
   * Set when `authorizeAsRole` judges: the role and its grants come back only with the stack's apply, so a
   * restored pipe polling before it would be refused (and every refusal logged as an IAM denial).
   */
  restoredPipesAwaitApply?: boolean;
}

interface StoredPipe {
  definition: PipeDefinition;
  createdAt: number;
  modifiedAt: number;
}

export interface PipeSummary extends PipeStats {
  name: string;
  arn: string;
  source: string;
  target: string;
  state: 'RUNNING' | 'STOPPED';
  filters: unknown[];
  /** Events put on the bus (the brief's `processed`). */
  processed: number;
  /** Present (true) while a pipe restored from the data dir waits for this run's apply of its stack. */
  awaitingApply?: true;
}

export class PipesService {
  private readonly pipes = new Map<string, StoredPipe>();
  private readonly runners = new Map<string, PipeRunner>();
  private readonly checkpoints: CheckpointStore;
  private readonly now: () => number;
  private started = false;
  /** Restored pipes not applied again yet (see `restoredPipesAwaitApply`). */
  private readonly awaitingApply = new Set<string>();

  constructor(private readonly options: PipesServiceOptions) {
    this.now = options.now ?? Date.now;
    this.checkpoints = new CheckpointStore(options.dataDir ? `${options.dataDir}/checkpoints.json` : undefined, (message) => options.log?.(message));
    this.load();
  }

  arnOf(name: string): string {
    return `arn:aws:pipes:${this.options.region}:${this.options.accountId}:pipe/${name}`;
  }

  private stored(name: string): StoredPipe {
    const pipe = this.pipes.get(name);
    if (!pipe) throw new AwsServiceError('NotFoundException', `Pipe ${name} does not exist.`, 404);
    return pipe;
  }

  has(name: string): boolean {
    return this.pipes.has(name);
  }

  get(name: string): { definition: PipeDefinition; createdAt: number; modifiedAt: number; currentState: 'RUNNING' | 'STOPPED'; stats: PipeStats } {
    const pipe = this.stored(name);
    const runner = this.runners.get(name);
    return { ...pipe, currentState: runner?.isRunning ? 'RUNNING' : 'STOPPED', stats: runner?.stats ?? { read: 0, filteredOut: 0, delivered: 0, failed: 0, retrying: 0 } };
  }

  names(): string[] {
    return [...this.pipes.keys()].sort();
  }

  create(definition: PipeDefinition): void {
    if (this.pipes.has(definition.name)) {
      throw new AwsServiceError('ConflictException', `Pipe ${definition.name} already exists.`, 409, { resourceId: definition.name, resourceType: 'pipe' });
    }
    const now = this.now();
    this.pipes.set(definition.name, { definition, createdAt: now, modifiedAt: now });
    this.save();
    this.reconcile(definition.name);
  }

  /**
   * Replaces the definition (a running pipe restarts on the new one, keeping its position if the source is the same).
   * Applying a restored pipe unchanged starts it (see `restoredPipesAwaitApply`).
   */
  async update(definition: PipeDefinition): Promise<void> {
    const existing = this.stored(definition.name);
    this.awaitingApply.delete(definition.name);
    if (JSON.stringify(existing.definition) === JSON.stringify(definition)) {
      this.reconcile(definition.name);
      return;
    }
    await this.runners.get(definition.name)?.stop();
    this.runners.delete(definition.name);
    this.pipes.set(definition.name, { ...existing, definition, modifiedAt: this.now() });
    this.save();
    this.reconcile(definition.name);
  }

  async delete(name: string): Promise<void> {
    this.stored(name);
    await this.runners.get(name)?.stop();
    this.runners.delete(name);
    this.pipes.delete(name);
    this.awaitingApply.delete(name);
    this.checkpoints.forget(name);
    this.save();
  }

  async setDesiredState(name: string, desiredState: 'RUNNING' | 'STOPPED'): Promise<void> {
    const pipe = this.stored(name);
    this.awaitingApply.delete(name);
    if (pipe.definition.desiredState !== desiredState) {
      pipe.definition = { ...pipe.definition, desiredState };
      pipe.modifiedAt = this.now();
      this.save();
    }
    if (desiredState === 'STOPPED') {
      await this.runners.get(name)?.stop();
      this.runners.delete(name);
    } else {
      this.reconcile(name);
    }
  }

  /** Resolves when the pipe (or every running pipe) has handled everything in its stream. */
  async whenIdle(name?: string): Promise<void> {
    const runners = name ? [this.runners.get(name)].filter((runner): runner is PipeRunner => Boolean(runner)) : [...this.runners.values()];
    await Promise.all(runners.map((runner) => runner.whenIdle()));
  }

  summaries(): PipeSummary[] {
    return this.names().map((name) => {
      const { definition, currentState, stats } = this.get(name);
      return {
        name,
        arn: this.arnOf(name),
        source: definition.source,
        target: definition.target,
        state: currentState,
        filters: definition.filters.map((pattern) => JSON.parse(pattern) as unknown),
        processed: stats.delivered,
        ...stats,
        ...(this.awaitingApply.has(name) ? { awaitingApply: true as const } : {}),
      };
    });
  }

  start(): void {
    this.started = true;
    for (const name of this.awaitingApply) {
      this.options.log?.(`pipes: ${name} (restored from the data dir) starts when its stack is applied again: its role's grants come back with that apply`);
    }
    for (const name of this.pipes.keys()) this.reconcile(name);
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
    this.runners.clear();
    this.options.streams.destroy();
  }

  /** Starts a runner for a RUNNING pipe once the module has started. */
  private reconcile(name: string): void {
    const pipe = this.pipes.get(name);
    if (!this.started || !pipe || pipe.definition.desiredState !== 'RUNNING' || this.awaitingApply.has(name) || this.runners.get(name)?.isRunning) return;
    const runner = new PipeRunner(pipe.definition, {
      arn: this.arnOf(name),
      region: this.options.region,
      streams: this.options.streams,
      events: this.options.events,
      sqs: this.options.sqs,
      checkpoints: this.checkpoints,
      now: this.now,
      log: this.options.log ?? (() => undefined),
      pollIntervalMs: this.options.pollIntervalMs ?? 250,
      retryBaseDelayMs: this.options.retryBaseDelayMs ?? 1_000,
      retryMaxDelayMs: this.options.retryMaxDelayMs ?? 60_000,
      ...(this.options.authorizeAsRole ? { authorize: (permission) => this.options.authorizeAsRole?.(pipe.definition.roleArn, name, permission) } : {}),
    });
    this.runners.set(name, runner);
    runner.start();
  }

  private get definitionsPath(): string | undefined {
    return this.options.dataDir ? `${this.options.dataDir}/pipes.json` : undefined;
  }

  private load(): void {
    const path = this.definitionsPath;
    if (!path) return;
    const saved = readJsonState<{ pipes: StoredPipe[] }>(path, `${REPAIR_ADVICE} (moved away, pipes come back when their stacks are applied and resume from checkpoints.json)`);
    for (const pipe of saved?.pipes ?? []) {
      this.pipes.set(pipe.definition.name, pipe);
      if (this.options.restoredPipesAwaitApply) this.awaitingApply.add(pipe.definition.name);
    }
  }

  private save(): void {
    const path = this.definitionsPath;
    if (!path) return;
    writeFileAtomically(path, JSON.stringify({ pipes: [...this.pipes.values()] }, null, 2));
  }
}
