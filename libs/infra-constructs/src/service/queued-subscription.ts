import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktn/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktn/provider-aws/lib/cloudwatch-event-target';
import { LambdaEventSourceMapping } from '@cdktn/provider-aws/lib/lambda-event-source-mapping';
import { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktn/provider-aws/lib/sqs-queue-policy';
import type { QueuedDelivery } from '@kestrel/service-manifest';
import type { EnvironmentConfig } from '../environments';
import { viaService } from './arns';
import { DEAD_LETTER_RETENTION_SECONDS, DeadLetterQueue } from './dead-letter-queue';
import type { RetryPolicy } from './function-rule';
import type { ServiceFunction } from './functions';
import { sid } from './iam';
import type { PolicyStatement } from './iam';
import type { ServiceKey } from './service-key';

/** Four days, SQS's default: at the batching rates here a healthy queue holds seconds of events. */
export const SUBSCRIPTION_QUEUE_RETENTION_SECONDS = 4 * 24 * 60 * 60;

/** What Lambda's SQS poller needs from the queue (AWS's `AWSLambdaSQSQueueExecutionRole`, scoped to one queue). */
export const QUEUE_CONSUMER_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'] as const;

/**
 * The visibility timeout a queued subscription gets when it names none: six
 * times the function's timeout plus the batching window, as AWS recommends (the
 * poller retries a throttled batch within that time), and never less than the
 * timeout, which Lambda refuses.
 *
 * @example
 * defaultVisibilityTimeoutSeconds(60, 20); // 380
 */
export function defaultVisibilityTimeoutSeconds(functionTimeoutSeconds: number, batchingWindowSeconds: number): number {
  return 6 * functionTimeoutSeconds + batchingWindowSeconds;
}

export interface QueuedSubscriptionProps {
  /** The subscription's name in the manifest (names the role's statements). */
  name: string;
  /** Physical rule name (`kestrel-<env>-<service>-<subscription>`); the queues are named after it. */
  ruleName: string;
  description: string;
  eventBusName: string;
  eventPattern: string;
  target: ServiceFunction;
  /** The function's timeout in seconds (the visibility timeout must cover it). */
  functionTimeoutSeconds: number;
  retry: RetryPolicy;
  delivery: QueuedDelivery;
  env: EnvironmentConfig;
  key: ServiceKey;
}

/**
 * A subscription delivered in batches: EventBridge rule → encrypted SQS queue
 * → Lambda event source mapping → the function.
 *
 * - The rule's target is the queue, with an explicit retry policy and its own
 *   dead-letter queue (sending to SQS can fail too: a key policy, a deleted queue).
 * - Only that rule may send to the queue, and only over TLS (queue policy).
 * - The mapping hands the function up to `batchSize` messages, gathering for at
 *   most `maximumBatchingWindowSeconds`, and reads partial batch responses
 *   (`ReportBatchItemFailures`): only the messages the function names come back.
 * - With `maximumConcurrency` the mapping runs at most that many invocations at
 *   once, so a burst is not throttled back into the queue (a throttled receive
 *   counts toward `maxReceiveCount` too).
 * - A message received `maxReceiveCount` times moves to the queue's
 *   dead-letter queue, kept 14 days for a redrive.
 * - The function's role may consume exactly this queue (and decrypt through SQS).
 */
export class QueuedSubscription extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly target: CloudwatchEventTarget;
  /** Where the function's batches come from. */
  readonly queue: SqsQueue;
  readonly queuePolicy: SqsQueuePolicy;
  /** Messages the function failed `maxReceiveCount` times. */
  readonly failedMessages: SqsQueue;
  /** Events EventBridge could not send to the queue. */
  readonly deadLetters: DeadLetterQueue;
  readonly mapping: LambdaEventSourceMapping;
  readonly visibilityTimeoutSeconds: number;

  constructor(scope: Construct, id: string, props: QueuedSubscriptionProps) {
    super(scope, id);
    const { ruleName, target, retry, delivery, env, key, eventBusName } = props;
    this.visibilityTimeoutSeconds =
      delivery.visibilityTimeoutSeconds ?? defaultVisibilityTimeoutSeconds(props.functionTimeoutSeconds, delivery.maximumBatchingWindowSeconds);
    if (this.visibilityTimeoutSeconds < props.functionTimeoutSeconds) {
      throw new Error(
        `${ruleName}: the queue's visibility timeout (${this.visibilityTimeoutSeconds} s) is shorter than ${target.functionName}'s timeout (${props.functionTimeoutSeconds} s); Lambda refuses such a mapping`,
      );
    }

    this.rule = new CloudwatchEventRule(this, 'rule', {
      name: ruleName,
      description: props.description.slice(0, 512),
      eventBusName,
      eventPattern: props.eventPattern,
    });

    this.failedMessages = new SqsQueue(this, 'failed-messages', {
      name: `${ruleName}-queue-dlq`.slice(0, 80),
      kmsMasterKeyId: key.arn,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    });
    this.queue = new SqsQueue(this, 'queue', {
      name: `${ruleName}-queue`.slice(0, 80),
      kmsMasterKeyId: key.arn,
      messageRetentionSeconds: SUBSCRIPTION_QUEUE_RETENTION_SECONDS,
      visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.failedMessages.arn, maxReceiveCount: delivery.maxReceiveCount }),
    });
    this.queuePolicy = new SqsQueuePolicy(this, 'queue-policy', {
      queueUrl: this.queue.url,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OnlyItsRuleSends',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: this.queue.arn,
            Condition: { ArnEquals: { 'aws:SourceArn': this.rule.arn } },
          },
          {
            Sid: 'TlsOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sqs:*',
            Resource: this.queue.arn,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    });

    this.deadLetters = new DeadLetterQueue(this, 'dead-letters', { name: `${ruleName}-dlq`, keyArn: key.arn, env });
    this.deadLetters.allowRule(this.rule.arn);
    // The same key statement lets the rule encrypt into the queue and its dead-letter queue.
    key.allowRuleDeadLetters();
    this.target = new CloudwatchEventTarget(this, 'target', {
      rule: this.rule.name,
      eventBusName,
      targetId: 'queue',
      arn: this.queue.arn,
      retryPolicy: { maximumRetryAttempts: retry.maximumRetryAttempts, maximumEventAgeInSeconds: retry.maximumEventAgeSeconds },
      deadLetterConfig: { arn: this.deadLetters.arn },
    });

    target.grant(...this.consumeStatements(props.name, key, env));
    this.mapping = new LambdaEventSourceMapping(this, 'mapping', {
      functionName: target.lambda.arn,
      eventSourceArn: this.queue.arn,
      enabled: true,
      batchSize: delivery.batchSize,
      maximumBatchingWindowInSeconds: delivery.maximumBatchingWindowSeconds,
      functionResponseTypes: ['ReportBatchItemFailures'],
      ...(delivery.maximumConcurrency !== undefined ? { scalingConfig: { maximumConcurrency: delivery.maximumConcurrency } } : {}),
      // Lambda checks the role can read the queue when the mapping is created.
      dependsOn: [target.rolePolicy],
    });
  }

  private consumeStatements(purpose: string, key: ServiceKey, env: EnvironmentConfig): PolicyStatement[] {
    return [
      { Sid: sid('consume', purpose, 'queue'), Effect: 'Allow', Action: [...QUEUE_CONSUMER_ACTIONS], Resource: [this.queue.arn] },
      { Sid: sid('consume', purpose, 'queue', 'key'), Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [key.arn], Condition: viaService(env, 'sqs') },
    ];
  }
}
