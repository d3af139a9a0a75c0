import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { MissingOwnershipError, OWNERSHIP } from '@kestrel/observability';
import { synthesizedStacks } from '../../src/discover';
import { eventTypesOfPattern, monitorsForStack, unmonitoredResources } from '../../src/generate';
import { loadStack, type LoadedStack } from '../../src/stack';
import type { MonitorDefinition } from '../../src/definition';
import { MONITOR_KINDS } from '../../src/kinds';
import { synthFixture } from '../support/fixture-stack';

const WORKSPACE = fileURLToPath(new URL('../../../..', import.meta.url));

let stack: LoadedStack;
let monitors: MonitorDefinition[];
beforeAll(() => {
  stack = synthFixture('production');
  monitors = monitorsForStack(stack);
});

const byKey = (key: string) => monitors.find((m) => m.key === key);

describe('monitors generated from a synthesized service stack', () => {
  it('leaves no resource of a watched type unmonitored', () => {
    expect(unmonitoredResources(stack, monitors)).toEqual([]);
    // Every kind but the two this fixture has no resource for (a work queue, a Firehose stream) and
    // the burn-rate kinds, which come from SLOs, not from stack resources.
    const notFromResources = ['queue-age', 'firehose-freshness', 'slo-fast-burn', 'slo-slow-burn'];
    const kinds = Object.keys(MONITOR_KINDS).filter((kind) => !notFromResources.includes(kind));
    expect([...new Set(monitors.map((m) => m.kind))].sort()).toEqual(kinds.sort());
  });

  it('watches every function for errors, throttles, duration vs its own timeout, cold starts and out-of-memory', () => {
    const fn = 'kestrel-production-customers-http-get-thing';
    // An HTTP-triggered function also gets the handler error rate that counts 5xx answers.
    expect(monitors.filter((m) => m.key.endsWith(`/${fn}`)).map((m) => m.kind).sort()).toEqual([
      'http-handler-error-rate', 'lambda-cold-starts', 'lambda-duration', 'lambda-error-rate', 'lambda-out-of-memory', 'lambda-throttles',
    ]);
    expect(byKey(`production/lambda-duration/${fn}`)).toMatchObject({
      query: `max(last_15m):max:aws.lambda.duration.maximum{functionname:${fn}} > 5400`,
      options: { thresholds: { critical: 5400, warning: 4500 }, notify_no_data: false },
    });
  });

  it("reads a Cognito trigger's error rate from the wrapper's metrics, where a deliberate refusal is not an error", () => {
    const fn = 'kestrel-production-customers-cognito-pre-sign-up';
    expect(byKey(`production/lambda-error-rate/${fn}`)?.query).toBe(
      'sum(last_10m):sum:kestrel.handler.errors{service:customers,function:cognito-pre-sign-up,env:production}.as_count() / sum:kestrel.handler.invocations{service:customers,function:cognito-pre-sign-up,env:production}.as_count() > 0.05',
    );
    // Other functions keep Lambda's own count, which also sees crashes the wrapper never reports.
    expect(byKey('production/lambda-error-rate/kestrel-production-customers-stream-audit')?.query).toMatch(/^sum\(last_10m\):sum:aws\.lambda\.errors\{/);
  });

  it('adds the 5 s budget monitor to Cognito triggers only, and iterator age to stream consumers only', () => {
    expect(monitors.filter((m) => m.kind === 'cognito-trigger-latency').map((m) => m.key)).toEqual([
      'production/cognito-trigger-latency/kestrel-production-customers-cognito-pre-sign-up',
    ]);
    // The SQS-sourced mapping (on-user-registered-batch) has no iterator age: Lambda reports it for streams only.
    expect(monitors.filter((m) => m.kind === 'stream-iterator-age').map((m) => m.query)).toEqual([
      'max(last_10m):max:aws.lambda.iterator_age.maximum{functionname:kestrel-production-customers-stream-audit} > 300000',
    ]);
  });

  it("watches an SQS-sourced mapping through its queue's oldest message, beyond the batching window and visibility timeouts", () => {
    // prepare
    const queue = stack.resources.find((r) => r.type === 'aws_sqs_queue' && r.values.name === 'kestrel-production-customers-user-registered-batches-queue');
    const mapping = stack.resources.find((r) => r.type === 'aws_lambda_event_source_mapping' && r.values.event_source_arn === `\${${queue?.address}.arn}`);

    // act
    const watching = monitors.filter((m) => queue && m.watches.includes(queue.address));

    // assess: one monitor for the queue and its mapping; 10 s window + 3 (warning 1) × the 190 s default visibility timeout.
    expect(watching).toHaveLength(1);
    expect(watching[0]).toMatchObject({
      key: 'production/queue-backlog-age/kestrel-production-customers-user-registered-batches-queue',
      watches: [queue?.address, mapping?.address],
      query: 'max(last_15m):max:aws.sqs.approximate_age_of_oldest_message{queuename:kestrel-production-customers-user-registered-batches-queue} > 580',
      options: { thresholds: { critical: 580, warning: 200 }, notify_no_data: false },
    });
  });

  it('refuses a mapping whose source is neither a stream nor a queue of the stack, naming it', () => {
    // prepare
    const resources = stack.resources.map((r) =>
      r.type === 'aws_lambda_event_source_mapping' && String(r.values.event_source_arn).includes('aws_sqs_queue.')
        ? { ...r, values: { ...r.values, event_source_arn: 'arn:aws:kafka:eu-west-1:111111111111:cluster/events/abc' } }
        : r,
    );

    // act
    const generate = () => monitorsForStack({ ...stack, resources });

    // assess
    expect(generate).toThrow(/aws_lambda_event_source_mapping\.subscriptions_user-registered-batches_mapping_\w+ reads "arn:aws:kafka:.*", which is neither a DynamoDB or Kinesis stream nor an SQS queue of this stack/);
  });

  it('watches every dead-letter queue (rule DLQ, async failures, stream failures, outbox pipe, queue redrive) for depth and age', () => {
    const sources = new Set(stack.resources.filter((r) => r.type === 'aws_lambda_event_source_mapping').map((r) => String(r.values.event_source_arn)));
    const queues = stack.resources
      .filter((r) => r.type === 'aws_sqs_queue' && !sources.has(`\${${r.address}.arn}`))
      .map((r) => String(r.values.name))
      .sort();
    expect(queues.length).toBeGreaterThanOrEqual(6);
    for (const queue of queues) {
      expect(byKey(`production/dlq-depth/${queue}`)?.query).toBe(`max(last_5m):max:aws.sqs.approximate_number_of_messages_visible{queuename:${queue}} > 0`);
      expect(byKey(`production/dlq-age/${queue}`)).toBeDefined();
    }
  });

  it('alerts on EventBridge targets only for non-zero failures, never on no data', () => {
    const targets = monitors.filter((m) => m.kind === 'event-target-failed' || m.kind === 'event-target-dead-letters');
    expect(targets.map((m) => m.key).sort()).toEqual([
      'production/event-target-dead-letters/kestrel-production-customers-schedule-sweep-schedule',
      'production/event-target-dead-letters/kestrel-production-customers-user-registered',
      'production/event-target-dead-letters/kestrel-production-customers-user-registered-batches',
      'production/event-target-failed/kestrel-production-customers-schedule-sweep-schedule',
      'production/event-target-failed/kestrel-production-customers-user-registered',
      'production/event-target-failed/kestrel-production-customers-user-registered-batches',
    ]);
    for (const m of targets) expect(m.options.notify_no_data).toBe(false);
  });

  it('adds one freshness monitor per contract version of each subscription, on the metric the wrapper emits', () => {
    expect(monitors.filter((m) => m.kind === 'contract-freshness').map((m) => m.query)).toEqual([
      'percentile(last_15m):p95:kestrel.event.age{service:customers,function:on-user-registered,env:production,event_type:kestrel.identity.userregistered.v1} > 60000',
      'percentile(last_15m):p95:kestrel.event.age{service:customers,function:on-user-registered,env:production,event_type:kestrel.identity.userregistered.v2} > 60000',
    ]);
  });

  const analytics = synthesizedStacks(WORKSPACE, 'analytics-ingest');
  it.runIf(analytics.length > 0)('watches Firehose delivery freshness beyond the buffering interval (synthesized analytics-ingest stack)', () => {
    const found = monitorsForStack(loadStack(analytics[0] as string)).filter((m) => m.kind === 'firehose-freshness');
    expect(found).toHaveLength(1);
    expect(found[0]?.query).toMatch(/^max\(last_15m\):max:aws\.firehose\.delivery_to_s3_data_freshness\{deliverystreamname:kestrel-\w+-analytics-ingest-[\w-]+\} > 900$/);
  });

  it.runIf(analytics.length > 0)("watches the ingest queue's backlog, not a stream iterator age (synthesized analytics-ingest stack)", () => {
    const found = monitorsForStack(loadStack(analytics[0] as string));
    expect(found.filter((m) => m.kind === 'stream-iterator-age')).toEqual([]);
    expect(found.filter((m) => m.key.endsWith('-all-business-events-queue')).map((m) => m.kind)).toEqual(['queue-backlog-age']);
  });

  it('watches tables for throttles', () => {
    expect(byKey('production/dynamodb-throttles/kestrel-production-customers-things')?.query).toContain('aws.dynamodb.write_throttle_events{tablename:kestrel-production-customers-things}');
  });

  it('names the resource a missing monitor leaves unwatched', () => {
    const withoutTable = monitors.filter((m) => m.kind !== 'dynamodb-throttles');
    expect(unmonitoredResources(stack, withoutTable)).toEqual([
      { address: expect.stringMatching(/^aws_dynamodb_table\./), type: 'aws_dynamodb_table', expectedKinds: ['dynamodb-throttles'] },
    ]);
  });

  it('refuses a service without an ownership entry, naming it', () => {
    const { customers: _customers, ...others } = OWNERSHIP;
    expect(() => monitorsForStack(stack, { ownership: others })).toThrow(MissingOwnershipError);
    expect(() => monitorsForStack(stack, { ownership: others })).toThrow(/Service "customers" has no ownership entry/);
  });

  it('refuses a stack whose owner tag disagrees with the registry', () => {
    expect(() => monitorsForStack({ ...stack, owner: 'someone-else' })).toThrow(/owned by "someone-else" in its manifest but by "customer-experience"/);
  });
});

describe('event types of a rule pattern', () => {
  it('lists exact contract versions, and gives up on wide patterns', () => {
    expect(eventTypesOfPattern({ $or: [
      { source: ['kestrel.identity'], 'detail-type': ['UserRegistered'], detail: { metadata: { version: [1] } } },
      { source: ['kestrel.catalog'], 'detail-type': ['ProductPublished'], detail: { metadata: { version: [1, 2] } } },
    ] })).toEqual({ exact: ['kestrel.identity.userregistered.v1', 'kestrel.catalog.productpublished.v1', 'kestrel.catalog.productpublished.v2'] });
    expect(eventTypesOfPattern({ source: [{ prefix: 'kestrel.' }] })).toEqual({});
  });
});

describe('every stack synthesized in this workspace', () => {
  const files = synthesizedStacks(WORKSPACE);
  it.runIf(files.length > 0).each(files.map((file) => [file.slice(WORKSPACE.length)]))('%s has no unmonitored resource', (relative) => {
    const synthesized = loadStack(`${WORKSPACE}${relative}`);
    expect(unmonitoredResources(synthesized, monitorsForStack(synthesized))).toEqual([]);
  });
});
