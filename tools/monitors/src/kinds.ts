/**
 * The monitor kinds: what each watches, how bad it is, and the runbook section that answers it
 * (docs/on-call.md has one section per kind, anchored by the kind's id).
 */

/** Datadog monitor priority: 1 (critical) to 5 (informational). */
export type Priority = 1 | 2 | 3 | 4 | 5;

export interface MonitorKind {
  /** Stable id: runbook anchor, `monitor-kind` tag, part of each monitor's key. */
  readonly id: string;
  /** What fired, as the first words of the monitor name. */
  readonly title: string;
  /** One sentence for the alert: what it means for users. */
  readonly impact: string;
  /** Priority in production; other environments are one level lower and never page. */
  readonly priority: Priority;
  /**
   * Whether an alert of this kind pages in production. Only user impact pages: SLO burn and the
   * data-loss signals (dead letters, a backlog about to outlive retention, the lake not being
   * written). Everything else is a cause, not an impact, and notifies Slack only.
   */
  readonly pages: boolean;
}

const kinds = [
  { id: 'lambda-error-rate', title: 'Function error rate high', impact: 'Requests or events handled by this function are failing.', priority: 2, pages: false },
  { id: 'lambda-throttles', title: 'Function throttled', impact: 'Lambda refused invocations: concurrency is exhausted and callers see errors or delays.', priority: 3, pages: false },
  { id: 'lambda-duration', title: 'Function close to its timeout', impact: 'Invocations run near the configured timeout; the next slow dependency turns them into timeouts.', priority: 3, pages: false },
  { id: 'lambda-cold-starts', title: 'Function cold-start rate high', impact: 'Many invocations pay the cold-start latency; users see slow first responses.', priority: 4, pages: false },
  { id: 'lambda-out-of-memory', title: 'Function ran out of memory', impact: 'Invocations were killed for exceeding their memory size.', priority: 2, pages: false },
  { id: 'stream-iterator-age', title: 'Stream consumer falling behind', impact: 'Changes wait in the stream before this function reads them; downstream views go stale.', priority: 2, pages: false },
  { id: 'cognito-trigger-latency', title: 'Cognito trigger close to the 5 s budget', impact: 'Cognito fails sign-up or sign-in when a trigger takes 5 s; users cannot get in.', priority: 2, pages: false },
  { id: 'dlq-depth', title: 'Messages in dead-letter queue', impact: 'Events or invocations exhausted their retries and are parked here, unprocessed.', priority: 2, pages: true },
  { id: 'dlq-age', title: 'Dead-letter message getting old', impact: 'A parked message is close to SQS retention (14 days) and will be lost if not redriven.', priority: 2, pages: true },
  { id: 'queue-age', title: 'Queue backlog getting old', impact: 'Messages wait longer than expected before being processed.', priority: 3, pages: false },
  {
    id: 'queue-backlog-age',
    title: 'Queue consumer falling behind',
    impact: 'Events wait in the queue this function reads in batches, beyond its batching window and retries; downstream data goes stale, and is lost when the queue’s retention runs out.',
    priority: 2,
    pages: true,
  },
  { id: 'event-target-failed', title: 'EventBridge failed to invoke a target', impact: 'Events matching this rule were not delivered after retries.', priority: 2, pages: false },
  { id: 'event-target-dead-letters', title: 'EventBridge dead-lettered events', impact: 'Events matching this rule went to the rule’s dead-letter queue instead of the consumer.', priority: 2, pages: false },
  { id: 'firehose-freshness', title: 'Firehose delivery to S3 is stale', impact: 'Records are not reaching the raw zone; analytics data is late.', priority: 2, pages: true },
  { id: 'dynamodb-throttles', title: 'DynamoDB table throttled', impact: 'Reads or writes on this table were throttled; callers retried or failed.', priority: 3, pages: false },
  { id: 'http-api-5xx-rate', title: 'HTTP API 5xx rate high', impact: 'Callers of this HTTP API get server errors (5xx answers from the handlers, integration failures or timeouts).', priority: 2, pages: false },
  { id: 'http-api-latency', title: 'HTTP API p99 latency high', impact: 'The slowest requests to this HTTP API take seconds; clients time out or users wait.', priority: 3, pages: false },
  { id: 'http-handler-error-rate', title: 'HTTP handler error rate high', impact: 'Requests to this route handler fail: it threw or answered 5xx (failures Lambda’s own error count never sees).', priority: 2, pages: false },
  {
    id: 'slo-fast-burn',
    title: 'SLO error budget burning fast',
    impact: 'Users are failing now: at this rate the 30-day error budget is gone in about two days (2 % of it burnt in the last hour).',
    priority: 1,
    pages: true,
  },
  {
    id: 'slo-slow-burn',
    title: 'SLO error budget burning steadily',
    impact: 'A steady loss of reliability: at this rate the 30-day error budget is gone in five days (5 % of it burnt in six hours).',
    priority: 3,
    pages: false,
  },
  { id: 'contract-freshness', title: 'Consumer finishing events late', impact: 'Events reach this consumer, or finish processing, later than the subscription allows.', priority: 3, pages: false },
] as const satisfies readonly MonitorKind[];

export type MonitorKindId = (typeof kinds)[number]['id'];

export const MONITOR_KINDS: Readonly<Record<MonitorKindId, MonitorKind>> = Object.fromEntries(kinds.map((kind) => [kind.id, kind])) as Record<
  MonitorKindId,
  MonitorKind
>;

/** Terraform resource types that must be watched, and the kinds that can watch them. */
export const WATCHED_TYPES: Readonly<Record<string, readonly MonitorKindId[]>> = {
  aws_lambda_function: ['lambda-error-rate', 'lambda-throttles', 'lambda-duration', 'lambda-cold-starts', 'lambda-out-of-memory'],
  aws_sqs_queue: ['dlq-depth', 'dlq-age', 'queue-age', 'queue-backlog-age'],
  aws_cloudwatch_event_target: ['event-target-failed', 'event-target-dead-letters'],
  aws_kinesis_firehose_delivery_stream: ['firehose-freshness'],
  aws_dynamodb_table: ['dynamodb-throttles'],
  // Stream sources (DynamoDB, Kinesis) by iterator age; SQS sources by their queue's oldest message.
  aws_lambda_event_source_mapping: ['stream-iterator-age', 'queue-backlog-age'],
  // The API's metrics come from its stage (dimensions ApiId, Stage): both are watched by the same monitors.
  aws_apigatewayv2_api: ['http-api-5xx-rate', 'http-api-latency'],
  aws_apigatewayv2_stage: ['http-api-5xx-rate', 'http-api-latency'],
  // One integration per HTTP-triggered function: its handler error rate counts 5xx answers too.
  aws_apigatewayv2_integration: ['http-handler-error-rate'],
};
