/**
 * The Lambda service of the local cloud: deployed functions, synchronous and
 * asynchronous invocation with Lambda's limits and errors, the idle-pool
 * reaper, and the in-process `LambdaInvoker` other emulations call.
 */
import { join } from 'node:path';
import { Journal } from '../../core/journal';
import { AwsServiceError } from '../../core/types';
import type { InvokeResult, LambdaInvoker, LocalCloudContext } from '../../core/types';
import { ASYNC_PAYLOAD_LIMIT, AsyncInvocationQueue, type JournaledEvent } from './async-invocations';
import { codeRootFor, prepareCode } from './code-assets';
import type { PreparedCode } from './code-assets';
import { functionLogDir } from './function-logs';
import type { EventInvokeSettings } from './function-config';
import { FunctionRegistry, parseFunctionReference } from './function-registry';
import { SYNC_PAYLOAD_LIMIT } from './local-function';
import type { AsyncScaleOut, InvocationResult, LocalFunction } from './local-function';
import type { NodeRuntimeOptions } from './node-runtimes';
import { PermissionStore } from './permissions';

export interface LambdaModuleOptions {
  /** Idle environments are discarded after this long unused (default 10 min; AWS keeps them 5-15 min). */
  idleTimeoutMs?: number;
  /**
   * Concurrent environments shared by functions without reserved concurrency
   * (default 16). AWS's account default is 1000; here every environment is a
   * real process on a 2-core machine, so the pool is smaller. Beyond it sync
   * calls are throttled and async events wait, as at Lambda's account limit.
   */
  unreservedConcurrency?: number;
  /** Multiplies Lambda's async retry delays (60 s, 120 s) and event ages (default 1/60). */
  asyncTimeScale?: number;
  /** Cap each environment's V8 heap at the function's `memory_size` (default true). */
  enforceMemoryLimit?: boolean;
  /** Lambda's init phase limit (default 10 s). */
  initTimeoutMs?: number;
  /**
   * When an async event that finds every environment busy starts a new one (default `after-cold-start-time`:
   * once it has waited as long as a cold start takes; `immediate` is AWS's rule). See `AsyncScaleOut`.
   */
  asyncScaleOut?: AsyncScaleOut;
  /** Where task roots are unpacked (default: see `codeRootFor`). */
  codeRoot?: string;
  runtimes?: NodeRuntimeOptions;
}

/** The `LambdaInvoker` peer, plus the permission check the other emulations ask before invoking. */
export interface LocalLambdaInvoker extends LambdaInvoker {
  /** See `PermissionStore.isInvokeAllowed`. */
  isInvokeAllowed(functionArnOrName: string, principal: string, sourceArn?: string): boolean;
}

export interface SyncInvokeOptions {
  qualifier?: string;
  tail?: boolean;
  clientContext?: unknown;
  requestId?: string;
}

/** Lambda's `LastModified` format: `2026-01-02T03:04:05.678+0000`. */
export function lambdaTimestamp(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}

function envNumber(name: string): number | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : Number(value);
}

const SCALE_OUT_POLICIES: readonly AsyncScaleOut[] = ['after-cold-start-time', 'immediate'];

/** `LOCAL_CLOUD_LAMBDA_ASYNC_SCALE_OUT`, refused by name when it is not a policy. */
function envScaleOut(): AsyncScaleOut | undefined {
  const value = process.env.LOCAL_CLOUD_LAMBDA_ASYNC_SCALE_OUT;
  if (value === undefined || value === '') return undefined;
  if (!(SCALE_OUT_POLICIES as readonly string[]).includes(value)) {
    throw new Error(`LOCAL_CLOUD_LAMBDA_ASYNC_SCALE_OUT: '${value}' is not one of ${SCALE_OUT_POLICIES.join(', ')}`);
  }
  return value as AsyncScaleOut;
}

export class LambdaService {
  readonly registry: FunctionRegistry;
  readonly permissions = new PermissionStore();
  readonly eventInvokeConfigs = new Map<string, EventInvokeSettings>();
  readonly asyncQueue: AsyncInvocationQueue;
  readonly idleTimeoutMs: number;
  readonly enforceMemoryLimit: boolean;
  readonly initTimeoutMs: number;
  readonly asyncScaleOut: AsyncScaleOut;
  readonly codeRoot: string;
  readonly logDir: string;
  readonly lastModified = new Map<string, string>();
  private reaper: NodeJS.Timeout | undefined;

  constructor(
    readonly context: LocalCloudContext,
    readonly options: LambdaModuleOptions = {},
  ) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? envNumber('LOCAL_CLOUD_LAMBDA_IDLE_TIMEOUT_MS') ?? 10 * 60_000;
    this.enforceMemoryLimit = options.enforceMemoryLimit ?? true;
    this.initTimeoutMs = options.initTimeoutMs ?? 10_000;
    this.asyncScaleOut = options.asyncScaleOut ?? envScaleOut() ?? 'after-cold-start-time';
    this.codeRoot = options.codeRoot ?? codeRootFor(context.dataDir);
    this.logDir = functionLogDir(context.dataDir);
    this.registry = new FunctionRegistry(options.unreservedConcurrency ?? envNumber('LOCAL_CLOUD_LAMBDA_CONCURRENCY') ?? 16);
    this.asyncQueue = new AsyncInvocationQueue({
      registry: this.registry,
      peers: context.peers,
      settingsFor: (fn) => this.eventInvokeConfigs.get(fn.name) ?? {},
      run: (fn, request) => fn.run(request),
      log: (message, fields) => context.log(message, fields),
      timeScale: options.asyncTimeScale ?? envNumber('LOCAL_CLOUD_LAMBDA_ASYNC_TIME_SCALE') ?? 1 / 60,
      ...(context.awaitingStacks ? { awaitingStacks: context.awaitingStacks } : {}),
      journal: Journal.open<JournaledEvent>(context.inMemory ? undefined : join(context.dataDir, 'lambda', 'async.journal'), {
        label: 'lambda async events',
        log: (message, fields) => context.log(message, fields),
      }),
    });
  }

  functionArn(name: string, qualifier?: string): string {
    const base = `arn:aws:lambda:${this.context.region}:${this.context.accountId}:function:${name}`;
    return qualifier ? `${base}:${qualifier}` : base;
  }

  /** A function ARN of another region or account is not one of ours (Lambda answers not found). */
  private isElsewhere(reference: string): boolean {
    return reference.startsWith('arn:') && !reference.startsWith(`arn:aws:lambda:${this.context.region}:${this.context.accountId}:`);
  }

  /** The function a caller named, or Lambda's 404. */
  resolve(reference: string, explicitQualifier?: string): { fn: LocalFunction; qualifier: string } {
    const parsed = parseFunctionReference(reference);
    if (!parsed) {
      throw new AwsServiceError(
        'ValidationException',
        `1 validation error detected: Value '${reference}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
      );
    }
    const qualifier = explicitQualifier ?? parsed.qualifier;
    const elsewhere = this.isElsewhere(reference);
    const fn = elsewhere ? undefined : this.registry.get(parsed.name);
    const knownQualifier = qualifier === undefined || qualifier === '$LATEST' || (fn !== undefined && qualifier === fn.latestPublishedVersion);
    if (!fn || !knownQualifier) {
      throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${elsewhere ? reference : this.functionArn(parsed.name, qualifier)}`, 404, { Type: 'User' });
    }
    return { fn, qualifier: qualifier ?? '$LATEST' };
  }

  private static checkJson(payload: string): void {
    if (payload === '') return;
    try {
      JSON.parse(payload);
    } catch (error) {
      throw new AwsServiceError('InvalidRequestContentException', `Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`, 400, {
        Type: 'User',
      });
    }
  }

  /**
   * A `RequestResponse` invocation: validation, throttling, then one run in
   * a warm or new environment.
   *
   * @example
   * const result = await service.invokeSync('orders', JSON.stringify({ id: 1 }), { tail: true });
   */
  async invokeSync(reference: string, payload: string, options: SyncInvokeOptions = {}): Promise<InvocationResult> {
    const { fn, qualifier } = this.resolve(reference, options.qualifier);
    const size = Buffer.byteLength(payload);
    if (size > SYNC_PAYLOAD_LIMIT) {
      throw new AwsServiceError('RequestEntityTooLargeException', `Request must be smaller than ${SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`, 413, { Type: 'User' });
    }
    LambdaService.checkJson(payload);
    const acquired = this.registry.tryAcquire(fn);
    if (acquired !== 'acquired') {
      fn.counters.throttles += 1;
      throw new AwsServiceError(
        'TooManyRequestsException',
        'Rate Exceeded.',
        429,
        { Type: 'User', Reason: acquired === 'reserved-limit' ? 'ReservedFunctionConcurrentInvocationLimitExceeded' : 'ConcurrentInvocationLimitExceeded' },
      );
    }
    try {
      return await fn.run({ requestId: options.requestId, payload, qualifier, tail: options.tail, clientContext: options.clientContext });
    } finally {
      this.registry.release(fn);
    }
  }

  /**
   * An `Event` invocation: validated and queued (journaled); answer the 202
   * after `asyncDurable()`.
   *
   * @example
   * const requestId = service.invokeAsync('orders', '{"id":1}');
   */
  invokeAsync(reference: string, payload: string, options: { qualifier?: string; requestId?: string } = {}): string {
    const { fn, qualifier } = this.resolve(reference, options.qualifier);
    const size = Buffer.byteLength(payload);
    if (size > ASYNC_PAYLOAD_LIMIT) {
      throw new AwsServiceError('RequestEntityTooLargeException', `${size} byte payload is too large for the Event invocation type (limit ${ASYNC_PAYLOAD_LIMIT} bytes)`, 413, {
        Type: 'User',
      });
    }
    LambdaService.checkJson(payload);
    return this.asyncQueue.enqueue(fn, payload, { qualifier, requestId: options.requestId });
  }

  /** The in-process invoker other modules use (EventBridge targets, Cognito triggers, destinations). */
  readonly invoker: LocalLambdaInvoker = {
    invoke: async (functionNameOrArn, payload, { invocationType }): Promise<InvokeResult> => {
      const text = payload instanceof Uint8Array ? Buffer.from(payload).toString('utf8') : JSON.stringify(payload ?? {});
      if (invocationType === 'Event') {
        this.invokeAsync(functionNameOrArn, text);
        await this.asyncDurable();
        return { statusCode: 202, payload: undefined };
      }
      const result = await this.invokeSync(functionNameOrArn, text);
      return {
        statusCode: 200,
        payload: JSON.parse(result.payload) as unknown,
        functionError: result.functionError,
        executedVersion: result.executedVersion,
      };
    },
    functionExists: (functionNameOrArn) => {
      const parsed = parseFunctionReference(functionNameOrArn);
      return parsed !== undefined && !this.isElsewhere(functionNameOrArn) && this.registry.get(parsed.name) !== undefined;
    },
    isInvokeAllowed: (functionArnOrName, principal, sourceArn) => this.serviceMayInvoke(functionArnOrName, principal, sourceArn),
  };

  /**
   * Whether a service principal may invoke a function (its `aws_lambda_permission`s). With the local cloud's IAM, a
   * refusal is judged again with AWS's evaluation of the function's policy document and recorded like the edge's
   * (`warn`: let through); with `LOCAL_CLOUD_IAM=off` or without IAM, the permissions alone decide.
   */
  private serviceMayInvoke(functionArnOrName: string, principal: string, sourceArn?: string): boolean {
    const allowed = this.permissions.isInvokeAllowed(functionArnOrName, principal, sourceArn);
    const iam = this.context.iam;
    if (allowed || !iam || iam.mode === 'off') return allowed;
    const name = parseFunctionReference(functionArnOrName)?.name ?? functionArnOrName;
    const arn = this.functionArn(name);
    const document = this.permissions.policyDocument(name, arn);
    return iam.serviceMayCall({
      service: principal,
      action: 'lambda:InvokeFunction',
      resource: arn,
      ...(document.Statement.length > 0 ? { resourcePolicy: JSON.stringify(document) } : {}),
      policyName: `function ${name} (aws_lambda_permission)`,
      ...(sourceArn ? { sourceArn } : {}),
    });
  }

  /**
   * Swaps a deployed function's code for the bundle folder given (watch mode:
   * a handler rebuilt without re-applying its stack). Settings stay as
   * deployed; idle environments are retired now and busy ones when their
   * invocation ends, so the next invocation cold-starts on the new code.
   *
   * @example
   * service.replaceCode('kestrel-staging-catalog-http-get-product', 'apps/catalog/dist/bundles/http-get-product');
   */
  replaceCode(functionName: string, bundleFolder: string): PreparedCode {
    const fn = this.registry.get(functionName);
    if (!fn) throw new Error(`replaceCode: no function '${functionName}' is deployed (deployed: ${this.registry.all().map((candidate) => candidate.name).join(', ') || 'none'})`);
    const code = prepareCode(bundleFolder, '.', this.codeRoot);
    if (code.codeSha256 === fn.code.codeSha256) return code;
    fn.update(fn.settings, code, fn.node);
    this.lastModified.set(functionName, lambdaTimestamp());
    return code;
  }

  /** Resolves once every accepted async event is on disk. */
  asyncDurable(): Promise<void> {
    return this.asyncQueue.durable();
  }

  /** Resolves when every queued async event is done, including retries and destination deliveries. */
  whenAsyncIdle(): Promise<void> {
    return this.asyncQueue.whenIdle();
  }

  start(): void {
    if (this.reaper) return;
    this.asyncQueue.recover();
    const every = Math.max(1_000, Math.min(30_000, Math.floor(this.idleTimeoutMs / 2)));
    this.reaper = setInterval(() => {
      for (const fn of this.registry.all()) fn.reapIdle(this.idleTimeoutMs);
    }, every);
    this.reaper.unref();
  }

  async stop(): Promise<void> {
    if (this.reaper) clearInterval(this.reaper);
    this.reaper = undefined;
    await this.asyncQueue.stop();
    await Promise.all(this.registry.all().map((fn) => fn.shutdown()));
  }

  /** The `functions` entry of `GET /_local/state`. */
  describe(): unknown {
    return this.registry.all().map((fn) => ({
      name: fn.name,
      arn: fn.arn,
      runtime: fn.settings.runtime,
      nodeBinary: fn.node.binary,
      nodeVersion: fn.node.version,
      handler: fn.settings.handler,
      // What actually runs: differs from `handler` when a layer wrapper's redirect was resolved.
      runs: fn.settings.local.handler,
      handlerRedirect: fn.settings.local.redirect ? { ...fn.settings.local.redirect, reason: 'layers are not loaded locally' } : null,
      timeout: fn.settings.timeoutSeconds,
      memorySize: fn.settings.memorySizeMb,
      reservedConcurrency: fn.settings.reservedConcurrency ?? null,
      warm: fn.idleCount,
      busy: fn.busyCount,
      queuedEvents: this.asyncQueue.depth(fn.name),
      ...fn.counters,
      logFile: fn.logPath,
    }));
  }
}
