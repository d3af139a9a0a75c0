/**
 * The local console in headless Chromium (Debian's package, driven by
 * playwright-core) on one local cloud running the synthesized staging stacks
 * of the platform, identity, customers and analytics-ingest:
 *
 * - a person signs up (Cognito, the real SDK): the console's trace of the flow
 *   shows identity's UserRegistered, customers' handler, CustomerCreated and
 *   analytics' ingest, end to end;
 * - an event customers' rule rejects: the explain view names the field;
 * - a consumer that fails (a test queue subscribed to the platform bus that
 *   does not exist yet): its dead letter is shown with the error, the consumer
 *   is fixed, the dead letter redriven from the console and then delivered.
 *
 * Screenshots go to tools/local-cloud/test-artifacts/console/ (CI keeps them).
 * Needs the four stacks synthesized (the Nx `test` target depends on their `synth`).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { AdminConfirmSignUpCommand, CognitoIdentityProviderClient, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');
const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const STACKS = [
  join(repoRoot, 'infra/platform/cdktf.out/stacks/platform-staging'),
  join(repoRoot, 'apps/identity/cdktf.out/stacks/identity-staging'),
  join(repoRoot, 'apps/customers/cdktf.out/stacks/customers-staging'),
  join(repoRoot, 'apps/analytics-ingest/cdktf.out/stacks/analytics-ingest-staging'),
];
const BUS = 'kestrel-staging-bus';
const CUSTOMERS_RULE = 'kestrel-staging-customers-user-registered';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`SKIPPED console browser test: ${CHROMIUM} not found (apt-get install -y chromium).`);

let cloud: LocalCloud;
let browser: BrowserContext;
let profileDir: string;
let events: EventBridgeClient;
let sqs: SQSClient;
const scriptErrors: string[] = [];

async function openConsole(hash: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => scriptErrors.push(error.message));
  await page.goto(`${cloud.endpoint}/_local/console${hash}`);
  return page;
}

/** A UserRegistered v1 as identity publishes it, with `version` in its metadata. */
function userRegistered(version: number) {
  const userId = randomUUID();
  return {
    EventBusName: BUS,
    Source: 'kestrel.identity',
    DetailType: 'UserRegistered',
    Detail: JSON.stringify({
      metadata: { eventId: randomUUID(), occurredAt: new Date().toISOString(), version, correlationId: `user-${userId}`, causationId: randomUUID(), producer: 'identity' },
      data: { userId, email: 'grace@example.com', givenName: 'Grace', locale: 'en-GB', registeredAt: new Date().toISOString(), origin: 'sign-up' },
    }),
  };
}

describe.skipIf(!hasChromium)('the local console in a browser, on the real stacks', () => {
  beforeAll(async () => {
    for (const dir of STACKS) {
      if (!existsSync(join(dir, 'cdk.tf.json'))) throw new Error(`${dir} is missing: run npx nx run-many -t synth -p platform identity customers analytics-ingest`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    cloud = await startLocalCloud({ inMemory: true });
    await cloud.applyStacks(STACKS);
    const config = { endpoint: cloud.endpoint, region: cloud.context.region, credentials };
    events = new EventBridgeClient(config);
    sqs = new SQSClient(config);
    profileDir = mkdtempSync(join(tmpdir(), 'console-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      // The narrowest layout the console supports.
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  }, 240_000);

  afterEach(() => {
    expect(scriptErrors).toEqual([]);
    expect(cloud.iamDenials()).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    events?.destroy();
    sqs?.destroy();
    await cloud?.stop();
  }, 60_000);

  it('signs a user up and shows the flow’s trace end to end: identity → customers → analytics', async () => {
    // prepare: the app names the flow when confirming (Cognito hands ClientMetadata to identity's trigger)
    const outputs = cloud.stacks().find((stack) => stack.name === 'identity-staging')?.outputs ?? {};
    const cognito = new CognitoIdentityProviderClient({ endpoint: cloud.endpoint, region: cloud.context.region, credentials });
    const email = `ada-${randomBytes(4).toString('hex')}@example.com`;
    const correlationId = `sign-up-${randomUUID()}`;

    // act
    await cognito.send(
      new SignUpCommand({
        ClientId: String(outputs['mobile-client-id']),
        Username: email,
        Password: 'correct horse battery 1',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'given_name', Value: 'Ada' },
          { Name: 'locale', Value: 'en-GB' },
        ],
      }),
    );
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: String(outputs['user-pool-id']), Username: email, ClientMetadata: { correlationId } }));
    cognito.destroy();
    const page = await openConsole(`#/trace?correlationId=${correlationId}`);

    // assess: the timeline fills in as the flow goes on (analytics batches for up to 20 s)
    const steps = page.getByTestId('trace-steps');
    await expect.poll(() => steps.textContent(), { timeout: 75_000, interval: 1_000 }).toContain('kestrel-staging-analytics-ingest-ingest');
    const text = (await steps.textContent()) ?? '';
    expect(text).toContain('kestrel-staging-identity-cognito-post-confirmation');
    expect(text).toContain('kestrel.identity UserRegistered v1 from identity');
    expect(text).toContain(`rule ${CUSTOMERS_RULE} → function kestrel-staging-customers-on-user-registered: delivered`);
    expect(text).toContain('kestrel-staging-customers-on-user-registered');
    expect(text).toContain('kestrel.customers CustomerCreated v1 from customers');
    // In the order the flow ran.
    expect(text.indexOf('UserRegistered v1')).toBeLessThan(text.indexOf('CustomerCreated v1'));
    await page.screenshot({ path: join(ARTIFACTS, 'trace.png'), fullPage: true });

    // The events list shows the flow's events live, with their outcomes; opened, one shows its contract beside it.
    await page.goto(`${cloud.endpoint}/_local/console#/events`);
    await expect.poll(() => page.getByTestId('events-table').textContent(), { timeout: 10_000 }).toContain('CustomerCreated');
    await page.screenshot({ path: join(ARTIFACTS, 'events.png') });
    await page.getByTestId('events-table').locator('tr', { hasText: 'CustomerCreated' }).first().getByRole('link').first().click();
    await expect.poll(() => page.locator('main').textContent(), { timeout: 10_000 }).toContain('The event conforms to its contract.');
    await page.screenshot({ path: join(ARTIFACTS, 'event-detail.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('explains which field made customers’ rule reject an event', async () => {
    // prepare: a UserRegistered of a version customers does not subscribe to
    const put = await events.send(new PutEventsCommand({ Entries: [userRegistered(7)] }));
    const eventId = put.Entries?.[0]?.EventId as string;
    const page = await openConsole(`#/explain?eventId=${eventId}`);

    // act: pick customers' rule and explain
    await page.locator('select[name="rule"]').selectOption(`${BUS}|${CUSTOMERS_RULE}`);
    await page.getByRole('button', { name: 'Explain' }).click();

    // assess
    await expect.poll(() => page.getByTestId('explain-verdict').first().textContent(), { timeout: 10_000 }).toBe('does not match');
    const failed = page.getByTestId('field-failed');
    await expect.poll(() => failed.count()).toBe(1);
    expect(await failed.textContent()).toMatch(/detail\.metadata\.version.*1.*7.*fails/);
    await page.screenshot({ path: join(ARTIFACTS, 'explain.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('shows a failing consumer’s dead letter, and after the fix redrives it from the console and sees it delivered', async () => {
    // prepare: a consumer (a queue subscribed to the platform bus) that does not exist yet, with a DLQ only its rule may write to
    const suffix = randomBytes(3).toString('hex');
    const dlq = `console-test-${suffix}-dlq`;
    const consumer = `console-test-${suffix}`;
    const arn = (name: string) => `arn:aws:sqs:${cloud.context.region}:${cloud.context.accountId}:${name}`;
    const ruleArn = (await events.send(new PutRuleCommand({ Name: consumer, EventBusName: BUS, EventPattern: JSON.stringify({ source: ['kestrel.identity'], 'detail-type': ['UserRegistered'] }) })))
      .RuleArn as string;
    const onlyTheRule = (queue: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: arn(queue), Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } } }],
      });
    await sqs.send(new CreateQueueCommand({ QueueName: dlq, Attributes: { Policy: onlyTheRule(dlq) } }));
    await events.send(
      new PutTargetsCommand({ Rule: consumer, EventBusName: BUS, Targets: [{ Id: 'consumer', Arn: arn(consumer), DeadLetterConfig: { Arn: arn(dlq) }, RetryPolicy: { MaximumRetryAttempts: 2 } }] }),
    );
    const eventId = (await events.send(new PutEventsCommand({ Entries: [userRegistered(1)] }))).Entries?.[0]?.EventId as string;

    // act: the dead letter, in the console
    const page = await openConsole(`#/dlq?queue=${dlq}`);
    const row = page.getByTestId('dlq-messages').locator('tr', { hasText: 'NO_RESOURCE' });
    await expect.poll(() => row.count(), { timeout: 15_000, interval: 500 }).toBe(1);
    expect(await row.textContent()).toContain(`rule: ${consumer}`);
    await page.screenshot({ path: join(ARTIFACTS, 'dlq.png'), fullPage: true });

    // act: fix the consumer, redrive
    await sqs.send(new CreateQueueCommand({ QueueName: consumer, Attributes: { Policy: onlyTheRule(consumer) } }));
    await row.getByRole('button', { name: 'Redrive' }).click();
    await expect.poll(() => page.getByTestId('dlq-status').textContent(), { timeout: 10_000 }).toContain('Redrive: 1 done');

    // assess: the event's page says delivered, after the dead-lettered attempt
    await page.goto(`${cloud.endpoint}/_local/console#/events?id=${eventId}`);
    const outcomes = page.getByTestId('target-outcomes').locator('tr', { hasText: consumer });
    await expect.poll(() => outcomes.textContent(), { timeout: 15_000, interval: 500 }).toContain('delivered');
    await page.screenshot({ path: join(ARTIFACTS, 'redriven.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('keeps the newest 500 rows through a burst of 1,500 events and counts the rest', async () => {
    // prepare
    const page = await openConsole('#/events');
    const status = page.getByTestId('events-status');
    await status.filter({ hasText: 'Live' }).waitFor();
    const totalBefore = Number(/(\d+) event\(s\)/.exec((await status.textContent()) ?? '')?.[1]);

    // act: 150 PutEvents of 10, 15 at a time
    const entry = { Source: 'kestrel.burst', DetailType: 'Tick', Detail: '{}' };
    for (let call = 0; call < 150; call += 15) {
      await Promise.all(Array.from({ length: 15 }, () => events.send(new PutEventsCommand({ Entries: Array.from({ length: 10 }, () => entry) }))));
    }

    // assess: every event counted, the newest 500 shown, the rest said to be hidden; the page still takes input
    const total = totalBefore + 1500;
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toContain(`${total} event(s) · showing 500 · ${total - 500} more not shown`);
    expect(await page.locator('[data-event-id]').count()).toBe(500);
    expect(await page.locator('[data-event-id]').first().textContent()).toContain('kestrel.burst');
    await page.getByLabel('Service').fill('burst');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain('1500 event(s) · showing 100');
    await page.screenshot({ path: join(ARTIFACTS, 'burst.png') });
    await page.close();
  }, 60_000);
});
