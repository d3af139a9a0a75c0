import { Logger } from '@aws-lambda-powertools/logger';

export { Logger };

export interface LoggerOptions {
  /** The service (bounded context), e.g. `customers`. */
  service: string;
  /** The manifest's function name, e.g. `on-user-registered`. */
  functionName: string;
  /** Defaults to `LOG_LEVEL`, then `INFO`. */
  level?: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' | 'CRITICAL';
  env?: NodeJS.ProcessEnv;
}

/**
 * The structured JSON logger of one function: Powertools Logger (one JSON object per line with
 * `level`, `message`, `timestamp`, `service`, `cold_start`, `function_request_id`,
 * `xray_trace_id`), plus the manifest function name and the deployment environment on every line.
 * The handler wrappers add `correlation_id`, `cause_id`, `trigger` and trace ids per invocation.
 *
 * @example
 * ```ts
 * const logger = createLogger({ service: 'customers', functionName: 'http-get-customer' });
 * logger.info('customer loaded', { customerId });
 * ```
 */
export function createLogger({ service, functionName, level, env = process.env }: LoggerOptions): Logger {
  const logLevel = level ?? (env.LOG_LEVEL?.toUpperCase() as LoggerOptions['level']) ?? 'INFO';
  return new Logger({
    serviceName: service,
    logLevel,
    persistentKeys: {
      function: functionName,
      ...(env.DD_ENV ?? env.KESTREL_ENV ? { env: env.DD_ENV ?? env.KESTREL_ENV } : {}),
      ...(env.DD_VERSION ? { version: env.DD_VERSION } : {}),
    },
  });
}
