import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateArchiveCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListArchivesCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { createEventBridgeModule, type EventBridgeModule } from '../../src/services/eventbridge';
import { createSqsModule } from '../../src/services/sqs';
import { clientConfig, startHarness, type Harness } from '../sqs/harness';

describe('EventBridge archives, replays, schedules and persistence', () => {
  let harness: Harness;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  const eventBridge = () => harness.modules.find((module) => module.name === 'eventbridge') as EventBridgeModule;

  beforeAll(async () => {
    harness = await startHarness([createSqsModule, (context) => createEventBridgeModule(context, { runSchedules: false })]);
    events = new EventBridgeClient(clientConfig(harness.edge.endpoint));
    sqs = new SQSClient(clientConfig(harness.edge.endpoint));
  });

  afterAll(async () => {
    events.destroy();
    sqs.destroy();
    await harness.stop();
  });

  async function queueWithRule(name: string, rule: { EventPattern?: string; ScheduleExpression?: string }): Promise<{ queueUrl: string; ruleArn: string }> {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
    const ruleArn = (await events.send(new PutRuleCommand({ Name: name, ...rule }))).RuleArn as string;
    await events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'q', Arn: `arn:aws:sqs:eu-west-1:000000000000:${name}` }] }));
    return { queueUrl, ruleArn };
  }

  async function drain(queueUrl: string): Promise<Message[]> {
    const messages: Message[] = [];
    for (;;) {
      const batch = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
      if (!batch.Messages) return messages;
      messages.push(...batch.Messages);
    }
  }

  it('archives matching events and replays a time window to the chosen rules, marked with replay-name', async () => {
    // prepare
    const archived = await queueWithRule('archived', { EventPattern: '{"source":["test.archive"]}' });
    const other = await queueWithRule('not-in-filter', { EventPattern: '{"source":["test.archive"]}' });
    await events.send(new CreateArchiveCommand({ ArchiveName: 'everything', EventSourceArn: 'arn:aws:events:eu-west-1:000000000000:event-bus/default', EventPattern: '{"source":["test.archive"]}' }));
    const windowStart = new Date(Date.now() - 1000);
    await events.send(new PutEventsCommand({ Entries: [1, 2, 3].map((n) => ({ Source: 'test.archive', DetailType: 'Numbered', Detail: JSON.stringify({ n }) })) }));
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'test.elsewhere', DetailType: 'Ignored', Detail: '{}' }] }));
    await eventBridge().service.idle();
    const originals = await drain(archived.queueUrl);
    await drain(other.queueUrl);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // act
    const started = await events.send(
      new StartReplayCommand({
        ReplayName: 'backfill',
        EventSourceArn: 'arn:aws:events:eu-west-1:000000000000:archive/everything',
        EventStartTime: windowStart,
        EventEndTime: new Date(),
        Destination: { Arn: 'arn:aws:events:eu-west-1:000000000000:event-bus/default', FilterArns: [archived.ruleArn] },
      }),
    );
    await eventBridge().service.idle();
    const replayed = await drain(archived.queueUrl);
    const notReplayed = await drain(other.queueUrl);
    const replay = await events.send(new DescribeReplayCommand({ ReplayName: 'backfill' }));
    const archive = await events.send(new DescribeArchiveCommand({ ArchiveName: 'everything' }));
    // assess
    expect(started.State).toBe('STARTING');
    expect(replay.State).toBe('COMPLETED');
    expect(replayed.map((message) => JSON.parse(message.Body ?? '{}')['replay-name'])).toEqual(['backfill', 'backfill', 'backfill']);
    expect(replayed.map((message) => JSON.parse(message.Body ?? '{}').id).sort()).toEqual(originals.map((message) => JSON.parse(message.Body ?? '{}').id).sort());
    expect(notReplayed).toEqual([]);
    expect(archive.EventCount).toBe(3);
  });

  it('refuses to replay an archive onto another bus', async () => {
    // act
    const failure = await events
      .send(
        new StartReplayCommand({
          ReplayName: 'cross',
          EventSourceArn: 'arn:aws:events:eu-west-1:000000000000:archive/everything',
          EventStartTime: new Date(Date.now() - 60_000),
          EventEndTime: new Date(Date.now() - 1000),
          Destination: { Arn: 'arn:aws:events:eu-west-1:000000000000:event-bus/missing' },
        }),
      )
      .catch((error: unknown) => error);
    // assess
    expect((failure as Error).name).toBe('ResourceNotFoundException');
  });

  it('fires a scheduled rule with the Scheduled Event shape', async () => {
    // prepare
    const { queueUrl, ruleArn } = await queueWithRule('every-five', { ScheduleExpression: 'rate(5 minutes)' });
    const service = eventBridge().service;
    // act
    const early = service.tick(Date.now() + 60_000);
    const due = service.tick(Date.now() + 5 * 60_000 + 1000);
    await service.idle();
    const [message] = await drain(queueUrl);
    // assess
    expect(early).toBe(0);
    expect(due).toBe(1);
    const event = JSON.parse(message?.Body ?? '{}');
    expect(event).toMatchObject({ version: '0', 'detail-type': 'Scheduled Event', source: 'aws.events', resources: [ruleArn], detail: {}, account: '000000000000' });
    expect(event.time).toMatch(/:\d\dZ$/);
  });

  it('keeps rules, targets and archives across a graceful stop and start', async () => {
    // prepare
    const { queueUrl } = await queueWithRule('durable-rule', { EventPattern: '{"source":["test.durable"]}' });
    // act
    await harness.restart();
    const described = await events.send(new DescribeRuleCommand({ Name: 'durable-rule' }));
    const archives = await events.send(new ListArchivesCommand({}));
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'test.durable', DetailType: 'After restart', Detail: '{}' }] }));
    await eventBridge().service.idle();
    const messages = await drain(queueUrl);
    // assess
    expect(described.State).toBe('ENABLED');
    expect(archives.Archives?.map((archive) => [archive.ArchiveName, archive.EventCount])).toEqual([['everything', 3]]);
    expect(messages).toHaveLength(1);
  });
});
