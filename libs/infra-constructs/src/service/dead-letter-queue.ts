import { Construct } from 'constructs';
import { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktn/provider-aws/lib/sqs-queue-policy';
import type { EnvironmentConfig } from '../environments';
import { viaService } from './arns';
import type { PolicyStatement } from './iam';
import { sid } from './iam';

/** Fourteen days, SQS's maximum: time to notice, fix and redrive. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 60 * 60;

export interface DeadLetterQueueProps {
  /** Physical queue name. */
  name: string;
  /** ARN of the service key that encrypts it. */
  keyArn: string;
  env: EnvironmentConfig;
}

/**
 * An SQS queue that keeps what could not be delivered: encrypted with the
 * service key, 14 days' retention. Who may write to it is explicit — an
 * EventBridge rule through {@link allowRule}, an IAM role through
 * {@link sendStatements}.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: SqsQueue;
  private readonly keyArn: string;
  private readonly env: EnvironmentConfig;

  constructor(scope: Construct, id: string, { name, keyArn, env }: DeadLetterQueueProps) {
    super(scope, id);
    this.keyArn = keyArn;
    this.env = env;
    this.queue = new SqsQueue(this, 'queue', {
      name,
      kmsMasterKeyId: keyArn,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    });
  }

  get arn(): string {
    return this.queue.arn;
  }

  /** Lets exactly one EventBridge rule send its undeliverable events here. */
  allowRule(ruleArn: string): SqsQueuePolicy {
    return new SqsQueuePolicy(this, 'policy', {
      queueUrl: this.queue.url,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OnlyItsRuleSendsDeadLetters',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: this.queue.arn,
            Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
          },
        ],
      }),
    });
  }

  /** What an IAM role needs to send here: the queue, and the key through SQS only. */
  sendStatements(purpose: string): PolicyStatement[] {
    return [
      { Sid: sid(purpose, 'queue'), Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [this.queue.arn] },
      {
        Sid: sid(purpose, 'queue', 'key'),
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: [this.keyArn],
        Condition: viaService(this.env, 'sqs'),
      },
    ];
  }
}
