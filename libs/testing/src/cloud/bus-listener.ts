import { DeleteRuleCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { cloudClientConfig, type CloudTarget } from './config';

/** Options for {@link busListener}. */
export interface BusListenerOptions extends CloudTarget {
  readonly busName: string;
  /** Name of the rule and its queue. */
  readonly name: string;
  /** EventBridge event pattern (an object; serialised here). */
  readonly pattern: Record<string, unknown>;
}

/** A queue subscribed to a bus, read by a test. */
export interface BusListener<T> {
  /** Every event read so far, in arrival order (the EventBridge envelope, parsed from JSON, not validated). */
  readonly received: T[];
  /**
   * Reads the queue until `until(received)` holds or `timeoutMs` has passed, and returns `received`.
   * It does not throw on timeout: the test's assertions say what was missing.
   */
  receive(until: (received: readonly T[]) => boolean, timeoutMs?: number): Promise<T[]>;
  /** Removes the rule, its target and the queue, and releases the clients. */
  close(): Promise<void>;
}

/**
 * Subscribes a fresh SQS queue to `busName` with one rule, so a test can observe what reaches the bus.
 *
 * @example
 * ```ts
 * const listener = await busListener<Received>({ endpoint: cloud.endpoint, busName: 'kestrel-staging-bus', name: 'customers-events-listener', pattern: { source: ['kestrel.customers'] } });
 * await listener.receive((all) => all.some((event) => event['detail-type'] === 'CustomerCreated'));
 * afterAll(() => listener.close());
 * ```
 */
export async function busListener<T = unknown>(options: BusListenerOptions): Promise<BusListener<T>> {
  const config = cloudClientConfig(options);
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: options.name }))).QueueUrl;
  if (queueUrl === undefined) throw new Error(`CreateQueue ${options.name} returned no queue URL`);
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  const { RuleArn: ruleArn } = await events.send(new PutRuleCommand({ Name: options.name, EventBusName: options.busName, EventPattern: JSON.stringify(options.pattern) }));
  // As in AWS, EventBridge delivers to a queue only if the queue's policy admits the rule (the local cloud enforces it).
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'ListenerRule', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } } }],
  };
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
  await events.send(new PutTargetsCommand({ Rule: options.name, EventBusName: options.busName, Targets: [{ Id: 'queue', Arn: queueArn }] }));

  const received: T[] = [];
  return {
    received,
    async receive(until, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!until(received) && Date.now() < deadline) {
        const batch = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        for (const message of batch.Messages ?? []) received.push(JSON.parse(message.Body ?? '{}') as T);
        if (batch.Messages?.length) {
          await sqs.send(
            new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
          );
        }
      }
      return received;
    },
    async close() {
      try {
        await events.send(new RemoveTargetsCommand({ Rule: options.name, EventBusName: options.busName, Ids: ['queue'] }));
        await events.send(new DeleteRuleCommand({ Name: options.name, EventBusName: options.busName }));
        await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
      } finally {
        sqs.destroy();
        events.destroy();
      }
    },
  };
}
