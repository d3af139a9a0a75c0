import type { Context } from 'aws-lambda';

/** Log levels and their order (Powertools' numbers, so `LOG_LEVEL` means the same in both). */
export const LOG_LEVELS = Object.freeze({ TRACE: 6, DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 });
export type LogLevel = keyof typeof LOG_LEVELS;

export interface LoggerOptions {
  /** The service (bounded context), e.g. `customers`. */
  service: string;
  /** The manifest's function name, e.g. `on-user-registered`. */
  functionName: string;
  /** Defaults to `LOG_LEVEL`, then `INFO`. */
  level?: LogLevel;
  env?: NodeJS.ProcessEnv;
}

type Attributes = Record<string, unknown>;

/** An error as a log attribute: what Powertools writes (`name`, `location`, `message`, `stack`), plus its cause. */
function formatError(error: Error): Attributes {
  // The first frame, `at fn (file:line:column)` or `at file:line:column`, as `file:line`.
  const frame = /^\s+at (?:.*?\()?(.+?):(\d+):\d+\)?$/m.exec(error.stack ?? '');
  const location = frame ? `${frame[1]}:${frame[2]}` : '';
  return {
    name: error.name,
    location,
    message: error.message,
    stack: error.stack,
    ...(error.cause instanceof Error ? { cause: formatError(error.cause) } : error.cause !== undefined ? { cause: error.cause } : {}),
  };
}

/** JSON that never throws on what handlers log: bigints as strings, errors formatted, cycles cut. */
function toJson(item: Attributes): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(item, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return formatError(value);
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  });
}

/**
 * A structured JSON logger with the Powertools Logger's line format and the part of its API the
 * handlers use (`info`/`warn`/`error`/…, `appendKeys`, `resetKeys`, `addContext`,
 * `setCorrelationId`). Why not Powertools itself: it has no smaller entry point, and its logger adds
 * ~20 KB minified to every bundle (buffering, sampling, custom formatters, middleware we don't use);
 * figures in `tools/bundle/bench-results/handlers.json` (`logger` reference). Lines keep the keys
 * Datadog pipelines and the tests read: `level`, `message`, `timestamp`, `service`, `cold_start`,
 * `function_name`, `function_arn`, `function_memory_size`, `function_request_id`, `xray_trace_id`,
 * `correlation_id`, then persistent and per-invocation keys, then the call's attributes.
 * WARN, ERROR and CRITICAL go to stderr, the rest to stdout (as console.warn/error would).
 */
export class Logger {
  readonly #service: string;
  readonly #threshold: number;
  readonly #persistentKeys: Attributes;
  readonly #env: NodeJS.ProcessEnv;
  #temporaryKeys: Attributes = {};
  #lambdaKeys: Attributes = {};
  #correlationId: string | undefined;
  #coldStart = true;

  constructor(options: { serviceName: string; logLevel?: LogLevel; persistentKeys?: Attributes; env?: NodeJS.ProcessEnv }) {
    this.#service = options.serviceName;
    this.#threshold = LOG_LEVELS[options.logLevel ?? 'INFO'] ?? LOG_LEVELS.INFO;
    this.#persistentKeys = { ...options.persistentKeys };
    this.#env = options.env ?? process.env;
  }

  trace(message: string, ...extra: Array<Attributes | Error>): void {
    this.#write('TRACE', message, extra);
  }
  debug(message: string, ...extra: Array<Attributes | Error>): void {
    this.#write('DEBUG', message, extra);
  }
  info(message: string, ...extra: Array<Attributes | Error>): void {
    this.#write('INFO', message, extra);
  }
  warn(message: string, ...extra: Array<Attributes | Error>): void {
    this.#write('WARN', message, extra);
  }
  error(message: string, ...extra: Array<Attributes | Error>): void {
    this.#write('ERROR', message, extra);
  }
  critical(message: string, ...extra: Array<Attributes | Error>): void {
    this.#write('CRITICAL', message, extra);
  }

  /** Keys on every line until {@link resetKeys} (the wrapper resets them per invocation). */
  appendKeys(keys: Attributes): void {
    this.#temporaryKeys = { ...this.#temporaryKeys, ...keys };
  }

  /** Drops the keys appended since the last reset (persistent keys stay). */
  resetKeys(): void {
    this.#temporaryKeys = {};
  }

  /** The invocation's Lambda context on every line; the first call marks the cold start. */
  addContext(context: Context): void {
    this.#lambdaKeys = {
      cold_start: this.#coldStart,
      function_arn: context.invokedFunctionArn,
      function_memory_size: Number(context.memoryLimitInMB),
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
    };
    this.#coldStart = false;
  }

  setCorrelationId(correlationId: string | undefined): void {
    this.#correlationId = correlationId;
  }

  getCorrelationId(): string | undefined {
    return this.#correlationId;
  }

  #write(level: LogLevel, message: string, extra: Array<Attributes | Error>): void {
    if (LOG_LEVELS[level] < this.#threshold) return;
    const xrayTraceId = /Root=([^;]+)/.exec(this.#env._X_AMZN_TRACE_ID ?? '')?.[1];
    const item: Attributes = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: this.#service,
      ...this.#lambdaKeys,
      ...(xrayTraceId ? { xray_trace_id: xrayTraceId } : {}),
      ...(this.#correlationId !== undefined ? { correlation_id: this.#correlationId } : {}),
      ...this.#persistentKeys,
      ...this.#temporaryKeys,
    };
    for (const attributes of extra) Object.assign(item, attributes instanceof Error ? { error: attributes } : attributes);
    const stream = LOG_LEVELS[level] >= LOG_LEVELS.WARN ? process.stderr : process.stdout;
    stream.write(`${toJson(item)}\n`);
  }
}

/**
 * The structured JSON logger of one function (see {@link Logger}), with the manifest function
 * name and the deployment environment on every line. The handler wrappers add `correlation_id`,
 * `cause_id`, `trigger` and trace ids per invocation.
 *
 * @example
 * ```ts
 * const logger = createLogger({ service: 'customers', functionName: 'http-get-customer' });
 * logger.info('customer loaded', { customerId });
 * ```
 */
export function createLogger({ service, functionName, level, env = process.env }: LoggerOptions): Logger {
  const fromEnv = env.LOG_LEVEL?.toUpperCase();
  const logLevel = level ?? (fromEnv && fromEnv in LOG_LEVELS ? (fromEnv as LogLevel) : 'INFO');
  return new Logger({
    serviceName: service,
    logLevel,
    env,
    persistentKeys: {
      function: functionName,
      ...(env.DD_ENV ?? env.KESTREL_ENV ? { env: env.DD_ENV ?? env.KESTREL_ENV } : {}),
      ...(env.DD_VERSION ? { version: env.DD_VERSION } : {}),
    },
  });
}
