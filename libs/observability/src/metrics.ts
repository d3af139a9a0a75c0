import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';

/** One metric point as Datadog receives it. */
export interface MetricPoint {
  readonly name: string;
  readonly value: number;
  /** `distribution` becomes a DogStatsD `d` (percentiles computed server-side across all functions); `count` a `c`. */
  readonly type: 'distribution' | 'count';
  /** `key:value` tags, already sanitised. */
  readonly tags: readonly string[];
  /** Unix time in seconds. */
  readonly timestamp: number;
}

/** Where metric points go at the end of an invocation. */
export interface MetricSink {
  send(points: readonly MetricPoint[]): Promise<void>;
}

/** Datadog tag rules: lower case, letters, digits and `_-:./`, at most 200 characters. */
export function sanitizeTag(tag: string): string {
  return tag
    .toLowerCase()
    .replace(/[^a-z0-9_\-:./]/g, '_')
    .slice(0, 200);
}

/** A metric name as Datadog accepts it: letters, digits, `_` and `.`, starting with a letter. */
function checkName(name: string): string {
  if (!/^[a-zA-Z][a-zA-Z0-9_.]{0,199}$/.test(name)) throw new Error(`Invalid metric name "${name}": letters, digits, _ and . only, starting with a letter`);
  return name;
}

/** DogStatsD line of a point: `kestrel.handler.duration:12.5|d|#service:customers,env:staging`. */
export function toDogStatsd(point: MetricPoint): string {
  const tags = point.tags.length > 0 ? `|#${point.tags.join(',')}` : '';
  return `${point.name}:${point.value}|${point.type === 'distribution' ? 'd' : 'c'}${tags}`;
}

/**
 * The line datadog-lambda-js writes when metrics are flushed to logs (`DD_FLUSH_TO_LOG`), which
 * the Datadog Forwarder turns into distribution points: `{"m":name,"v":value,"e":seconds,"t":[tags]}`.
 */
export function toLogLine(point: MetricPoint): string {
  return JSON.stringify({ m: point.name, v: point.value, e: point.timestamp, t: point.tags });
}

/** DogStatsD datagrams stay under this size (the agent's default buffer is 8 KB). */
const MAX_DATAGRAM_BYTES = 8_192;

/**
 * Sends points to the Datadog Lambda extension (or any DogStatsD agent) over UDP, packing
 * several lines per datagram.
 */
export function dogStatsdSink(options: { host?: string; port?: number } = {}): MetricSink {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8125;
  return {
    async send(points) {
      if (points.length === 0) return;
      const datagrams: string[] = [];
      let current = '';
      for (const line of points.map(toDogStatsd)) {
        if (current !== '' && Buffer.byteLength(current) + 1 + Buffer.byteLength(line) > MAX_DATAGRAM_BYTES) {
          datagrams.push(current);
          current = '';
        }
        current = current === '' ? line : `${current}\n${line}`;
      }
      datagrams.push(current);
      const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      try {
        for (const datagram of datagrams) {
          await new Promise<void>((resolve, reject) => socket.send(datagram, port, host, (error) => (error ? reject(error) : resolve())));
        }
      } finally {
        socket.close();
      }
    },
  };
}

/** Prints each point as a log line (local runs, and functions without the extension). */
export function logSink(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): MetricSink {
  return {
    async send(points) {
      for (const point of points) write(toLogLine(point));
    },
  };
}

/** Where the Datadog Lambda extension lives when its layer is attached. */
export const DATADOG_EXTENSION_PATH = '/opt/extensions/datadog-agent';

/**
 * The sink for this process: `KESTREL_METRICS=dogstatsd|log|off` when set; otherwise DogStatsD
 * when the Datadog extension is installed, log lines when it isn't (local runs print metrics).
 */
export function defaultSink(env: NodeJS.ProcessEnv = process.env, extensionInstalled = existsSync(DATADOG_EXTENSION_PATH)): MetricSink {
  const choice = env.KESTREL_METRICS ?? (extensionInstalled ? 'dogstatsd' : 'log');
  if (choice === 'off') return { send: async () => undefined };
  if (choice === 'dogstatsd') return dogStatsdSink({ host: env.DD_AGENT_HOST, port: env.DD_DOGSTATSD_PORT ? Number(env.DD_DOGSTATSD_PORT) : undefined });
  if (choice === 'log') return logSink();
  throw new Error(`KESTREL_METRICS must be dogstatsd, log or off; got "${choice}"`);
}

/**
 * Datadog custom metrics for one function: points are buffered and sent by {@link flush}
 * (the handler wrappers flush at the end of every invocation). Every point carries the
 * default tags (service, function, env).
 *
 * @example
 * ```ts
 * const metrics = new DatadogMetrics({ defaultTags: { service: 'customers', env: 'staging' } });
 * metrics.distribution('kestrel.customers.search.results', hits.length, { index: 'name' });
 * metrics.increment('kestrel.customers.created');
 * await metrics.flush();
 * ```
 */
export class DatadogMetrics {
  #buffer: MetricPoint[] = [];
  readonly #defaultTags: string[];
  readonly #sink: MetricSink;
  readonly #now: () => number;

  constructor(options: { defaultTags?: Record<string, string | undefined>; sink?: MetricSink; now?: () => number } = {}) {
    this.#defaultTags = tagList(options.defaultTags ?? {});
    this.#sink = options.sink ?? defaultSink();
    this.#now = options.now ?? Date.now;
  }

  /** A value whose distribution (p50/p95/p99, across every instance) matters: durations, sizes, ages. */
  distribution(name: string, value: number, tags: Record<string, string | undefined> = {}): void {
    this.#record(name, value, 'distribution', tags);
  }

  /** Adds `value` (default 1) to a counter. */
  increment(name: string, value = 1, tags: Record<string, string | undefined> = {}): void {
    this.#record(name, value, 'count', tags);
  }

  /** Sends what was recorded since the last flush. A sink failure is swallowed: metrics never fail a request. */
  async flush(): Promise<void> {
    const points = this.#buffer;
    this.#buffer = [];
    try {
      await this.#sink.send(points);
    } catch (error) {
      process.stderr.write(`${JSON.stringify({ level: 'WARN', message: 'metrics flush failed', error: String(error) })}\n`);
    }
  }

  #record(name: string, value: number, type: MetricPoint['type'], tags: Record<string, string | undefined>): void {
    if (!Number.isFinite(value)) throw new Error(`Metric ${name}: value must be a finite number, got ${value}`);
    this.#buffer.push({
      name: checkName(name),
      value,
      type,
      tags: [...this.#defaultTags, ...tagList(tags)],
      timestamp: Math.floor(this.#now() / 1000),
    });
  }
}

function tagList(tags: Record<string, string | undefined>): string[] {
  return Object.entries(tags).flatMap(([key, value]) => (value === undefined || value === '' ? [] : [sanitizeTag(`${key}:${value}`)]));
}

/**
 * The `event_type` tag value of a contract version, shared by the wrappers (which emit
 * `kestrel.event.age` with it) and the monitor generator (which watches it).
 *
 * @example
 * ```ts
 * eventTypeTag('kestrel.identity', 'UserRegistered', 1); // 'kestrel.identity.userregistered.v1'
 * ```
 */
export function eventTypeTag(source: string, detailType: string, version: number | undefined): string {
  return sanitizeTag(`${source}.${detailType}.v${version ?? 'unknown'}`);
}

/** Metric names the handler wrappers emit; monitors and dashboards read them. */
export const HANDLER_METRICS = {
  /** Distribution, milliseconds, tagged `outcome:success|error|rejected`, `trigger`, `cold_start`. */
  duration: 'kestrel.handler.duration',
  /** Count per invocation, tagged `outcome`. */
  invocations: 'kestrel.handler.invocations',
  /** Count of invocations that threw (deliberate refusals excluded: see `rejections`). */
  errors: 'kestrel.handler.errors',
  /**
   * Count of invocations that refused on purpose by throwing (a Cognito trigger rejecting a
   * sign-up): Lambda counts them as errors, we count them as a correct answer.
   */
  rejections: 'kestrel.handler.rejections',
  /** Count of invocations that were the first in their execution environment. */
  coldStarts: 'kestrel.handler.cold_starts',
  /** Distribution, milliseconds from an event's `occurredAt` to its consumer finishing; tagged `event_type`. */
  eventAge: 'kestrel.event.age',
} as const;
