/**
 * One Lambda execution environment: a child process running the function's
 * bundle on the Node.js binary its runtime names. It is initialised once
 * (the bundle is imported: the cold start), then serves one invocation at a
 * time until it is frozen in the idle pool, discarded after a timeout or a
 * crash, or reaped when idle too long.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ApplicationLogRecord, LogLevel } from './function-logs';

export const BOOTSTRAP_PATH = fileURLToPath(new URL('./runtime/bootstrap.mjs', import.meta.url));

/** The error object Lambda returns as the payload of a failed invocation. */
export interface FunctionErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export interface EnvironmentSpec {
  functionName: string;
  taskRoot: string;
  nodeBinary: string;
  /** The complete environment of the process (nothing is inherited). */
  env: Record<string, string>;
  memorySizeMb: number;
  /** Cap the V8 heap at the function's memory size, so a leak fails as it would in Lambda. */
  enforceMemoryLimit: boolean;
  /** How long the init phase may take. */
  initTimeoutMs: number;
}

export interface EnvironmentInvocation {
  requestId: string;
  /** The event as JSON text ('' for none). */
  payload: string;
  invokedFunctionArn: string;
  timeoutMs: number;
  traceId: string;
  clientContext?: unknown;
  identity?: unknown;
}

export type InvocationOutcome =
  | { kind: 'success'; payload: string; maxRssKb: number }
  /** The handler threw or rejected; the environment stays usable. */
  | { kind: 'error'; error: FunctionErrorPayload; maxRssKb: number }
  /** The deadline passed; the process was killed. */
  | { kind: 'timeout'; maxRssKb: number }
  /** The process died (out of memory, `process.exit`, uncaught exception…). */
  | { kind: 'crash'; error: FunctionErrorPayload; maxRssKb: number };

export class InitFailure extends Error {
  constructor(
    readonly error: FunctionErrorPayload,
    readonly initDurationMs: number,
  ) {
    super(`${error.errorType}: ${error.errorMessage}`);
  }
}

type LogSink = (record: ApplicationLogRecord) => void;

interface WorkerMessage {
  type: 'ready' | 'init-error' | 'log' | 'result' | 'crash';
  requestId?: string;
  ok?: boolean;
  payload?: string;
  error?: FunctionErrorPayload;
  maxRssKb?: number;
  level?: LogLevel;
  timestamp?: string;
  message?: string;
}

/** Peak resident memory of a process in KiB, from Linux's /proc (undefined elsewhere or once it is gone). */
function peakRssKb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

let nextEnvironmentNumber = 1;

export class ExecutionEnvironment {
  readonly id = `env-${nextEnvironmentNumber++}`;
  state: 'initializing' | 'idle' | 'busy' | 'dead' = 'initializing';
  initDurationMs = 0;
  invocations = 0;
  lastUsedAt = Date.now();
  private maxRssKb = 0;
  private currentRequestId: string | undefined;
  private lastRequestId: string | undefined;
  private crashError: FunctionErrorPayload | undefined;
  private stderrTail = '';
  private pending: { resolve: (outcome: InvocationOutcome) => void; timer: NodeJS.Timeout } | undefined;
  private readonly closed: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly sink: LogSink,
  ) {
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Starts a process and waits for its init phase (the handler module imported).
   * Rejects with `InitFailure` when the bundle cannot be loaded or init runs out of time.
   *
   * @example
   * const env = await ExecutionEnvironment.start(spec, (record) => log.write(record));
   * const outcome = await env.invoke({ requestId, payload: '{}', … });
   */
  static async start(spec: EnvironmentSpec, sink: LogSink): Promise<ExecutionEnvironment> {
    const started = performance.now();
    const execArgv = spec.enforceMemoryLimit ? [`--max-old-space-size=${spec.memorySizeMb}`] : [];
    const child = spawn(spec.nodeBinary, [...execArgv, BOOTSTRAP_PATH], {
      cwd: spec.taskRoot,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const environment = new ExecutionEnvironment(child, sink);
    environment.wireOutput();
    try {
      await environment.waitUntilReady(spec.initTimeoutMs);
    } catch (error) {
      const initDurationMs = performance.now() - started;
      environment.kill();
      const shape = error instanceof InitFailure ? error.error : { errorType: 'Runtime.Unknown', errorMessage: (error as Error).message };
      throw new InitFailure(shape, initDurationMs);
    }
    environment.initDurationMs = performance.now() - started;
    environment.state = 'idle';
    return environment;
  }

  private wireOutput(): void {
    const capture = (stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr') => {
      if (!stream) return;
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (name === 'stderr') this.stderrTail = (this.stderrTail + line + '\n').slice(-8192);
        this.sink({
          timestamp: new Date().toISOString(),
          level: name === 'stderr' ? 'ERROR' : 'INFO',
          requestId: this.currentRequestId ?? this.lastRequestId,
          message: line,
          stream: name,
        });
      });
    };
    capture(this.child.stdout, 'stdout');
    capture(this.child.stderr, 'stderr');
    this.child.on('message', (message: WorkerMessage) => this.onMessage(message));
    this.child.once('close', (code, signal) => this.onClose(code, signal));
  }

  private readyWaiter: { resolve: () => void; reject: (error: Error) => void } | undefined;

  private waitUntilReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.readyWaiter = undefined;
        reject(new InitFailure({ errorType: 'Sandbox.Timedout', errorMessage: `Init phase timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` }, timeoutMs));
      }, timeoutMs);
      this.readyWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  private onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'ready':
        this.readyWaiter?.resolve();
        this.readyWaiter = undefined;
        return;
      case 'init-error':
        this.readyWaiter?.reject(new InitFailure(message.error as FunctionErrorPayload, 0));
        this.readyWaiter = undefined;
        return;
      case 'log':
        this.sink({
          timestamp: message.timestamp ?? new Date().toISOString(),
          level: message.level ?? 'INFO',
          requestId: message.requestId ?? this.currentRequestId,
          message: message.message ?? '',
        });
        return;
      case 'crash':
        this.crashError = message.error;
        return;
      case 'result': {
        if (!this.pending || message.requestId !== this.currentRequestId) return;
        this.maxRssKb = Math.max(this.maxRssKb, message.maxRssKb ?? 0);
        const outcome: InvocationOutcome = message.ok
          ? { kind: 'success', payload: message.payload ?? 'null', maxRssKb: this.maxRssKb }
          : { kind: 'error', error: message.error as FunctionErrorPayload, maxRssKb: this.maxRssKb };
        this.settle(outcome);
        return;
      }
    }
  }

  private onClose(code: number | null, signal: NodeJS.Signals | null): void {
    this.state = 'dead';
    if (this.readyWaiter) {
      this.readyWaiter.reject(
        new InitFailure(
          this.crashError ?? { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited during init with ${signal ? `signal: ${signal}` : `exit status ${code}`}` },
          0,
        ),
      );
      this.readyWaiter = undefined;
    }
    if (!this.pending) return;
    const requestId = this.currentRequestId;
    const outOfMemory = /heap out of memory|Reached heap limit|Allocation failed/i.test(this.stderrTail);
    const exit = signal ? `signal: ${signal === 'SIGKILL' || outOfMemory ? 'killed' : signal.toLowerCase()}` : `exit status ${code}`;
    const error: FunctionErrorPayload = outOfMemory
      ? { errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed` }
      : (this.crashError ?? { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${exit}` });
    this.settle({ kind: 'crash', error, maxRssKb: this.maxRssKb });
  }

  private settle(outcome: InvocationOutcome): void {
    const pending = this.pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending = undefined;
    this.lastRequestId = this.currentRequestId;
    this.currentRequestId = undefined;
    if (this.state === 'busy') this.state = 'idle';
    pending.resolve(outcome);
  }

  /** Runs one invocation; at the deadline the process is killed and the outcome is `timeout`. */
  invoke(invocation: EnvironmentInvocation): Promise<InvocationOutcome> {
    if (this.state !== 'idle') return Promise.reject(new Error(`environment ${this.id} is ${this.state}`));
    this.state = 'busy';
    this.invocations += 1;
    this.currentRequestId = invocation.requestId;
    this.crashError = undefined;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.maxRssKb = Math.max(this.maxRssKb, peakRssKb(this.child.pid) ?? 0);
        this.settle({ kind: 'timeout', maxRssKb: this.maxRssKb });
        this.kill();
      }, invocation.timeoutMs);
      this.pending = { resolve, timer };
      this.child.send({
        type: 'invoke',
        requestId: invocation.requestId,
        payload: invocation.payload,
        deadlineMs: Date.now() + invocation.timeoutMs,
        invokedFunctionArn: invocation.invokedFunctionArn,
        traceId: invocation.traceId,
        clientContext: invocation.clientContext,
        identity: invocation.identity,
      });
    });
  }

  /** Discards the environment (SIGKILL: Lambda does not let a sandbox clean up either). */
  kill(): void {
    this.state = 'dead';
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** Resolves when the process is gone and its output read. */
  whenClosed(): Promise<void> {
    return this.closed;
  }
}
