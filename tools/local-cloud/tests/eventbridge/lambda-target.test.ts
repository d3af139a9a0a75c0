import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createEventBridgeModule, type EventBridgeModule } from '../../src/services/eventbridge';
import { lambdaModuleFactory, type LambdaModule } from '../../src/services/lambda';
import { createSqsModule } from '../../src/services/sqs';
import { buildFixtureStack, resource, type FixtureStack } from '../lambda/support';
import { clientConfig, startHarness, type Harness } from '../sqs/harness';

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:on-order';

describe('EventBridge → the real local Lambda', () => {
  let stack: FixtureStack;
  let harness: Harness;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  const module = <T>(name: string) => harness.modules.find((candidate) => candidate.name === name) as T;
  const apply = (moduleName: string, type: string, name: string, config: Record<string, unknown>) =>
    module<LambdaModule>(moduleName).provisioners.find((provisioner) => provisioner.type === type)?.apply(resource(stack.stackDir, type, name, config));

  beforeAll(async () => {
    stack = await buildFixtureStack();
    harness = await startHarness(
      [createSqsModule, (context) => createEventBridgeModule(context, { runSchedules: false, retryTimeScale: 0.0001 }), lambdaModuleFactory({ runtimes: { fetchMissing: true } })],
      { dataDir: stack.root },
    );
    events = new EventBridgeClient(clientConfig(harness.edge.endpoint));
    sqs = new SQSClient(clientConfig(harness.edge.endpoint));
    await sqs.send(new CreateQueueCommand({ QueueName: 'lambda-successes' }));
    await sqs.send(new CreateQueueCommand({ QueueName: 'rule-dlq' }));
    await apply('lambda', 'aws_lambda_function', 'on-order', {
      function_name: 'on-order',
      handler: 'index.handler',
      runtime: 'nodejs24.x',
      filename: stack.zipAsset,
      role: 'arn:aws:iam::000000000000:role/test',
    });
    await apply('lambda', 'aws_lambda_function_event_invoke_config', 'on-order', {
      function_name: 'on-order',
      destination_config: { on_success: { destination: 'arn:aws:sqs:eu-west-1:000000000000:lambda-successes' } },
    });
  }, 120_000);

  afterAll(async () => {
    events.destroy();
    sqs.destroy();
    await harness.stop();
    stack.cleanup();
  });

  it('invokes the function asynchronously with the transformed event when an aws_lambda_permission allows the rule', async () => {
    // prepare
    const ruleArn = (await events.send(new PutRuleCommand({ Name: 'orders-to-lambda', EventPattern: '{"source":["test.orders"]}' }))).RuleArn as string;
    await apply('lambda', 'aws_lambda_permission', 'allow-rule', {
      function_name: 'on-order',
      action: 'lambda:InvokeFunction',
      principal: 'events.amazonaws.com',
      source_arn: ruleArn,
    });
    await events.send(
      new PutTargetsCommand({
        Rule: 'orders-to-lambda',
        Targets: [{ Id: 'fn', Arn: FUNCTION_ARN, InputTransformer: { InputPathsMap: { order: '$.detail.orderId' }, InputTemplate: '{"action": "echo", "order": <order>}' } }],
      }),
    );
    // act
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'test.orders', DetailType: 'OrderPlaced', Detail: '{"orderId":"o-42"}' }] }));
    await module<EventBridgeModule>('eventbridge').service.idle();
    await module<LambdaModule>('lambda').service.whenAsyncIdle();
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${harness.edge.endpoint}/000000000000/lambda-successes`, WaitTimeSeconds: 5 }));
    // assess
    const record = JSON.parse(received.Messages?.[0]?.Body ?? '{}');
    expect(record.responsePayload).toEqual({ received: { action: 'echo', order: 'o-42' } });
  });

  it('dead-letters without retrying when no permission lets the rule invoke the function', async () => {
    // prepare
    const ruleArn = (await events.send(new PutRuleCommand({ Name: 'unpermitted', EventPattern: '{"source":["test.unpermitted"]}' }))).RuleArn as string;
    await events.send(
      new PutTargetsCommand({ Rule: 'unpermitted', Targets: [{ Id: 'fn', Arn: FUNCTION_ARN, DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:000000000000:rule-dlq' } }] }),
    );
    // act
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'test.unpermitted', DetailType: 'X', Detail: '{}' }] }));
    await module<EventBridgeModule>('eventbridge').service.idle();
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${harness.edge.endpoint}/000000000000/rule-dlq`, MessageAttributeNames: ['All'] }));
    // assess
    const attributes = dead.Messages?.[0]?.MessageAttributes ?? {};
    expect(attributes.ERROR_CODE?.StringValue).toBe('NO_PERMISSIONS');
    expect(attributes.RULE_ARN?.StringValue).toBe(ruleArn);
    expect(attributes.RETRY_ATTEMPTS?.StringValue).toBe('0');
  });
});
