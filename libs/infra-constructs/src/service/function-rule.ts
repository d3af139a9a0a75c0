import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktn/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktn/provider-aws/lib/cloudwatch-event-target';
import { LambdaPermission } from '@cdktn/provider-aws/lib/lambda-permission';
import type { EnvironmentConfig } from '../environments';
import { DeadLetterQueue } from './dead-letter-queue';
import type { ServiceFunction } from './functions';
import type { ServiceKey } from './service-key';

/** EventBridge's per-target retry policy, always set explicitly. */
export interface RetryPolicy {
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
}

export interface FunctionRuleProps {
  /** Physical rule name (`kestrel-<env>-<service>-<thing>`). */
  ruleName: string;
  description: string;
  /** The bus the rule listens on; omitted for the account's default bus (schedules). */
  eventBusName?: string;
  eventPattern?: string;
  scheduleExpression?: string;
  target: ServiceFunction;
  retry: RetryPolicy;
  env: EnvironmentConfig;
  key: ServiceKey;
}

/**
 * An EventBridge rule invoking one function, wired the way every rule here
 * must be: an explicit retry policy, an encrypted dead-letter queue only this
 * rule may write to (for events EventBridge could not deliver at all), and an
 * invoke permission scoped to the rule's ARN. What happens after Lambda
 * accepted the event is the function's asynchronous-invocation config.
 */
export class FunctionRule extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly target: CloudwatchEventTarget;
  readonly deadLetters: DeadLetterQueue;
  readonly permission: LambdaPermission;

  constructor(scope: Construct, id: string, props: FunctionRuleProps) {
    super(scope, id);
    const { ruleName, target, retry, env, key, eventBusName } = props;
    this.rule = new CloudwatchEventRule(this, 'rule', {
      name: ruleName,
      description: props.description.slice(0, 512),
      ...(eventBusName ? { eventBusName } : {}),
      ...(props.eventPattern ? { eventPattern: props.eventPattern } : {}),
      ...(props.scheduleExpression ? { scheduleExpression: props.scheduleExpression } : {}),
    });
    this.deadLetters = new DeadLetterQueue(this, 'dead-letters', { name: `${ruleName}-dlq`, keyArn: key.arn, env });
    this.deadLetters.allowRule(this.rule.arn);
    key.allowRuleDeadLetters();
    this.target = new CloudwatchEventTarget(this, 'target', {
      rule: this.rule.name,
      ...(eventBusName ? { eventBusName } : {}),
      targetId: 'function',
      arn: target.arn,
      retryPolicy: { maximumRetryAttempts: retry.maximumRetryAttempts, maximumEventAgeInSeconds: retry.maximumEventAgeSeconds },
      deadLetterConfig: { arn: this.deadLetters.arn },
    });
    this.permission = new LambdaPermission(this, 'permission', {
      action: 'lambda:InvokeFunction',
      functionName: target.lambda.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: this.rule.arn,
    });
  }
}
