/**
 * One deployed function: its settings and code, its pool of execution
 * environments (idle ones reused while warm, a cold start when none is free),
 * its concurrency accounting and its log.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ExecutionEnvironment, InitFailure } from './execution-environment';
import type { FunctionErrorPayload, InvocationOutcome } from './execution-environment';
import type { Telemetry } from '../../core/telemetry';
import { FunctionLog, reportLine, structuredMessage, textLine } from './function-logs';
import type { ApplicationLogRecord, ReportMetrics } from './function-logs';
import type { FunctionSettings } from './function-config';
import type { PreparedCode } from './code-assets';
import { invocationRecord } from './invocation-record';
import type { ResolvedNodeRuntime } from './node-runtimes';

export const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
/** Lambda's response limit is slightly above the request one. */
export const RESPONSE_PAYLOAD_LIMIT = 6_291_556;

export interface FunctionRuntimeOptions {
  accountId: string;
  region: string;
  /** Read at each cold start: the edge endpoint may only be known once it listens. */
  endpoint: () => string;
  logPath: string;
  enforceMemoryLimit: boolean;
  /** Lambda's init phase limit (10 s). */
  initTimeoutMs: number;
  /**
   * Session credentials of the function's execution role, issued per execution environment as Lambda does
   * (IAM of the local cloud); without it the environment gets placeholder credentials the edge treats as the administrator.
   */
  credentials?: (roleArn: string, sessionName: string) => { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  /** Where each invocation's REPORT facts are published (the console's function statistics and traces). */
  telemetry?: Telemetry;
  /** When an async event that finds no idle environment starts a new one (default `after-cold-start-time`). */
  asyncScaleOut?: AsyncScaleOut;
}

/**
 * When an async event that finds every environment busy makes the function
 * scale out (it runs in the first environment that frees either way):
 * - `after-cold-start-time`: once the oldest waiting event has waited as long
 *   as a cold start of this function takes (the mean of its last init
 *   durations), or at once when no environment is busy. Renting the busy
 *   environments until the wait equals the price of a new one is the
 *   ski-rental rule: the event that makes the function scale out waits about
 *   twice what an immediate cold start would have cost it at most, and a busy
 *   environment that frees in a few milliseconds (the usual case for event
 *   handlers) costs no process start.
 * - `immediate`: a cold start as soon as an event waits, which is AWS's rule
 *   (no free environment, a new one). On 2 shared cores each start takes
 *   100+ ms of CPU from everything else, so jitter of a few ms turns into
 *   scale-outs that slow every event down (10–14 cold starts and a p99 of
 *   0.5–5 s at 200 events/s); kept as the benchmark's reference.
 */
export type AsyncScaleOut = 'after-cold-start-time' | 'immediate';

export interface InvocationRequest {
  requestId?: string;
  /** JSON text of the event ('' for none). */
  payload: string;
  /** `$LATEST` or a published version. */
  qualifier?: string;
  clientContext?: unknown;
  /** Collect the log lines of this invocation (for `X-Amz-Log-Type: Tail`). */
  tail?: boolean;
  /**
   * Asynchronous events: when no environment is idle, scale out with a cold
   * start but run in whichever environment frees up first (see `awaitEnvironment`).
   */
  firstFreeEnvironment?: boolean;
}

export interface InvocationResult {
  requestId: string;
  /** JSON text: the handler's result or, with `functionError`, the error object. */
  payload: string;
  functionError?: 'Unhandled';
  error?: FunctionErrorPayload;
  executedVersion: string;
  coldStart: boolean;
  metrics: ReportMetrics;
  /** Text log lines of this invocation, when `tail` was asked for. */
  logLines?: string[];
  pid?: number;
}

export interface FunctionCounters {
  invocations: number;
  errors: number;
  throttles: number;
  timeouts: number;
  coldStarts: number;
}

/** Cold starts in parallel per function for waiting async events (see `awaitEnvironment`). */
const PARALLEL_COLD_STARTS_FOR_ASYNC = 1;
/** How many of the latest init durations the cold-start estimate averages. */
const INIT_DURATIONS_ESTIMATED_FROM = 5;
/** How many init durations a function remembers (the benchmark reads them). */
const INIT_DURATIONS_KEPT = 64;

const mb = (kb: number) => Math.max(1, Math.ceil(kb / 1024));

export class LocalFunction {
  readonly counters: FunctionCounters = { invocations: 0, errors: 0, throttles: 0, timeouts: 0, coldStarts: 0 };
  /** Invocations holding a concurrency slot (running or starting an environment). */
  inFlight = 0;
  private idle: ExecutionEnvironment[] = [];
  private readonly busy = new Set<ExecutionEnvironment>();
  private readonly starting = new Set<Promise<unknown>>();
  private generation = 0;
  private closed = false;
  private readonly log: FunctionLog;
  private readonly tails = new Map<string, string[]>();
  private readonly environmentGeneration = new WeakMap<ExecutionEnvironment, number>();
  /** Async invocations waiting for an environment, oldest first (`since`: `performance.now()` when it began waiting). */
  private waiters: Array<{ since: number; resolve: (environment: ExecutionEnvironment) => void; reject: (error: unknown) => void }> = [];
  /** Cold starts begun for waiters that have not yet handed their environment over. */
  private startsForWaiters = 0;
  /** Wakes the scale-out decision when the oldest waiter will have waited a cold start's time. */
  private scaleOutTimer: NodeJS.Timeout | undefined;
  /** Init durations of the latest successful cold starts (ms), oldest first. */
  readonly initDurationsMs: number[] = [];
  /**
   * `performance.now()` when the function last got an environment after having none of its current code: waiting
   * before that could not have been spent on a busy environment, so it does not count toward scaling out.
   */
  private servableSince = 0;

  constructor(
    public settings: FunctionSettings,
    public code: PreparedCode,
    public node: ResolvedNodeRuntime,
    private readonly options: FunctionRuntimeOptions,
  ) {
    this.log = new FunctionLog(options.logPath);
  }

  get name(): string {
    return this.settings.name;
  }

  get arn(): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${this.settings.name}`;
  }

  /** `$LATEST`, or `1` once the function is published (the local cloud keeps one version). */
  get latestPublishedVersion(): string | undefined {
    return this.settings.publish ? '1' : undefined;
  }

  get logPath(): string {
    return this.log.path;
  }

  get idleCount(): number {
    return this.idle.length;
  }

  get busyCount(): number {
    return this.busy.size;
  }

  /** Pids of the live environments, for diagnostics. */
  get pids(): number[] {
    return [...this.idle, ...this.busy].map((environment) => environment.pid).filter((pid): pid is number => pid !== undefined);
  }

  /**
   * Takes new settings or code. Environments of the old configuration are
   * discarded: idle ones now, busy ones when their invocation ends.
   */
  update(settings: FunctionSettings, code: PreparedCode, node: ResolvedNodeRuntime): void {
    this.settings = settings;
    this.code = code;
    this.node = node;
    this.generation += 1;
    for (const environment of this.idle) environment.kill();
    this.idle = [];
  }

  private environmentVariables(): Record<string, string> {
    const { settings } = this;
    const logStream = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
    return {
      // Defaults a function's own variables may override (Lambda lets NODE_OPTIONS be set)…
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      NODE_OPTIONS: '--enable-source-maps',
      ...settings.environment,
      // …then what Lambda sets itself, and the local endpoint, which always wins locally.
      PATH: `${dirname(this.node.binary)}:/usr/local/bin:/usr/bin:/bin`,
      LAMBDA_TASK_ROOT: this.code.taskRoot,
      LAMBDA_RUNTIME_DIR: this.code.taskRoot,
      // A layer wrapper's handler is replaced by the bundle handler it names (no layers locally).
      _HANDLER: settings.local.handler,
      AWS_EXECUTION_ENV: `AWS_Lambda_${settings.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: settings.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(settings.memorySizeMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: settings.logGroupName,
      AWS_LAMBDA_LOG_STREAM_NAME: logStream,
      AWS_REGION: this.options.region,
      AWS_DEFAULT_REGION: this.options.region,
      ...this.roleCredentials(),
      AWS_ENDPOINT_URL: this.options.endpoint(),
    };
  }

  /** The execution role's session (judged by the edge's IAM), else placeholders that act as the administrator. */
  private roleCredentials(): Record<'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY' | 'AWS_SESSION_TOKEN', string> {
    const session = this.settings.role && this.options.credentials ? this.options.credentials(this.settings.role, this.settings.name) : undefined;
    if (!session) return { AWS_ACCESS_KEY_ID: 'ASIALOCALCLOUDLAMBDA', AWS_SECRET_ACCESS_KEY: 'local-cloud-secret', AWS_SESSION_TOKEN: 'local-cloud-session' };
    return { AWS_ACCESS_KEY_ID: session.accessKeyId, AWS_SECRET_ACCESS_KEY: session.secretAccessKey, AWS_SESSION_TOKEN: session.sessionToken };
  }

  private writeLog(record: ApplicationLogRecord): void {
    if (typeof record.message === 'string') record.message = structuredMessage(record.message);
    this.log.write(record);
    if (record.requestId) this.tails.get(record.requestId)?.push(textLine(record));
  }

  private platform(type: 'platform.start' | 'platform.end' | 'platform.report' | 'platform.initReport' | 'platform.timeout', requestId: string, message: string, extra: object = {}): void {
    this.log.write({ timestamp: new Date().toISOString(), type, requestId, message, ...extra });
    this.tails.get(requestId)?.push(message);
  }

  private async coldStart(): Promise<ExecutionEnvironment> {
    const generation = this.generation;
    const starting = ExecutionEnvironment.start(
      {
        functionName: this.name,
        taskRoot: this.code.taskRoot,
        nodeBinary: this.node.binary,
        env: this.environmentVariables(),
        memorySizeMb: this.settings.memorySizeMb,
        enforceMemoryLimit: this.options.enforceMemoryLimit,
        initTimeoutMs: this.options.initTimeoutMs,
      },
      (record) => this.writeLog(record),
    );
    this.starting.add(starting);
    try {
      const environment = await starting;
      if (this.closed) {
        environment.kill();
        throw new InitFailure({ errorType: 'Runtime.Shutdown', errorMessage: 'The local cloud is shutting down' }, environment.initDurationMs);
      }
      const firstOfItsCode = generation === this.generation && this.idle.length === 0 && !this.hasBusyEnvironmentOfCurrentCode();
      if (firstOfItsCode) this.servableSince = performance.now();
      this.environmentGeneration.set(environment, generation);
      this.counters.coldStarts += 1;
      this.initDurationsMs.push(environment.initDurationMs);
      if (this.initDurationsMs.length > INIT_DURATIONS_KEPT) this.initDurationsMs.shift();
      return environment;
    } finally {
      this.starting.delete(starting);
    }
  }

  /**
   * Runs one invocation in an idle environment or a new one. The caller holds
   * a concurrency slot (`inFlight` is counted by the module's gate).
   */
  async run(request: InvocationRequest): Promise<InvocationResult> {
    const requestId = request.requestId ?? randomUUID();
    const executedVersion = request.qualifier && request.qualifier !== '$LATEST' ? request.qualifier : '$LATEST';
    if (request.tail) this.tails.set(requestId, []);
    this.counters.invocations += 1;
    try {
      let environment = this.takeIdle();
      if (!environment) {
        try {
          environment = request.firstFreeEnvironment ? await this.awaitEnvironment() : await this.coldStart();
        } catch (error) {
          if (!(error instanceof InitFailure)) throw error;
          return this.reported(request, this.initFailed(requestId, executedVersion, error, request.tail));
        }
      }
      // The REPORT line carries the init duration on an environment's first invocation, as Lambda's does.
      const initDurationMs = environment.invocations === 0 ? environment.initDurationMs : undefined;
      this.busy.add(environment);
      environment.lastUsedAt = Date.now();
      this.platform('platform.start', requestId, `START RequestId: ${requestId} Version: ${executedVersion}`);
      const started = performance.now();
      const outcome = await environment.invoke({
        requestId,
        payload: request.payload,
        invokedFunctionArn: executedVersion === '$LATEST' ? this.arn : `${this.arn}:${executedVersion}`,
        timeoutMs: this.settings.timeoutSeconds * 1000,
        traceId: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=${this.settings.tracingMode === 'Active' ? 1 : 0}`,
        clientContext: request.clientContext,
      });
      const durationMs = outcome.kind === 'timeout' ? this.settings.timeoutSeconds * 1000 : performance.now() - started;
      this.busy.delete(environment);
      environment.lastUsedAt = Date.now();
      this.release(environment, outcome);
      return this.reported(request, this.finish(requestId, executedVersion, outcome, durationMs, initDurationMs, environment.pid, request.tail));
    } finally {
      this.tails.delete(requestId);
    }
  }

  /** Publishes the REPORT line's facts when someone listens (the console's figures and traces). */
  private reported(request: InvocationRequest, result: InvocationResult): InvocationResult {
    const telemetry = this.options.telemetry;
    if (telemetry?.active) telemetry.publish(invocationRecord(this.name, request, result));
    return result;
  }

  /** An idle environment, skipping any that died since (a crash in background work after its last response). */
  private takeIdle(): ExecutionEnvironment | undefined {
    let environment = this.idle.pop();
    while (environment && environment.state !== 'idle') environment = this.idle.pop();
    return environment;
  }

  /**
   * For an async event when no environment is idle: the event runs in the
   * first environment that is free — a busy one finishing or a new one.
   * Binding the event to its own cold start instead makes every burst a
   * cascade on a 2-core machine: each spawn stalls the event loop, which
   * queues more events that each start another process (measured: 15 cold
   * starts and a 1.1 s p99 in the first second at 200 events/s). The function
   * scales out as `asyncScaleOut` says (by default only once the oldest event
   * has waited as long as a cold start takes), one cold start at a time per
   * function: a backlog still scales it out, by one environment per cold
   * start. The caller never waits on an async event, so only latency changes;
   * cold starts still happen and are reported.
   */
  private awaitEnvironment(): Promise<ExecutionEnvironment> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ since: performance.now(), resolve, reject });
      this.scaleOutForWaiters();
    });
  }

  private scaleOutForWaiters(): void {
    while (this.startsForWaiters < Math.min(this.waiters.length, PARALLEL_COLD_STARTS_FOR_ASYNC) && !this.closed) {
      const waitLeftMs = this.scaleOutWaitLeftMs();
      if (waitLeftMs > 0) {
        this.wakeScaleOutIn(waitLeftMs);
        return;
      }
      this.startsForWaiters += 1;
      this.coldStart().then(
        (environment) => {
          this.startsForWaiters -= 1;
          this.offer(environment);
          this.scaleOutForWaiters();
        },
        (error: unknown) => {
          this.startsForWaiters -= 1;
          // The oldest waiter gets the init failure, as the invocation that started it would.
          this.waiters.shift()?.reject(error);
          this.scaleOutForWaiters();
        },
      );
    }
  }

  /** What one cold start of this function costs: the mean of its latest init durations (undefined before the first). */
  get coldStartEstimateMs(): number | undefined {
    const latest = this.initDurationsMs.slice(-INIT_DURATIONS_ESTIMATED_FROM);
    return latest.length === 0 ? undefined : latest.reduce((sum, value) => sum + value, 0) / latest.length;
  }

  /**
   * How much longer the oldest waiting event should wait for a busy environment before a cold start is begun for it
   * (0: now). Its wait counts from when it arrived or, if later, from when the function had an environment again:
   * the backlog that built up during the first cold start drains in a few ms and is no reason for a second one.
   */
  private scaleOutWaitLeftMs(): number {
    if (this.options.asyncScaleOut === 'immediate') return 0;
    const oldest = this.waiters[0];
    const estimate = this.coldStartEstimateMs;
    // Only a busy environment of the current code is handed on when it frees; without one, nothing else will serve the event.
    if (!oldest || estimate === undefined || !this.hasBusyEnvironmentOfCurrentCode()) return 0;
    return Math.max(oldest.since, this.servableSince) + estimate - performance.now();
  }

  private hasBusyEnvironmentOfCurrentCode(): boolean {
    for (const environment of this.busy) if (this.environmentGeneration.get(environment) === this.generation) return true;
    return false;
  }

  private wakeScaleOutIn(delayMs: number): void {
    // An earlier wake-up is for an older waiter, so it comes no later than this one would.
    if (this.scaleOutTimer) return;
    this.scaleOutTimer = setTimeout(() => {
      this.scaleOutTimer = undefined;
      // Decide after the event loop's poll phase: when the loop was stalled, timers run before I/O, and a busy
      // environment's answer already waiting in the pipe should free it before a process is started instead.
      setImmediate(() => this.scaleOutForWaiters());
    }, Math.ceil(delayMs));
  }

  /** Hands a free environment to the oldest waiting async event, or makes it idle. */
  private offer(environment: ExecutionEnvironment): void {
    if (environment.state !== 'idle' || this.environmentGeneration.get(environment) !== this.generation || this.closed) {
      environment.kill();
      this.scaleOutForWaiters();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      // Busy from now on (the waiter's `run` resumes a microtask later): the scale-out decision must not see it as gone.
      this.busy.add(environment);
      waiter.resolve(environment);
    } else this.idle.push(environment);
  }

  private release(environment: ExecutionEnvironment, outcome: InvocationOutcome): void {
    const reusable = (outcome.kind === 'success' || outcome.kind === 'error') && environment.state === 'idle';
    if (reusable && this.environmentGeneration.get(environment) === this.generation) this.offer(environment);
    else {
      environment.kill();
      this.scaleOutForWaiters();
    }
  }

  private finish(
    requestId: string,
    executedVersion: string,
    outcome: InvocationOutcome,
    durationMs: number,
    initDurationMs: number | undefined,
    pid: number | undefined,
    tail: boolean | undefined,
  ): InvocationResult {
    const timestamp = new Date().toISOString();
    let payload = 'null';
    let error: FunctionErrorPayload | undefined;
    switch (outcome.kind) {
      case 'success':
        payload = outcome.payload;
        if (Buffer.byteLength(payload) > RESPONSE_PAYLOAD_LIMIT) {
          error = {
            errorType: 'Function.ResponseSizeTooLarge',
            errorMessage: `Response payload size exceeded maximum allowed payload size (${RESPONSE_PAYLOAD_LIMIT} bytes).`,
          };
        }
        break;
      case 'error':
        error = outcome.error;
        this.writeLog({ timestamp, level: 'ERROR', requestId, message: `Invoke Error \t${JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage, stack: error.trace })}` });
        break;
      case 'timeout': {
        const seconds = this.settings.timeoutSeconds.toFixed(2);
        error = { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds` };
        this.counters.timeouts += 1;
        this.platform('platform.timeout', requestId, `${timestamp} ${requestId} Task timed out after ${seconds} seconds`);
        break;
      }
      case 'crash':
        error = outcome.error;
        this.writeLog({ timestamp, level: 'ERROR', requestId, message: `${error.errorType}: ${error.errorMessage}` });
        break;
    }
    if (error) this.counters.errors += 1;
    const metrics: ReportMetrics = {
      durationMs,
      // Since August 2025 Lambda bills the init phase of on-demand cold starts too.
      billedDurationMs: Math.ceil(durationMs + (initDurationMs ?? 0)),
      memorySizeMB: this.settings.memorySizeMb,
      maxMemoryUsedMB: mb(outcome.maxRssKb),
      ...(initDurationMs !== undefined ? { initDurationMs } : {}),
    };
    const status = outcome.kind === 'timeout' ? ({ status: 'timeout' } as const) : outcome.kind === 'crash' ? ({ status: 'error', errorType: error?.errorType } as const) : undefined;
    this.platform('platform.end', requestId, `END RequestId: ${requestId}`);
    this.platform('platform.report', requestId, reportLine(requestId, metrics, status), { metrics, status: status?.status ?? (error ? 'error' : 'success'), errorType: error?.errorType });
    const logLines = tail ? [...(this.tails.get(requestId) ?? [])] : undefined;
    return {
      requestId,
      payload: error ? JSON.stringify(error) : payload,
      functionError: error ? 'Unhandled' : undefined,
      error,
      executedVersion,
      coldStart: initDurationMs !== undefined,
      metrics,
      logLines,
      pid,
    };
  }

  private initFailed(requestId: string, executedVersion: string, failure: InitFailure, tail: boolean | undefined): InvocationResult {
    const timestamp = new Date().toISOString();
    const error = failure.error;
    this.counters.coldStarts += 1;
    this.counters.errors += 1;
    this.writeLog({ timestamp, level: 'ERROR', requestId, message: `Uncaught Exception \t${JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage, stack: error.trace })}` });
    this.platform('platform.initReport', requestId, `INIT_REPORT Init Duration: ${failure.initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${error.errorType}`);
    const metrics: ReportMetrics = {
      durationMs: 0,
      billedDurationMs: Math.ceil(failure.initDurationMs),
      memorySizeMB: this.settings.memorySizeMb,
      maxMemoryUsedMB: 0,
      initDurationMs: failure.initDurationMs,
    };
    this.platform('platform.start', requestId, `START RequestId: ${requestId} Version: ${executedVersion}`);
    this.platform('platform.end', requestId, `END RequestId: ${requestId}`);
    this.platform('platform.report', requestId, reportLine(requestId, metrics, { status: 'error', errorType: error.errorType }), { metrics, status: 'error', errorType: error.errorType });
    return {
      requestId,
      payload: JSON.stringify(error),
      functionError: 'Unhandled',
      error,
      executedVersion,
      coldStart: true,
      metrics,
      logLines: tail ? [...(this.tails.get(requestId) ?? [])] : undefined,
    };
  }

  /** Resolves when every environment being started now has finished its init (or failed it). */
  async whenStarted(): Promise<void> {
    await Promise.allSettled([...this.starting]);
  }

  /** Discards idle environments unused for longer than `idleTimeoutMs`. */
  reapIdle(idleTimeoutMs: number, now = Date.now()): number {
    const keep: ExecutionEnvironment[] = [];
    let reaped = 0;
    for (const environment of this.idle) {
      if (now - environment.lastUsedAt >= idleTimeoutMs || environment.state === 'dead') {
        environment.kill();
        reaped += 1;
      } else keep.push(environment);
    }
    this.idle = keep;
    return reaped;
  }

  /** Kills every environment and closes the log. */
  async shutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.scaleOutTimer);
    const shutdown = new InitFailure({ errorType: 'Runtime.Shutdown', errorMessage: 'The local cloud is shutting down' }, 0);
    for (const waiter of this.waiters.splice(0)) waiter.reject(shutdown);
    await Promise.allSettled([...this.starting]);
    const environments = [...this.idle, ...this.busy];
    this.idle = [];
    for (const environment of environments) environment.kill();
    await Promise.all(environments.map((environment) => environment.whenClosed()));
    await this.log.close();
  }

  /** Waits until everything logged so far is on disk (tests read the file). */
  flushLog(): Promise<void> {
    return this.log.flush();
  }
}
