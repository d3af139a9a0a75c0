import { describe, expect, it } from 'vitest';
import { parseOpsArgs, OpsArgsError } from '../../src/ops/args';
import { subscriptionTargets } from '../../src/ops/targets';
import { everyTriggerManifest, synthFixture } from '../support/fixture-stack';

const namesOf = (type: string) =>
  synthFixture('staging')
    .resources.filter((resource) => resource.type === type)
    .map((resource) => String(resource.values.name ?? resource.values.function_name));

describe('subscriptionTargets', () => {
  it('derives exactly the rule, queue and function names the synthesized stack creates', () => {
    // Prepare
    const queues = namesOf('aws_sqs_queue');
    const rules = namesOf('aws_cloudwatch_event_rule');
    const functions = namesOf('aws_lambda_function');

    // Act
    const direct = subscriptionTargets(everyTriggerManifest, 'staging', 'user-registered');
    const queued = subscriptionTargets(everyTriggerManifest, 'staging', 'user-registered-batches');

    // Assess
    for (const targets of [direct, queued]) {
      expect(rules).toContain(targets.ruleName);
      for (const queue of targets.deadLetterQueues) {
        expect(queues).toContain(queue.queueName);
        if (queue.sourceQueueName) expect(queues).toContain(queue.sourceQueueName);
        if (queue.functionName) expect(functions).toContain(queue.functionName);
      }
    }
    expect(direct.deadLetterQueues.map((q) => q.kind)).toEqual(['rule-dlq', 'function-failures']);
    expect(queued.deadLetterQueues.map((q) => q.kind)).toEqual(['rule-dlq', 'queue-dlq']);
    expect(direct.busName).toBe('kestrel-staging-bus');
    expect(direct.archiveName).toBe('kestrel-staging-platform-bus-archive');
  });

  it('names the manifest subscriptions when asked for one it does not have', () => {
    expect(() => subscriptionTargets(everyTriggerManifest, 'staging', 'orders')).toThrow(
      'subscription: "orders" is not consumed by customers (its subscriptions: user-registered, user-registered-batches)',
    );
  });
});

describe('parseOpsArgs', () => {
  it('is a dry run unless --yes, and turns --last into a window ending now', () => {
    const redrive = parseOpsArgs(['redrive', '--service', 'catalog', '--env', 'staging', '--subscription', 'product-retired']);
    const replay = parseOpsArgs(['replay', '--service', 'catalog', '--env', 'production', '--subscription', 'product-retired', '--last', '2h', '--yes']);

    expect(redrive).toMatchObject({ command: 'redrive', yes: false, limit: 10 });
    expect(replay.yes).toBe(true);
    expect((replay.to as Date).getTime() - (replay.from as Date).getTime()).toBe(2 * 3_600_000);
  });

  it('lists every bad field at once', () => {
    let caught: unknown;
    try {
      parseOpsArgs(['rewind', '--env', 'prod', '--limit', '0', '--last', '2 hours']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OpsArgsError);
    expect((caught as OpsArgsError).problems).toEqual([
      'command: "rewind" must be one of inspect, redrive, replay',
      '--service: required (e.g. catalog)',
      "--subscription: required (a name from the service manifest's consumes)",
      '--env: "prod" must be one of staging, production',
      '--limit: "0" must be an integer from 1 to 100',
    ]);
  });

  it('refuses a replay without a window and an inspect with --yes', () => {
    expect(() => parseOpsArgs(['replay', '--service', 's', '--env', 'staging', '--subscription', 'x', '--last', '2 hours'])).toThrow('--last: "2 hours" must be a duration like 30m, 2h or 1d');
    expect(() => parseOpsArgs(['replay', '--service', 's', '--env', 'staging', '--subscription', 'x'])).toThrow('--from: required for replay unless --last is given');
    expect(() => parseOpsArgs(['inspect', '--service', 's', '--env', 'staging', '--subscription', 'x', '--yes'])).toThrow('--yes: inspect only reads');
  });
});
