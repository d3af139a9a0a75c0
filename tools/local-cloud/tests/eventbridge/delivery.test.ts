import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand, type Target } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { AwsServiceError, type InvokeResult, type LambdaInvoker } from '../../src/core/types';
import { createEventBridgeModule, type EventBridgeModule } from '../../src/services/eventbridge';
import { createSqsModule } from '../../src/services/sqs';
import { clientConfig, startHarness, type Harness } from '../sqs/harness';

type Behaviour = 'accept' | 'throttle' | 'throttle-twice';

/** A LambdaInvoker whose functions accept, throttle, or throttle a set number of times, and which knows its resource policy. */
class ScriptedLambda implements LambdaInvoker {
  readonly accepted: Array<{ functionName: string; payload: unknown }> = [];
  readonly functions = new Map<string, Behaviour>();
  readonly allowedSources = new Map<string, string>();
  private readonly throttled = new Map<string, number>();

  private nameOf(reference: string): string {
    return reference.split(':function:').pop()?.split(':')[0] ?? reference;
  }

  functionExists(reference: string): boolean {
    return this.functions.has(this.nameOf(reference));
  }

  isInvokeAllowed(reference: string, principal: string, sourceArn?: string): boolean {
    return principal === 'events.amazonaws.com' && this.allowedSources.get(this.nameOf(reference)) === sourceArn;
  }

  async invoke(reference: string, payload: unknown, options: { invocationType: 'RequestResponse' | 'Event' }): Promise<InvokeResult> {
    const name = this.nameOf(reference);
    expect(options.invocationType).toBe('Event');
    const behaviour = this.functions.get(name);
    if (!behaviour) throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${reference}`, 404);
    const throttledSoFar = this.throttled.get(name) ?? 0;
    if (behaviour === 'throttle' || (behaviour === 'throttle-twice' && throttledSoFar < 2)) {
      this.throttled.set(name, throttledSoFar + 1);
      throw new AwsServiceError('TooManyRequestsException', 'Rate Exceeded.', 429);
    }
    this.accepted.push({ functionName: name, payload });
    return { statusCode: 202, payload: null };
  }
}

const functionArn = (name: string) => `arn:aws:lambda:eu-west-1:000000000000:function:${name}`;
const queueArn = (name: string) => `arn:aws:sqs:eu-west-1:000000000000:${name}`;

/** SQS and EventBridge behind the edge for one describe block, with `lambda` as the Lambda peer and, when given, `awaitingStacks` as npm start sets it. */
function deliveryCloud(lambda: ScriptedLambda, awaitingStacks?: () => boolean) {
  const cloud = {} as { harness: Harness; events: EventBridgeClient; sqs: SQSClient };
  beforeAll(async () => {
    cloud.harness = await startHarness(
      [createSqsModule, (context) => createEventBridgeModule(awaitingStacks ? { ...context, awaitingStacks } : context, { runSchedules: false, retryTimeScale: 0.0001 })],
      { extraPeers: { lambda } },
    );
    cloud.events = new EventBridgeClient(clientConfig(cloud.harness.edge.endpoint));
    cloud.sqs = new SQSClient(clientConfig(cloud.harness.edge.endpoint));
  });
  afterAll(async () => {
    cloud.events.destroy();
    cloud.sqs.destroy();
    await cloud.harness.stop();
  });
  return cloud;
}

describe('EventBridge delivery to targets', () => {
  const lambda = new ScriptedLambda();
  const cloud = deliveryCloud(lambda);
  const eventBridge = () => cloud.harness.modules.find((module) => module.name === 'eventbridge') as EventBridgeModule;

  async function queue(name: string): Promise<string> {
    return (await cloud.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
  }

  async function drain(queueUrl: string): Promise<Message[]> {
    const messages: Message[] = [];
    for (;;) {
      const batch = await cloud.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 60 }));
      if (!batch.Messages) return messages;
      messages.push(...batch.Messages);
    }
  }

  async function rule(name: string, source: string, targets: Target[], busName?: string): Promise<string> {
    const put = await cloud.events.send(new PutRuleCommand({ Name: name, EventBusName: busName, EventPattern: JSON.stringify({ source: [source] }) }));
    const result = await cloud.events.send(new PutTargetsCommand({ Rule: name, EventBusName: busName, Targets: targets }));
    expect(result.FailedEntryCount).toBe(0);
    return put.RuleArn as string;
  }

  async function publish(source: string, details: object[], busName?: string): Promise<void> {
    for (let i = 0; i < details.length; i += 10) {
      const result = await cloud.events.send(
        new PutEventsCommand({ Entries: details.slice(i, i + 10).map((detail) => ({ Source: source, DetailType: 'OrderPlaced', Detail: JSON.stringify(detail), EventBusName: busName })) }),
      );
      expect(result.FailedEntryCount).toBe(0);
    }
    await eventBridge().service.idle();
  }

  it('delivers the whole event to an SQS target by default', async () => {
    // prepare
    const queueUrl = await queue('plain');
    const ruleArn = await rule('plain', 'test.plain', [{ Id: 'q', Arn: queueArn('plain') }]);
    // act
    await publish('test.plain', [{ orderId: 'o-1' }]);
    const [message] = await drain(queueUrl);
    // assess
    const event = JSON.parse(message?.Body ?? '{}');
    expect(Object.keys(event)).toEqual(['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
    expect(event).toMatchObject({ version: '0', 'detail-type': 'OrderPlaced', source: 'test.plain', account: '000000000000', region: 'eu-west-1', resources: [], detail: { orderId: 'o-1' } });
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(ruleArn).toBe('arn:aws:events:eu-west-1:000000000000:rule/plain');
  });

  it('renders InputTransformer templates (JSON and string), InputPath and constant Input as AWS does', async () => {
    // prepare
    const urls = await Promise.all(['tx-json', 'tx-string', 'tx-path', 'tx-const'].map(queue));
    await rule('transform', 'test.transform', [
      {
        Id: 'json',
        Arn: queueArn('tx-json'),
        InputTransformer: {
          InputPathsMap: { order: '$.detail.orderId', items: '$.detail.items', first: '$.detail.items[0].sku', missing: '$.detail.nope' },
          InputTemplate: '{"order": <order>, "items": <items>, "first": "<first>", "rule": "<aws.events.rule-name>", "missing": <missing>, "original": <aws.events.event.json>}',
        },
      },
      {
        Id: 'string',
        Arn: queueArn('tx-string'),
        InputTransformer: { InputPathsMap: { order: '$.detail.orderId', items: '$.detail.items' }, InputTemplate: '"Order <order> has <items>"' },
      },
      { Id: 'path', Arn: queueArn('tx-path'), InputPath: '$.detail.items[1]' },
      { Id: 'const', Arn: queueArn('tx-const'), Input: '{"fixed":true}' },
    ]);
    // act
    await publish('test.transform', [{ orderId: 'o-7', items: [{ sku: 'a' }, { sku: 'b' }] }]);
    const [json, text, path, constant] = await Promise.all(urls.map(async (url) => (await drain(url))[0]?.Body));
    // assess
    const rendered = JSON.parse(json ?? '{}');
    expect(rendered).toMatchObject({ order: 'o-7', items: [{ sku: 'a' }, { sku: 'b' }], first: 'a', rule: 'transform', missing: null });
    expect(rendered.original.detail).toEqual({ orderId: 'o-7', items: [{ sku: 'a' }, { sku: 'b' }] });
    expect(text).toBe('"Order o-7 has [{sku:a},{sku:b}]"');
    expect(path).toBe('{"sku":"b"}');
    expect(constant).toBe('{"fixed":true}');
  });

  it('forwards events to another bus, where that bus\'s rules route them', async () => {
    // prepare
    await cloud.events.send(new CreateEventBusCommand({ Name: 'analytics' }));
    const queueUrl = await queue('analytics-in');
    await rule('to-analytics', 'test.forward', [{ Id: 'bus', Arn: 'arn:aws:events:eu-west-1:000000000000:event-bus/analytics' }]);
    await rule('analytics-in', 'test.forward', [{ Id: 'q', Arn: queueArn('analytics-in') }], 'analytics');
    // act
    await publish('test.forward', [{ n: 1 }]);
    const messages = await drain(queueUrl);
    // assess
    expect(messages.map((message) => JSON.parse(message.Body ?? '{}').detail)).toEqual([{ n: 1 }]);
  });

  it('sends to a FIFO queue with the target\'s message group and the event id as deduplication id', async () => {
    // prepare
    const queueUrl = (await cloud.sqs.send(new CreateQueueCommand({ QueueName: 'ordered.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl as string;
    const withoutGroup = await cloud.events
      .send(new PutTargetsCommand({ Rule: 'plain', Targets: [{ Id: 'fifo-no-group', Arn: queueArn('ordered.fifo') }] }))
      .then((result) => result.FailedEntries?.[0]);
    await rule('fifo', 'test.fifo', [{ Id: 'q', Arn: queueArn('ordered.fifo'), SqsParameters: { MessageGroupId: 'orders' } }]);
    // act
    await publish('test.fifo', [{ n: 1 }, { n: 2 }]);
    const received = await cloud.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
    // assess
    expect(withoutGroup).toMatchObject({ TargetId: 'fifo-no-group', ErrorMessage: 'Parameter(s) SqsParameters must be specified for target: fifo-no-group.' });
    expect(received.Messages?.map((message) => message.Attributes?.MessageGroupId)).toEqual(['orders', 'orders']);
    expect(received.Messages?.map((message) => message.Attributes?.MessageDeduplicationId)).toEqual(
      received.Messages?.map((message) => JSON.parse(message.Body ?? '{}').id),
    );
  });

  it('invokes a Lambda target asynchronously when a permission allows the rule', async () => {
    // prepare
    lambda.functions.set('on-order', 'accept');
    const ruleArn = await rule('lambda-ok', 'test.lambda', [{ Id: 'fn', Arn: functionArn('on-order') }]);
    lambda.allowedSources.set('on-order', ruleArn);
    // act
    await publish('test.lambda', [{ orderId: 'o-9' }]);
    // assess
    expect(lambda.accepted.filter((call) => call.functionName === 'on-order').map((call) => (call.payload as { detail: unknown }).detail)).toEqual([{ orderId: 'o-9' }]);
  });

  it('while running, loses no event a target cannot take: retried, then dead-lettered with AWS\'s attributes (kill -9: tests/crash)', async () => {
    // prepare: three failing targets, and one whose first two invocations are throttled
    const dlqUrl = await queue('delivery-dlq');
    lambda.functions.set('always-throttled', 'throttle');
    lambda.functions.set('flaky', 'throttle-twice');
    lambda.functions.set('not-permitted', 'accept');
    const dlq = { Arn: queueArn('delivery-dlq') };
    const ruleArn = await rule('failing', 'test.failing', [
      { Id: 'throttled', Arn: functionArn('always-throttled'), RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: dlq },
      { Id: 'missing', Arn: functionArn('does-not-exist'), DeadLetterConfig: dlq },
      { Id: 'forbidden', Arn: functionArn('not-permitted'), DeadLetterConfig: dlq },
      { Id: 'flaky', Arn: functionArn('flaky'), RetryPolicy: { MaximumRetryAttempts: 5 }, DeadLetterConfig: dlq },
    ]);
    for (const name of ['always-throttled', 'does-not-exist', 'flaky']) lambda.allowedSources.set(name, ruleArn);
    const before = eventBridge().service.deliveryStats;
    const count = 25;
    // act
    await publish('test.failing', Array.from({ length: count }, (_, n) => ({ n })));
    const deadLetters = await drain(dlqUrl);
    // assess
    const delivered = lambda.accepted.filter((call) => call.functionName === 'flaky').length;
    expect(delivered + deadLetters.length).toBe(4 * count);
    expect(delivered).toBe(count);
    const attributes = (message: Message) => Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]));
    const byTarget = (arn: string) => deadLetters.filter((message) => message.MessageAttributes?.TARGET_ARN?.StringValue === arn).map(attributes);
    expect(byTarget(functionArn('always-throttled'))).toHaveLength(count);
    expect(byTarget(functionArn('always-throttled'))[0]).toEqual({
      RULE_ARN: ruleArn,
      TARGET_ARN: functionArn('always-throttled'),
      ERROR_CODE: 'THROTTLING',
      ERROR_MESSAGE: 'Rate Exceeded.',
      RETRY_ATTEMPTS: '3',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
    });
    expect(byTarget(functionArn('does-not-exist'))[0]).toMatchObject({ ERROR_CODE: 'NO_RESOURCE', RETRY_ATTEMPTS: '0' });
    expect(byTarget(functionArn('does-not-exist'))[0]).not.toHaveProperty('EXHAUSTED_RETRY_CONDITION');
    expect(byTarget(functionArn('not-permitted'))[0]).toMatchObject({ ERROR_CODE: 'NO_PERMISSIONS', RETRY_ATTEMPTS: '0' });
    expect(byTarget(functionArn('flaky'))).toHaveLength(0);
    const body = JSON.parse(deadLetters[0]?.Body ?? '{}');
    expect(body).toMatchObject({ source: 'test.failing', 'detail-type': 'OrderPlaced' });
    const stats = eventBridge().service.deliveryStats;
    expect(stats.deadLettered - before.deadLettered).toBe(deadLetters.length);
    expect(stats.dropped - before.dropped).toBe(0);
    // 25 × 3 retries of the always-throttled target, plus the flaky target's two
    expect(stats.retries - before.retries).toBe(count * 3 + 2);
  });

  it('gives up by event age when MaximumEventAgeInSeconds runs out first', async () => {
    // prepare: 185 retries allowed but only 60 s of (scaled) age
    const dlqUrl = await queue('age-dlq');
    lambda.functions.set('slow-throttled', 'throttle');
    const ruleArn = await rule('aging', 'test.aging', [
      { Id: 't', Arn: functionArn('slow-throttled'), RetryPolicy: { MaximumEventAgeInSeconds: 60 }, DeadLetterConfig: { Arn: queueArn('age-dlq') } },
    ]);
    lambda.allowedSources.set('slow-throttled', ruleArn);
    // act
    await publish('test.aging', [{ n: 1 }]);
    const [message] = await drain(dlqUrl);
    // assess
    expect(message?.MessageAttributes?.EXHAUSTED_RETRY_CONDITION?.StringValue).toBe('MaximumEventAgeInSeconds');
    expect(Number(message?.MessageAttributes?.RETRY_ATTEMPTS?.StringValue)).toBeLessThan(185);
  });
});

describe('EventBridge delivery while the run still applies its stacks', () => {
  const lambda = new ScriptedLambda();
  let applying = true;
  const cloud = deliveryCloud(lambda, () => applying);

  it('holds an event for a target whose stack is not applied yet, delivers it once the target exists, and dead-letters NO_RESOURCE only after every stack is applied', async () => {
    // prepare: a rule restored before its target's function (a restart of npm start mid-apply)
    const dlqUrl = (await cloud.sqs.send(new CreateQueueCommand({ QueueName: 'applying-dlq' }))).QueueUrl as string;
    const put = await cloud.events.send(new PutRuleCommand({ Name: 'restored', EventPattern: JSON.stringify({ source: ['test.restored'] }) }));
    await cloud.events.send(
      new PutTargetsCommand({
        Rule: 'restored',
        Targets: [
          { Id: 'late', Arn: functionArn('applied-later'), DeadLetterConfig: { Arn: queueArn('applying-dlq') } },
          { Id: 'gone', Arn: functionArn('never-applied'), DeadLetterConfig: { Arn: queueArn('applying-dlq') } },
        ],
      }),
    );
    lambda.allowedSources.set('applied-later', put.RuleArn as string);
    const receiveDeadLetters = async () =>
      (await cloud.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }))).Messages ?? [];

    // act: the event arrives while stacks are applied, then the function's stack is applied
    await cloud.events.send(new PutEventsCommand({ Entries: [{ Source: 'test.restored', DetailType: 'Tick', Detail: '{}' }] }));
    await new Promise((resolve) => setTimeout(resolve, 700));
    const heldDeadLetters = await receiveDeadLetters();
    const heldDeliveries = lambda.accepted.length;
    lambda.functions.set('applied-later', 'accept');
    await new Promise((resolve) => setTimeout(resolve, 700));
    const deliveredOnceApplied = lambda.accepted.filter((call) => call.functionName === 'applied-later').length;
    applying = false;
    await cloud.events.send(new PutEventsCommand({ Entries: [{ Source: 'test.restored', DetailType: 'Tick', Detail: '{}' }] }));
    await new Promise((resolve) => setTimeout(resolve, 700));

    // assess: nothing dead-lettered or delivered while applying; delivered once applied; the target that never came dead-lettered as AWS would, for both events
    expect(heldDeadLetters).toEqual([]);
    expect(heldDeliveries).toBe(0);
    expect(deliveredOnceApplied).toBe(1);
    const deadLetters = await receiveDeadLetters();
    expect(deadLetters.map((message) => [message.MessageAttributes?.TARGET_ARN?.StringValue, message.MessageAttributes?.ERROR_CODE?.StringValue])).toEqual([
      [functionArn('never-applied'), 'NO_RESOURCE'],
      [functionArn('never-applied'), 'NO_RESOURCE'],
    ]);
    expect(lambda.accepted.filter((call) => call.functionName === 'applied-later')).toHaveLength(2);
  });
});
