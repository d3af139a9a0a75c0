// The repair tools against the local cloud, with the synthesized platform stack and a drill service
// (src/gameday/drill-stack.ts) applied as Terraform would apply them: break a consumer,
// publish, see the dead letters through inspect (PII redacted), fix, redrive, and find every event
// delivered exactly once. Then replay the archive window to one rule only.
// Needs `nx run platform:synth` (the platform stack's cdktf.out).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startLocalCloud, type LocalCloud } from '@kestrel/local-cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect, redrive, repairClients, replay, type RepairClients } from '../../src/ops/repair';
import { subscriptionTargets } from '../../src/ops/targets';
import { brokenSwitch, drillManifest, synthDrillStack } from '../../src/gameday/drill-stack';

const platformStack = join(import.meta.dirname, '../../../../infra/platform/cdktf.out/stacks/platform-staging');
const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' };
const WAIT_MS = 45_000;

let cloud: LocalCloud;
let dir: string;
let clients: RepairClients;

const direct = () => subscriptionTargets(drillManifest, 'staging', 'user-registered');
const queued = () => subscriptionTargets(drillManifest, 'staging', 'user-registered-batches');

/** A UserRegistered v1 event as identity publishes it. */
function userRegistered(email: string) {
  const eventId = randomUUID();
  const detail = {
    metadata: { eventId, version: 1, occurredAt: new Date().toISOString(), correlationId: `drill-${eventId.slice(0, 8)}` },
    data: { userId: randomUUID(), email, givenName: 'Ada', locale: 'en', registeredAt: new Date().toISOString(), origin: 'sign-up' },
  };
  return { eventId, entry: { Source: 'kestrel.identity', DetailType: 'UserRegistered', EventBusName: 'kestrel-staging-bus', Detail: JSON.stringify(detail) } };
}

const delivered = (functionName: string): string[] => {
  const file = join(dir, `${functionName}.log`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
};

async function depth(queueName: string): Promise<number> {
  const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Polls until `check` holds; a bounded wait, not an assertion on time. */
async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  if (!existsSync(join(platformStack, 'cdk.tf.json'))) throw new Error(`${platformStack} is missing: run npx nx run platform:synth`);
  dir = mkdtempSync(join(tmpdir(), 'kestrel-ops-drill-'));
  const drillStack = await synthDrillStack(dir);
  cloud = await startLocalCloud({ inMemory: true });
  await cloud.applyStacks([platformStack]);
  await cloud.applyStacks([drillStack]);
  // As the CLI runs: endpoint, region and credentials from the environment only.
  Object.assign(process.env, { AWS_ENDPOINT_URL: cloud.endpoint, AWS_REGION: cloud.context.region, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey });
  clients = repairClients();
}, 300_000);

afterAll(async () => {
  await cloud?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('repair tools on the local cloud', () => {
  it('a failing direct consumer: inspect shows the dead letters redacted, redrive after the fix delivers each event once', async () => {
    // Prepare: the consumer is broken; three events fail every async attempt into the function's failure queue
    writeFileSync(brokenSwitch(dir, 'on-user-registered'), 'yes');
    const events = [userRegistered('ada@example.com'), userRegistered('grace@example.com'), userRegistered('alan@example.com')];
    const bus = new EventBridgeClient({ endpoint: cloud.endpoint, region: cloud.context.region, credentials });
    const put = await bus.send(new PutEventsCommand({ Entries: events.map((e) => e.entry) }));
    expect(put.FailedEntryCount).toBe(0);
    const failures = direct().deadLetterQueues.find((q) => q.kind === 'function-failures')!.queueName;
    await until('three dead letters', async () => (await depth(failures)) === 3);

    // Act: look, dry-run, fix, redrive, redrive again
    const letters = await inspect(clients, direct());
    const dryRun = await redrive(clients, direct(), { dryRun: true });
    rmSync(brokenSwitch(dir, 'on-user-registered'));
    const report = await redrive(clients, direct(), { dryRun: false });
    expect(report).toMatchObject({ moved: 3, failed: 0 });
    await until('three deliveries', () => delivered('on-user-registered').length >= 3);
    const again = await redrive(clients, direct(), { dryRun: false });

    // Assess: what inspect showed
    expect(letters).toHaveLength(3);
    for (const letter of letters) {
      expect(letter.kind).toBe('function-failures');
      expect(letter.error).toMatchObject({ condition: 'RetriesExhausted', errorMessage: 'consumer broken on purpose' });
      const data = (letter.event as { detail: { data: Record<string, unknown> } }).detail.data;
      expect(data.email).toBe('[redacted:email]');
      expect(data.givenName).toBe('[redacted:name]');
      expect(data.locale).toBe('en');
    }
    expect(JSON.stringify(letters)).not.toMatch(/example\.com|Ada/);
    // the dry run changed nothing
    expect(dryRun.dryRun).toBe(true);
    expect(dryRun.queues.find((q) => q.kind === 'function-failures')).toMatchObject({ waiting: 3, moved: 0 });
    // the redrive moved all three, and each event arrived exactly once
    expect(report).toMatchObject({ moved: 3, failed: 0 });
    expect(await depth(failures)).toBe(0);
    expect(delivered('on-user-registered').sort()).toEqual(events.map((e) => e.eventId).sort());
    expect(again).toMatchObject({ moved: 0, failed: 0 });
  });

  it('a failing queued consumer: redrive moves the queue DLQ back with a message move task', async () => {
    // Prepare: broken; two events exhaust maxReceiveCount (2) into the subscription queue's DLQ
    writeFileSync(brokenSwitch(dir, 'on-user-registered-batch'), 'yes');
    const events = [userRegistered('edsger@example.com'), userRegistered('barbara@example.com')];
    const bus = new EventBridgeClient({ endpoint: cloud.endpoint, region: cloud.context.region, credentials });
    await bus.send(new PutEventsCommand({ Entries: events.map((e) => e.entry) }));
    const queueDlq = queued().deadLetterQueues.find((q) => q.kind === 'queue-dlq')!.queueName;
    await until('two messages in the queue DLQ', async () => (await depth(queueDlq)) === 2);

    // Act
    const letters = await inspect(clients, queued());
    rmSync(brokenSwitch(dir, 'on-user-registered-batch'));
    const report = await redrive(clients, queued(), { dryRun: false });
    const ids = events.map((e) => e.eventId);
    const deliveriesOf = (id: string) => delivered('on-user-registered-batch').filter((line) => line === id).length;
    await until('two deliveries', () => ids.every((id) => deliveriesOf(id) > 0));

    // Assess
    expect(letters.filter((l) => l.kind === 'queue-dlq')).toHaveLength(2);
    expect(JSON.stringify(letters)).not.toMatch(/example\.com/);
    expect(report.queues.find((q) => q.kind === 'queue-dlq')).toMatchObject({ waiting: 2, moved: 2, failed: 0 });
    expect(await depth(queueDlq)).toBe(0);
    // (the batch consumer also got the first test's events: those went through while it was healthy)
    expect(ids.map(deliveriesOf)).toEqual([1, 1]);
  });

  it('replay sends the archive window to the one rule only', async () => {
    // Prepare: what each consumer has so far (every event above, once)
    const directBefore = delivered('on-user-registered');
    const batchBefore = delivered('on-user-registered-batch');
    const window = { from: new Date(Date.now() - 10 * 60_000), to: new Date(Date.now() - 1) };

    // Act
    const dryRun = await replay(clients, direct(), window, { dryRun: true });
    const report = await replay(clients, direct(), window, { dryRun: false });
    await until('the replayed events', () => delivered('on-user-registered').length >= directBefore.length + 5);

    // Assess: the direct consumer got all five archived events again; the queued one nothing
    expect(dryRun.state).toBeUndefined();
    expect(report.state).toBe('COMPLETED');
    expect(report.ruleArn).toMatch(/rule\/kestrel-staging-bus\/kestrel-staging-ops-drill-user-registered$/);
    const replayed = delivered('on-user-registered').slice(directBefore.length);
    expect(new Set(replayed).size).toBe(5);
    expect(delivered('on-user-registered-batch')).toEqual(batchBefore);
  });

  it('rule dead letters go to that rule\'s target only; one naming another rule stays put', async () => {
    // Prepare: two messages as EventBridge writes them to the rule DLQ (body: the event; attributes:
    // RULE_ARN, TARGET_ARN, ERROR_CODE…). The failure itself is staged: this local cloud has no
    // RemovePermission to make EventBridge's invoke really fail.
    const targets = direct();
    const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: `${targets.ruleName}-dlq` }));
    const ruleArn = `arn:aws:events:${cloud.context.region}:000000000000:rule/${targets.busName}/${targets.ruleName}`;
    const stray = `arn:aws:events:${cloud.context.region}:000000000000:rule/${targets.busName}/kestrel-staging-other-rule`;
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    const lost = userRegistered('hedy@example.com');
    const other = userRegistered('katherine@example.com');
    const envelope = (event: ReturnType<typeof userRegistered>) =>
      JSON.stringify({ version: '0', id: randomUUID(), 'detail-type': 'UserRegistered', source: 'kestrel.identity', account: '000000000000', time: new Date().toISOString(), region: cloud.context.region, resources: [], detail: JSON.parse(event.entry.Detail) });
    for (const [event, rule] of [[lost, ruleArn], [other, stray]] as const) {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: envelope(event),
          MessageAttributes: { RULE_ARN: text(rule), TARGET_ARN: text('arn:aws:lambda:x'), ERROR_CODE: text('NO_PERMISSIONS'), ERROR_MESSAGE: text('EventBridge is not allowed to invoke') },
        }),
      );
    }

    // Act
    const letters = await inspect(clients, targets);
    const report = await redrive(clients, targets, { dryRun: false });
    await until('the redriven event', () => delivered('on-user-registered').includes(lost.eventId));

    // Assess
    expect(letters.filter((l) => l.kind === 'rule-dlq').map((l) => l.error.ERROR_CODE)).toEqual(['NO_PERMISSIONS', 'NO_PERMISSIONS']);
    const ruleDlq = report.queues.find((q) => q.kind === 'rule-dlq');
    expect(ruleDlq).toMatchObject({ waiting: 2, moved: 1, failed: 1 });
    expect(ruleDlq?.failures[0]).toContain(`RULE_ARN ${stray} is not ${ruleArn}`);
    expect(delivered('on-user-registered').filter((id) => id === lost.eventId)).toHaveLength(1);
    expect(delivered('on-user-registered')).not.toContain(other.eventId);
  });
});
