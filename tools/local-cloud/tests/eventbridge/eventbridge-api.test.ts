import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { createEventBridgeModule } from '../../src/services/eventbridge';
import { createSqsModule } from '../../src/services/sqs';
import { clientConfig, startHarness, type Harness } from '../sqs/harness';

const entry = (overrides: Record<string, unknown> = {}) => ({ Source: 'kestrel.orders', DetailType: 'OrderPlaced', Detail: '{"id":"o-1"}', ...overrides });

describe('EventBridge API through the SDK', () => {
  let harness: Harness;
  let events: EventBridgeClient;

  beforeAll(async () => {
    harness = await startHarness([createSqsModule, (context) => createEventBridgeModule(context, { runSchedules: false })]);
    events = new EventBridgeClient(clientConfig(harness.edge.endpoint));
  });

  afterAll(async () => {
    events.destroy();
    await harness.stop();
  });

  describe('PutEvents validation', () => {
    it('rejects a request of 11 entries as a whole', async () => {
      // act
      const failure = await events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) })).catch((error: unknown) => error);
      // assess
      expect((failure as Error).name).toBe('ValidationException');
      expect((failure as Error).message).toContain('less than or equal to 10');
    });

    it('accepts the valid entries of a mixed request and reports each invalid one', async () => {
      // act
      const result = await events.send(
        new PutEventsCommand({
          Entries: [
            entry(),
            entry({ Source: undefined }),
            entry({ DetailType: undefined }),
            entry({ Detail: undefined }),
            entry({ Detail: '{"unterminated":' }),
            entry({ Detail: '[1,2]' }),
            entry({ EventBusName: 'no-such-bus' }),
            entry({ Source: 'aws.ec2' }),
            entry({ Time: new Date('2026-01-02T03:04:05.678Z') }),
          ],
        }),
      );
      // assess
      expect(result.FailedEntryCount).toBe(7);
      expect(result.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(result.Entries?.slice(1, 8).map((item) => [item.ErrorCode, item.ErrorMessage])).toEqual([
        ['InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.'],
        ['InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.'],
        ['InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.'],
        ['MalformedDetail', 'Detail is malformed.'],
        ['MalformedDetail', 'Detail is malformed.'],
        ['ResourceNotFoundException', 'Event bus no-such-bus does not exist.'],
        ['NotAuthorizedForSourceException', 'Not authorized for the source.'],
      ]);
      expect(result.Entries?.[8]?.EventId).toBeDefined();
    });

    it('rejects a request whose entries add up to more than 1 MiB', async () => {
      // prepare: four entries of 300 KB each — each fine alone, too much together
      const big = JSON.stringify({ blob: 'x'.repeat(300_000) });
      // act
      const failure = await events.send(new PutEventsCommand({ Entries: Array.from({ length: 4 }, () => entry({ Detail: big })) })).catch((error: unknown) => error);
      const single = await events.send(new PutEventsCommand({ Entries: [entry({ Detail: big })] }));
      // assess
      expect((failure as Error).name).toBe('ValidationException');
      expect((failure as Error).message).toBe('Total size of the entries in the request is over the limit.');
      expect(single.FailedEntryCount).toBe(0);
    });
  });

  describe('buses, rules and targets', () => {
    it('creates, describes, lists and deletes a custom bus', async () => {
      // act
      const created = await events.send(new CreateEventBusCommand({ Name: 'platform', Description: 'business events' }));
      const duplicate = await events.send(new CreateEventBusCommand({ Name: 'platform' })).catch((error: unknown) => error);
      const described = await events.send(new DescribeEventBusCommand({ Name: 'platform' }));
      const listed = await events.send(new ListEventBusesCommand({}));
      await events.send(new DeleteEventBusCommand({ Name: 'platform' }));
      const gone = await events.send(new DescribeEventBusCommand({ Name: 'platform' })).catch((error: unknown) => error);
      // assess
      expect(created.EventBusArn).toBe('arn:aws:events:eu-west-1:000000000000:event-bus/platform');
      expect(duplicate).toBeInstanceOf(ResourceAlreadyExistsException);
      expect(described).toMatchObject({ Name: 'platform', Description: 'business events' });
      expect(described.CreationTime).toBeInstanceOf(Date);
      expect(listed.EventBuses?.map((bus) => bus.Name)).toEqual(['default', 'platform']);
      expect(gone).toBeInstanceOf(ResourceNotFoundException);
    });

    it('manages a rule and its targets with AWS errors for misuse', async () => {
      // prepare
      await events.send(new CreateEventBusCommand({ Name: 'rules-bus' }));
      // act
      const put = await events.send(new PutRuleCommand({ Name: 'orders', EventBusName: 'rules-bus', EventPattern: '{"source":["kestrel.orders"]}' }));
      const badPattern = await events.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"not-an-array"}' })).catch((error: unknown) => error);
      const scheduleOffDefault = await events.send(new PutRuleCommand({ Name: 's', EventBusName: 'rules-bus', ScheduleExpression: 'rate(5 minutes)' })).catch((error: unknown) => error);
      const targets = await events.send(
        new PutTargetsCommand({
          Rule: 'orders',
          EventBusName: 'rules-bus',
          Targets: [
            { Id: 'queue', Arn: 'arn:aws:sqs:eu-west-1:000000000000:q', RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 120 } },
            { Id: 'both', Arn: 'arn:aws:sqs:eu-west-1:000000000000:q', Input: '{}', InputPath: '$.detail' },
          ],
        }),
      );
      const retryTooHigh = await events
        .send(new PutTargetsCommand({ Rule: 'orders', EventBusName: 'rules-bus', Targets: [{ Id: 'x', Arn: 'arn:aws:sqs:eu-west-1:000000000000:q', RetryPolicy: { MaximumRetryAttempts: 186 } }] }))
        .catch((error: unknown) => error);
      const deleteWithTargets = await events.send(new DeleteRuleCommand({ Name: 'orders', EventBusName: 'rules-bus' })).catch((error: unknown) => error);
      await events.send(new DisableRuleCommand({ Name: 'orders', EventBusName: 'rules-bus' }));
      const described = await events.send(new DescribeRuleCommand({ Name: 'orders', EventBusName: 'rules-bus' }));
      const listedTargets = await events.send(new ListTargetsByRuleCommand({ Rule: 'orders', EventBusName: 'rules-bus' }));
      await events.send(new RemoveTargetsCommand({ Rule: 'orders', EventBusName: 'rules-bus', Ids: ['queue'] }));
      await events.send(new DeleteRuleCommand({ Name: 'orders', EventBusName: 'rules-bus' }));
      const rulesAfter = await events.send(new ListRulesCommand({ EventBusName: 'rules-bus' }));
      const missingRule = await events.send(new DescribeRuleCommand({ Name: 'orders', EventBusName: 'rules-bus' })).catch((error: unknown) => error);
      // assess
      expect(put.RuleArn).toBe('arn:aws:events:eu-west-1:000000000000:rule/rules-bus/orders');
      expect(badPattern).toBeInstanceOf(InvalidEventPatternException);
      expect((scheduleOffDefault as Error).message).toBe('ScheduleExpression is supported only on the default event bus.');
      expect(targets.FailedEntryCount).toBe(1);
      expect(targets.FailedEntries?.[0]).toMatchObject({ TargetId: 'both', ErrorCode: 'ValidationException' });
      expect((retryTooHigh as Error).name).toBe('ValidationException');
      expect((deleteWithTargets as Error).message).toBe("Rule can't be deleted since it has targets.");
      expect(described).toMatchObject({ Name: 'orders', State: 'DISABLED', EventBusName: 'rules-bus', EventPattern: '{"source":["kestrel.orders"]}' });
      expect(listedTargets.Targets).toEqual([
        { Id: 'queue', Arn: 'arn:aws:sqs:eu-west-1:000000000000:q', RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 120 } },
      ]);
      expect(rulesAfter.Rules).toEqual([]);
      expect((missingRule as Error).message).toBe('Rule orders does not exist on EventBus rules-bus.');
    });
  });
});
