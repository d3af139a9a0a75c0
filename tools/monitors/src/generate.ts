import { eventTypeTag, HANDLER_METRICS, OWNERSHIP, ownershipOf, sanitizeTag, type Ownership } from '@kestrel/observability';
import { MANAGED_BY, type MonitorDefinition } from './definition';
import { MONITOR_KINDS, WATCHED_TYPES, type MonitorKindId } from './kinds';
import { alertMessage, priorityFor } from './message';
import { StackIndex, type LoadedStack, type StackResource } from './stack';

/** Thresholds that are policy rather than derived from a resource; override per run if needed. */
export interface Thresholds {
  /** Function error rate (errors / invocations) over 10 minutes. */
  errorRate: { critical: number; warning: number };
  /** Fraction of the configured timeout the slowest invocation may reach. */
  durationOfTimeout: { critical: number; warning: number };
  /** Cold starts / invocations over an hour. */
  coldStartRate: { critical: number; warning: number };
  /** Throttled invocations in 10 minutes. */
  throttles: { critical: number; warning: number };
  /** Milliseconds a stream record may wait before its function reads it. */
  iteratorAgeMs: { critical: number; warning: number };
  /** Milliseconds a Cognito trigger may take (Cognito gives up at 5 000). */
  cognitoLatencyMs: { critical: number; warning: number };
  /** Seconds the oldest dead-letter message may wait (retention is 14 days). */
  dlqAgeSeconds: { critical: number; warning: number };
  /** Seconds the oldest message of a work queue may wait. */
  queueAgeSeconds: { critical: number; warning: number };
  /**
   * Visibility timeouts (on top of the batching window) the oldest message of a function's SQS
   * source queue may wait. One means a message is being retried or the consumer is a retry cycle
   * behind. SQS stops counting a message in this metric after its third receive, so beyond three
   * retries alone can't explain the age: the queue is not being drained.
   */
  sourceQueueAgeInVisibilityTimeouts: { critical: number; warning: number };
  /** p95 milliseconds from an event's occurrence to its consumer finishing. */
  freshnessMs: { critical: number; warning: number };
  /** HTTP API answers that are 5xx / all answers over 10 minutes; also each HTTP handler's (errors + 5xx) / invocations. */
  httpErrorRate: { critical: number; warning: number };
  /** p99 milliseconds from API Gateway receiving a request to answering it (JWT check, handler and overhead). */
  httpLatencyP99Ms: { critical: number; warning: number };
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  errorRate: { critical: 0.05, warning: 0.01 },
  durationOfTimeout: { critical: 0.9, warning: 0.75 },
  coldStartRate: { critical: 0.3, warning: 0.15 },
  throttles: { critical: 10, warning: 0 },
  iteratorAgeMs: { critical: 300_000, warning: 60_000 },
  cognitoLatencyMs: { critical: 4_000, warning: 3_000 },
  dlqAgeSeconds: { critical: 7 * 86_400, warning: 3 * 86_400 },
  queueAgeSeconds: { critical: 3_600, warning: 900 },
  sourceQueueAgeInVisibilityTimeouts: { critical: 3, warning: 1 },
  freshnessMs: { critical: 60_000, warning: 30_000 },
  httpErrorRate: { critical: 0.05, warning: 0.01 },
  httpLatencyP99Ms: { critical: 3_000, warning: 1_500 },
};

export interface GenerateOptions {
  ownership?: Readonly<Record<string, Ownership>>;
  thresholds?: Partial<Thresholds>;
}

interface Context {
  stack: LoadedStack;
  index: StackIndex;
  ownership: Ownership;
  thresholds: Thresholds;
  monitors: MonitorDefinition[];
}

function add(
  ctx: Context,
  kind: MonitorKindId,
  resource: string,
  watches: StackResource[],
  query: { text: string; critical: number; warning?: number; condition: string; detail?: string; evaluationDelay?: number },
): void {
  const { stack, ownership } = ctx;
  const key = [stack.env, kind, resource, ...(query.detail ? [query.detail] : [])].join('/');
  ctx.monitors.push({
    key,
    kind,
    watches: watches.map((w) => w.address),
    service: stack.service,
    env: stack.env,
    name: `[kestrel][${stack.env}][${stack.service}] ${MONITOR_KINDS[kind].title}: ${resource}${query.detail ? ` (${query.detail})` : ''}`,
    type: 'query alert',
    query: `${query.text} > ${query.critical}`,
    message: alertMessage({ kind, env: stack.env, service: stack.service, resource, condition: query.condition, ownership, warns: query.warning !== undefined }),
    tags: [
      `service:${stack.service}`,
      `team:${ownership.team}`,
      `env:${stack.env}`,
      `managed-by:${MANAGED_BY}`,
      `monitor-kind:${kind}`,
      `monitor-key:${key}`,
    ],
    priority: priorityFor(kind, stack.env),
    options: {
      thresholds: { critical: query.critical, ...(query.warning !== undefined ? { warning: query.warning } : {}) },
      // CloudWatch emits several of these metrics only when non-zero: silence is health, never an alert.
      notify_no_data: false,
      require_full_window: false,
      include_tags: true,
      renotify_interval: 60,
      // CloudWatch metrics reach Datadog minutes late; evaluating too early sees partial data.
      ...(query.evaluationDelay !== undefined ? { evaluation_delay: query.evaluationDelay } : {}),
    },
  });
}

const CLOUDWATCH_DELAY = 900;

/** `kestrel-<env>-<service>-<fn>` → `<fn>`: the manifest key the handler wrapper tags metrics with. */
function functionKey(stack: LoadedStack, physicalName: string): string {
  const prefix = `kestrel-${stack.env}-${stack.service}-`;
  return physicalName.startsWith(prefix) ? physicalName.slice(prefix.length) : physicalName;
}

/** The tags withObservability puts on every point of a function (sanitised the same way). */
function handlerTags(stack: LoadedStack, physicalName: string): string {
  return [`service:${stack.service}`, `function:${functionKey(stack, physicalName)}`, `env:${stack.env}`].map(sanitizeTag).join(',');
}

function requireName(ctx: Context, resource: StackResource, attribute: string): string {
  const name = ctx.index.literal(resource.values[attribute]);
  if (!name) throw new Error(`${ctx.stack.origin}: ${resource.address} has no literal ${attribute}; the monitor generator needs physical names`);
  return name;
}

function functions(ctx: Context): void {
  const cognitoFunctions = new Set(
    ctx.index
      .ofType('aws_lambda_permission')
      .filter((permission) => permission.values.principal === 'cognito-idp.amazonaws.com')
      .flatMap((permission) => ctx.index.referenced(permission.values.function_name)?.address ?? []),
  );
  const { thresholds: t } = ctx;
  for (const fn of ctx.index.ofType('aws_lambda_function')) {
    const name = requireName(ctx, fn, 'function_name');
    const scope = `{functionname:${name}}`;
    const timeoutMs = Number(fn.values.timeout ?? 3) * 1000;
    if (cognitoFunctions.has(fn.address)) {
      // A Cognito trigger refuses a sign-up by throwing, which Lambda counts as an error: read the
      // wrapper's metrics instead, where a refusal is outcome:rejected and not in the error count.
      const tags = handlerTags(ctx.stack, name);
      add(ctx, 'lambda-error-rate', name, [fn], {
        text: `sum(last_10m):sum:${HANDLER_METRICS.errors}{${tags}}.as_count() / sum:${HANDLER_METRICS.invocations}{${tags}}.as_count()`,
        critical: t.errorRate.critical,
        warning: t.errorRate.warning,
        condition: `more than ${t.errorRate.critical * 100} % of invocations failed over 10 minutes (deliberate refusals excluded)`,
      });
    } else {
      add(ctx, 'lambda-error-rate', name, [fn], {
        text: `sum(last_10m):sum:aws.lambda.errors${scope}.as_count() / sum:aws.lambda.invocations${scope}.as_count()`,
        critical: t.errorRate.critical,
        warning: t.errorRate.warning,
        condition: `more than ${t.errorRate.critical * 100} % of invocations failed over 10 minutes`,
        evaluationDelay: CLOUDWATCH_DELAY,
      });
    }
    add(ctx, 'lambda-throttles', name, [fn], {
      text: `sum(last_10m):sum:aws.lambda.throttles${scope}.as_count()`,
      critical: t.throttles.critical,
      warning: t.throttles.warning,
      condition: `more than ${t.throttles.critical} throttled invocations in 10 minutes`,
      evaluationDelay: CLOUDWATCH_DELAY,
    });
    add(ctx, 'lambda-duration', name, [fn], {
      text: `max(last_15m):max:aws.lambda.duration.maximum${scope}`,
      critical: Math.round(timeoutMs * t.durationOfTimeout.critical),
      warning: Math.round(timeoutMs * t.durationOfTimeout.warning),
      condition: `slowest invocation above ${t.durationOfTimeout.critical * 100} % of the ${timeoutMs / 1000} s timeout`,
      evaluationDelay: CLOUDWATCH_DELAY,
    });
    // Enhanced metrics come from the Datadog extension, in real time.
    add(ctx, 'lambda-cold-starts', name, [fn], {
      text: `sum(last_1h):sum:aws.lambda.enhanced.invocations{functionname:${name},cold_start:true}.as_count() / sum:aws.lambda.enhanced.invocations${scope}.as_count()`,
      critical: t.coldStartRate.critical,
      warning: t.coldStartRate.warning,
      condition: `more than ${t.coldStartRate.critical * 100} % of invocations were cold starts over an hour`,
    });
    add(ctx, 'lambda-out-of-memory', name, [fn], {
      text: `sum(last_15m):sum:aws.lambda.enhanced.out_of_memory${scope}.as_count()`,
      critical: 0,
      condition: `an invocation exceeded its ${String(fn.values.memory_size ?? 128)} MB`,
    });
    if (cognitoFunctions.has(fn.address)) {
      add(ctx, 'cognito-trigger-latency', name, [fn], {
        text: `max(last_5m):max:aws.lambda.enhanced.duration${scope}`,
        // Enhanced duration is in seconds.
        critical: t.cognitoLatencyMs.critical / 1000,
        warning: t.cognitoLatencyMs.warning / 1000,
        condition: `slowest invocation above ${t.cognitoLatencyMs.critical / 1000} s of Cognito's 5 s budget`,
      });
    }
  }
}

type MappingSource = { kind: 'stream' } | { kind: 'queue'; queue: StackResource };

/** What an event source mapping reads: a stream (DynamoDB, Kinesis) or an SQS queue of this stack. */
function sourceOf(ctx: Context, mapping: StackResource): MappingSource {
  const arn = mapping.values.event_source_arn;
  const source = ctx.index.referenced(arn);
  if (source?.type === 'aws_sqs_queue') return { kind: 'queue', queue: source };
  if (source?.type === 'aws_dynamodb_table' || source?.type === 'aws_kinesis_stream') return { kind: 'stream' };
  if (!source && typeof arn === 'string' && /^arn:aws[a-z-]*:(dynamodb|kinesis):/.test(arn)) return { kind: 'stream' };
  // A queue named by a literal ARN has no visibility timeout to derive thresholds from.
  throw new Error(
    `${ctx.stack.origin}: ${mapping.address} reads ${JSON.stringify(arn)}, which is neither a DynamoDB or Kinesis stream nor an SQS queue of this stack; the generator knows no monitor for that source`,
  );
}

/** A number attribute, or the AWS default when unset; a token (known only at apply) can't set a threshold. */
function seconds(ctx: Context, resource: StackResource, attribute: string, awsDefault: number): number {
  const value = resource.values[attribute] ?? awsDefault;
  if (typeof value !== 'number') throw new Error(`${ctx.stack.origin}: ${resource.address} has no literal ${attribute}; the monitor generator derives thresholds from it`);
  return value;
}

/**
 * Event source mappings. Stream consumers: iterator age (Lambda reports it for stream sources
 * only). SQS consumers: the age of the source queue's oldest message, once per queue however
 * many mappings read it. Yields the queues watched here, which {@link queues} leaves alone.
 */
function eventSources(ctx: Context): Set<string> {
  const { thresholds: t } = ctx;
  const byQueue = new Map<string, { queue: StackResource; mappings: StackResource[]; consumers: string[] }>();
  for (const mapping of ctx.index.ofType('aws_lambda_event_source_mapping')) {
    const fn = ctx.index.referenced(mapping.values.function_name);
    const name = fn ? requireName(ctx, fn, 'function_name') : ctx.index.literal(mapping.values.function_name);
    if (!name) throw new Error(`${ctx.stack.origin}: ${mapping.address} names no function the generator can resolve`);
    const source = sourceOf(ctx, mapping);
    if (source.kind === 'stream') {
      add(ctx, 'stream-iterator-age', name, [mapping], {
        text: `max(last_10m):max:aws.lambda.iterator_age.maximum{functionname:${name}}`,
        critical: t.iteratorAgeMs.critical,
        warning: t.iteratorAgeMs.warning,
        condition: `records waited more than ${t.iteratorAgeMs.critical / 1000} s in the stream`,
        evaluationDelay: CLOUDWATCH_DELAY,
      });
      continue;
    }
    const entry = byQueue.get(source.queue.address) ?? { queue: source.queue, mappings: [], consumers: [] };
    entry.mappings.push(mapping);
    entry.consumers.push(name);
    byQueue.set(source.queue.address, entry);
  }
  const { critical: criticalTimeouts, warning: warningTimeouts } = t.sourceQueueAgeInVisibilityTimeouts;
  for (const { queue, mappings, consumers } of byQueue.values()) {
    const name = requireName(ctx, queue, 'name');
    const visibility = seconds(ctx, queue, 'visibility_timeout_seconds', 30);
    // A healthy batch waits up to the batching window before the poller invokes the function.
    const window = Math.max(...mappings.map((mapping) => seconds(ctx, mapping, 'maximum_batching_window_in_seconds', 0)));
    const critical = window + criticalTimeouts * visibility;
    add(ctx, 'queue-backlog-age', name, [queue, ...mappings], {
      text: `max(last_15m):max:aws.sqs.approximate_age_of_oldest_message{queuename:${name}}`,
      critical,
      warning: window + warningTimeouts * visibility,
      condition: `the oldest message waited over ${critical} s (the ${window} s batching window plus ${criticalTimeouts} visibility timeouts of ${visibility} s) for ${consumers.join(', ')}`,
      evaluationDelay: CLOUDWATCH_DELAY,
    });
  }
  return new Set(byQueue.keys());
}

/** Addresses of queues something uses as a dead-letter or on-failure destination. */
function deadLetterQueues(ctx: Context): Set<string> {
  const found = new Set<string>();
  const visit = (value: unknown, key?: string): void => {
    if (Array.isArray(value)) value.forEach((item) => visit(item, key));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) visit(v, k);
    else if (key && ['arn', 'destination', 'destination_arn', 'deadLetterTargetArn'].includes(key)) {
      const target = ctx.index.referenced(value);
      if (target?.type === 'aws_sqs_queue') found.add(target.address);
    }
  };
  for (const resource of ctx.stack.resources) {
    for (const field of ['dead_letter_config', 'destination_config', 'source_parameters']) visit(resource.values[field], field);
    if (typeof resource.values.redrive_policy === 'string') {
      const match = /"deadLetterTargetArn"\s*:\s*"(\$\{[^"]+\})"/.exec(resource.values.redrive_policy);
      if (match) visit(match[1], 'deadLetterTargetArn');
    }
  }
  return found;
}

/** Queues not read by an event source mapping (those are watched by {@link eventSources}). */
function queues(ctx: Context, sourceQueues: ReadonlySet<string>): void {
  const dlqs = deadLetterQueues(ctx);
  const { thresholds: t } = ctx;
  for (const queue of ctx.index.ofType('aws_sqs_queue')) {
    if (sourceQueues.has(queue.address)) continue;
    const name = requireName(ctx, queue, 'name');
    const scope = `{queuename:${name}}`;
    if (dlqs.has(queue.address) || /-(failures|dead-letters|dlq)$/.test(name)) {
      add(ctx, 'dlq-depth', name, [queue], {
        text: `max(last_5m):max:aws.sqs.approximate_number_of_messages_visible${scope}`,
        critical: 0,
        condition: 'at least one message is waiting',
        evaluationDelay: CLOUDWATCH_DELAY,
      });
      add(ctx, 'dlq-age', name, [queue], {
        text: `max(last_15m):max:aws.sqs.approximate_age_of_oldest_message${scope}`,
        critical: t.dlqAgeSeconds.critical,
        warning: t.dlqAgeSeconds.warning,
        condition: `the oldest message is over ${t.dlqAgeSeconds.critical / 86_400} days old`,
        evaluationDelay: CLOUDWATCH_DELAY,
      });
    } else {
      add(ctx, 'queue-age', name, [queue], {
        text: `max(last_15m):max:aws.sqs.approximate_age_of_oldest_message${scope}`,
        critical: t.queueAgeSeconds.critical,
        warning: t.queueAgeSeconds.warning,
        condition: `the oldest message waited over ${t.queueAgeSeconds.critical / 60} minutes`,
        evaluationDelay: CLOUDWATCH_DELAY,
      });
    }
  }
}

interface EventTypeFilter {
  /** Exact `event_type` tag values, or undefined when the pattern is wider than named contract versions. */
  exact?: string[];
}

/** The contract versions a rule's pattern admits, when it names them exactly (source, detail-type, version). */
export function eventTypesOfPattern(pattern: unknown): EventTypeFilter {
  const alternatives = typeof pattern === 'object' && pattern !== null && Array.isArray((pattern as { $or?: unknown }).$or) ? ((pattern as { $or: unknown[] }).$or) : [pattern];
  const exact: string[] = [];
  for (const alternative of alternatives) {
    const p = alternative as { source?: unknown; 'detail-type'?: unknown; detail?: { metadata?: { version?: unknown } } };
    const strings = (value: unknown): string[] | undefined =>
      Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
    const numbers = (value: unknown): number[] | undefined =>
      Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number') ? (value as number[]) : undefined;
    const sources = strings(p.source);
    const detailTypes = strings(p['detail-type']);
    const versions = numbers(p.detail?.metadata?.version);
    if (!sources || !detailTypes || !versions) return {};
    for (const source of sources) for (const detailType of detailTypes) for (const version of versions) exact.push(eventTypeTag(source, detailType, version));
  }
  return { exact: [...new Set(exact)] };
}

function eventTargets(ctx: Context): void {
  const { thresholds: t } = ctx;
  for (const target of ctx.index.ofType('aws_cloudwatch_event_target')) {
    const rule = ctx.index.referenced(target.values.rule);
    const ruleName = rule ? requireName(ctx, rule, 'name') : ctx.index.literal(target.values.rule);
    if (!ruleName) throw new Error(`${ctx.stack.origin}: ${target.address} names no rule the generator can resolve`);
    const scope = `{rulename:${ruleName}}`;
    add(ctx, 'event-target-failed', ruleName, [target], {
      text: `sum(last_10m):sum:aws.events.failed_invocations${scope}.as_count()`,
      critical: 0,
      condition: 'at least one event could not be delivered to the target',
    });
    add(ctx, 'event-target-dead-letters', ruleName, [target], {
      text: `sum(last_10m):sum:aws.events.dead_letter_invocations${scope}.as_count()`,
      critical: 0,
      condition: 'at least one event went to the dead-letter queue',
    });

    // Freshness: only subscriptions (a pattern, not a schedule) whose target is a function of this stack.
    const fn = ctx.index.referenced(target.values.arn);
    if (!rule || typeof rule.values.event_pattern !== 'string' || fn?.type !== 'aws_lambda_function') continue;
    const fnKey = functionKey(ctx.stack, requireName(ctx, fn, 'function_name'));
    const base = `service:${ctx.stack.service},function:${fnKey},env:${ctx.stack.env}`;
    const types = eventTypesOfPattern(JSON.parse(rule.values.event_pattern) as unknown);
    const freshness = (scope: string, detail: string, grouped: boolean) =>
      add(ctx, 'contract-freshness', ruleName, [target], {
        text: `percentile(last_15m):p95:${HANDLER_METRICS.eventAge}{${scope}}${grouped ? ' by {event_type}' : ''}`,
        critical: t.freshnessMs.critical,
        warning: t.freshnessMs.warning,
        condition: `p95 time from occurrence to the consumer finishing above ${t.freshnessMs.critical / 1000} s`,
        detail,
      });
    if (types.exact) for (const type of types.exact) freshness(`${base},event_type:${type}`, type, false);
    else freshness(base, 'all-event-types', true);
  }
}

function streamsAndTables(ctx: Context): void {
  for (const stream of ctx.index.ofType('aws_kinesis_firehose_delivery_stream')) {
    const name = requireName(ctx, stream, 'name');
    const s3 = (stream.values.extended_s3_configuration ?? {}) as { buffering_interval?: number };
    // Data is held up to the buffering interval by design; alert well beyond it.
    const critical = Math.max(900, 3 * (s3.buffering_interval ?? 300));
    add(ctx, 'firehose-freshness', name, [stream], {
      text: `max(last_15m):max:aws.firehose.delivery_to_s3_data_freshness{deliverystreamname:${name}}`,
      critical,
      warning: Math.round(critical * 0.66),
      condition: `the oldest record not yet in S3 is over ${critical} s old`,
      evaluationDelay: CLOUDWATCH_DELAY,
    });
  }
  for (const table of ctx.index.ofType('aws_dynamodb_table')) {
    const name = requireName(ctx, table, 'name');
    add(ctx, 'dynamodb-throttles', name, [table], {
      text: `sum(last_10m):sum:aws.dynamodb.read_throttle_events{tablename:${name}}.as_count() + sum:aws.dynamodb.write_throttle_events{tablename:${name}}.as_count()`,
      critical: 0,
      condition: 'at least one read or write was throttled in 10 minutes',
      evaluationDelay: CLOUDWATCH_DELAY,
    });
  }
}

/**
 * HTTP APIs (5xx rate and p99 latency from API Gateway's own metrics) and the functions behind
 * them (error rate from `withObservability`'s metrics, where a 5xx answer counts as an error:
 * `httpRoute` turns failures into responses, so Lambda's `Errors` metric never sees them).
 */
function httpApis(ctx: Context): void {
  const { stack, thresholds: t } = ctx;
  const apis = ctx.index.ofType('aws_apigatewayv2_api');
  if (apis.length > 1) {
    throw new Error(
      `${stack.origin}: ${apis.length} HTTP APIs (${apis.map((api) => api.address).join(', ')}); their monitors select API Gateway metrics by the stack's service and env tags, which cannot tell two APIs apart: give each its own tag and scope the monitors by it`,
    );
  }
  // The API id (the metrics' `apiid` tag) exists only after apply. Datadog copies the stage's AWS
  // tags onto API Gateway metrics, and the provider's default_tags put service and env on it.
  const scope = `{service:${stack.service},env:${stack.env}}`;
  for (const api of apis) {
    const name = requireName(ctx, api, 'name');
    const stages = ctx.index.ofType('aws_apigatewayv2_stage').filter((stage) => ctx.index.referenced(stage.values.api_id)?.address === api.address);
    add(ctx, 'http-api-5xx-rate', name, [api, ...stages], {
      text: `sum(last_10m):sum:aws.apigateway.5xx${scope}.as_count() / sum:aws.apigateway.count${scope}.as_count()`,
      critical: t.httpErrorRate.critical,
      warning: t.httpErrorRate.warning,
      condition: `more than ${t.httpErrorRate.critical * 100} % of requests were answered 5xx over 10 minutes`,
      evaluationDelay: CLOUDWATCH_DELAY,
    });
    add(ctx, 'http-api-latency', name, [api, ...stages], {
      text: `avg(last_15m):max:aws.apigateway.latency.p99${scope}`,
      critical: t.httpLatencyP99Ms.critical,
      warning: t.httpLatencyP99Ms.warning,
      condition: `p99 latency above ${t.httpLatencyP99Ms.critical / 1000} s over 15 minutes`,
      evaluationDelay: CLOUDWATCH_DELAY,
    });
  }

  // One monitor per function, however many integrations point at it.
  const integrationsByFunction = new Map<string, { fn: StackResource; integrations: StackResource[] }>();
  for (const integration of ctx.index.ofType('aws_apigatewayv2_integration')) {
    const fn = ctx.index.referenced(integration.values.integration_uri);
    if (fn?.type !== 'aws_lambda_function') {
      throw new Error(`${stack.origin}: ${integration.address} does not integrate a function of this stack; the generator only knows handler metrics for functions wrapped with withObservability`);
    }
    const entry = integrationsByFunction.get(fn.address) ?? { fn, integrations: [] };
    entry.integrations.push(integration);
    integrationsByFunction.set(fn.address, entry);
  }
  for (const { fn, integrations } of integrationsByFunction.values()) {
    const name = requireName(ctx, fn, 'function_name');
    const tags = handlerTags(stack, name);
    add(ctx, 'http-handler-error-rate', name, [...integrations, fn], {
      text: `sum(last_10m):sum:${HANDLER_METRICS.errors}{${tags}}.as_count() / sum:${HANDLER_METRICS.invocations}{${tags}}.as_count()`,
      critical: t.httpErrorRate.critical,
      warning: t.httpErrorRate.warning,
      condition: `more than ${t.httpErrorRate.critical * 100} % of requests threw or were answered 5xx over 10 minutes`,
    });
  }
}

/**
 * Walks a synthesized stack and yields the Datadog monitors for every watched resource: functions
 * (error rate, throttles, duration vs timeout, cold starts, out of memory; Cognito triggers' latency),
 * event source mappings (iterator age for streams, the source queue's oldest message for SQS),
 * queues (dead-letter depth and age, work-queue age), EventBridge targets (failed and
 * dead-lettered invocations, per-contract freshness of subscriptions), Firehose streams (data
 * freshness), tables (throttles), HTTP APIs (5xx rate, p99 latency) and the functions behind
 * them (handler error rate counting 5xx answers). Routing comes from the ownership registry.
 *
 * @throws MissingOwnershipError naming the service when it has no ownership entry.
 *
 * @example
 * ```ts
 * const monitors = monitorsForStack(loadStack('apps/customers/cdktf.out/stacks/customers-staging/cdk.tf.json'));
 * ```
 */
export function monitorsForStack(stack: LoadedStack, options: GenerateOptions = {}): MonitorDefinition[] {
  const ownership = ownershipOf(stack.service, options.ownership ?? OWNERSHIP);
  if (stack.owner !== undefined && stack.owner !== ownership.team) {
    throw new Error(
      `${stack.origin}: service "${stack.service}" is owned by "${stack.owner}" in its manifest but by "${ownership.team}" in the ownership registry (libs/observability/src/ownership.ts); make them agree`,
    );
  }
  const ctx: Context = {
    stack,
    index: new StackIndex(stack),
    ownership,
    thresholds: { ...DEFAULT_THRESHOLDS, ...options.thresholds },
    monitors: [],
  };
  functions(ctx);
  queues(ctx, eventSources(ctx));
  eventTargets(ctx);
  streamsAndTables(ctx);
  httpApis(ctx);
  const keys = new Set<string>();
  for (const monitor of ctx.monitors) {
    if (keys.has(monitor.key)) throw new Error(`${stack.origin}: two monitors share the key ${monitor.key}`);
    keys.add(monitor.key);
  }
  return ctx.monitors;
}

/** A resource of a watched type that no monitor watches, with the kinds that should. */
export interface Unmonitored {
  readonly address: string;
  readonly type: string;
  readonly expectedKinds: readonly MonitorKindId[];
}

/** Every resource of a watched type ({@link WATCHED_TYPES}) no monitor watches: must be empty. */
export function unmonitoredResources(stack: LoadedStack, monitors: readonly MonitorDefinition[]): Unmonitored[] {
  const watched = new Set(monitors.flatMap((monitor) => monitor.watches));
  return stack.resources
    .filter((resource) => resource.type in WATCHED_TYPES && !watched.has(resource.address))
    .map((resource) => ({ address: resource.address, type: resource.type, expectedKinds: WATCHED_TYPES[resource.type] ?? [] }));
}
