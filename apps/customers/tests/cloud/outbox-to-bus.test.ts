// Through the local cloud, with the synthesized platform and customers stacks applied as
// Terraform would apply them: HTTP request (JWT from a Cognito user pool) → API Gateway → Lambda
// → one DynamoDB transaction (profile + outbox) → stream → EventBridge pipe → platform bus → a
// test listener's SQS queue, where each event must satisfy its contract. And the subscription:
// UserRegistered on the bus, delivered twice → one customer, one CustomerCreated.
// Needs `nx run platform:synth` and `nx run customers:synth` (the `test` target depends on both).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { buildPutEventsEntry, eventRegistry, parseEvent, UserRegisteredV1 } from '@kestrel/contracts';
import { startLocalCloud, type LocalCloud } from '@kestrel/local-cloud';
import { busListener, standInIdentity, type BusListener } from '@kestrel/testing/cloud';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const stackDir = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const platformStack = stackDir('../../../../infra/platform/cdktf.out/stacks/platform-staging');
const customersStack = stackDir('../../cdktf.out/stacks/customers-staging');
const BUS = 'kestrel-staging-bus';

interface Received {
  source: string;
  'detail-type': string;
  detail: { metadata: { eventId: string; version: number }; data: { customerId: string; [field: string]: unknown } };
}

let cloud: LocalCloud;
let listener: BusListener<Received>;
let events: EventBridgeClient;
let apiUrl: string;
let staffToken: string;

/** Reads the listener queue until `predicate` holds for what arrived so far (or the deadline passes). */
const receiveUntil = (predicate: (all: readonly Received[]) => boolean, timeoutMs = 60_000) => listener.receive(predicate, timeoutMs);

const about = (customerId: string, detailType?: string) =>
  listener.received.filter((event) => event.detail.data.customerId === customerId && (detailType === undefined || event['detail-type'] === detailType));

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${apiUrl.replace(/\/$/, '')}${path}`, {
    method,
    headers: { authorization: `Bearer ${staffToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  for (const dir of [platformStack, customersStack]) {
    if (!existsSync(join(dir, 'cdk.tf.json'))) throw new Error(`${dir} is missing: run npx nx run-many -t synth -p platform customers`);
  }
  cloud = await startLocalCloud({ inMemory: true });
  const config = { endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  await cloud.applyStacks([platformStack]);

  // Identity stands in: a user pool with a staff group and a staff member, published where the
  // customers stack's JWT authorizer reads it (identity's SSM parameters).
  const identity = await standInIdentity({
    endpoint: cloud.endpoint,
    region: config.region,
    env: 'staging',
    clientName: 'support-console',
    groups: ['staff'],
    users: [{ username: 'agent', group: 'staff' }],
  });
  staffToken = identity.tokens.agent as string;

  const [report] = await cloud.applyStacks([customersStack]);
  expect(report).toBeDefined();
  apiUrl = cloud.stacks().find((stack) => stack.name === 'customers-staging')?.outputs['http-api-url'] as string;

  // The test listener: everything the customers context publishes, into a queue.
  events = new EventBridgeClient(config);
  listener = await busListener<Received>({ endpoint: cloud.endpoint, region: config.region, busName: BUS, name: 'customers-events-listener', pattern: { source: ['kestrel.customers'] } });
}, 300_000);

// IAM is enforced at the edge: a call a function's role may not make fails the test naming the
// permission, with the smallest statement that would allow it.
afterEach(() => {
  expect(cloud.iamDenials()).toEqual([]);
});

afterAll(async () => {
  await listener?.close();
  events?.destroy();
  await cloud?.stop();
}, 60_000);

describe('customers on the local cloud', () => {
  it('a command over HTTP reaches a listener on the bus as a contract-valid event, through the outbox, stream and pipe', async () => {
    // Prepare
    const customerId = crypto.randomUUID();

    // Act
    const created = await api('POST', '/customers', { customerId, email: 'ada@example.com', givenName: 'Ada', familyName: 'Byron', locale: 'en-GB' });
    await receiveUntil(() => about(customerId, 'CustomerCreated').length > 0);

    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    const [event] = about(customerId, 'CustomerCreated');
    const parsed = parseEvent(eventRegistry.get('kestrel.customers', 'CustomerCreated', 1)!, event);
    expect(parsed.detail.data).toEqual({ customerId, customerVersion: 1, email: 'ada@example.com', givenName: 'Ada', familyName: 'Byron', locale: 'en-GB', origin: 'staff' });
    expect(parsed.detail.metadata.producer).toBe('customers');
  });

  it('a change request publishes one event per applied part, and a refused part publishes nothing', async () => {
    // Prepare
    const customerId = crypto.randomUUID();
    await api('POST', '/customers', { customerId, email: 'grace@example.com', familyName: 'Hopper', locale: 'en-US' });
    await api('PUT', `/customers/${customerId}/delinquency`, { reason: 'Invoice 7 unpaid' });

    // Act
    const changed = await api('PATCH', `/customers/${customerId}`, { title: 'Dr', locale: 'en-GB', preferred: true }, { 'if-match': '"2"' });
    await receiveUntil(() => about(customerId).length >= 4);

    // Assess
    expect(changed.status).toBe(200);
    expect(changed.body.rejected).toEqual([expect.objectContaining({ command: 'MakeCustomerPreferred', code: 'customer-delinquent' })]);
    expect(about(customerId).map((event) => event['detail-type']).sort()).toEqual(
      ['CustomerCreated', 'CustomerDelinquencyChanged', 'CustomerDetailsEdited', 'CustomerLocaleChanged'].sort(),
    );
    for (const event of about(customerId)) {
      expect(() => parseEvent(eventRegistry.get(event.source, event['detail-type'], event.detail.metadata.version)!, event)).not.toThrow();
    }
    expect(about(customerId, 'CustomerDetailsEdited')[0]?.detail.data).toMatchObject({ customerVersion: 3, changes: { title: { from: null, to: 'Dr' } } });
  });

  it('UserRegistered delivered twice on the bus creates one customer and one CustomerCreated', async () => {
    // Prepare: identity publishes; EventBridge delivers at least once (here: the same event put twice)
    const userId = crypto.randomUUID();
    const entry = buildPutEventsEntry(
      UserRegisteredV1,
      { ...UserRegisteredV1.example, userId, email: 'linus@example.com', givenName: 'Linus', familyName: 'Torvalds' },
      { correlationId: 'signup-linus', causationId: 'post-confirmation', producer: 'identity' },
      { eventBusName: BUS },
    );

    // Act
    await events.send(new PutEventsCommand({ Entries: [entry] }));
    await events.send(new PutEventsCommand({ Entries: [entry] }));
    const logFile = join(cloud.dataDir, 'lambda', 'logs', 'kestrel-staging-customers-on-user-registered.log');
    const handled = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter((line) => line.includes(userId)).length : 0);
    await receiveUntil(() => about(userId, 'CustomerCreated').length > 0 && handled() >= 2);
    // The second delivery has been handled (two log lines); anything it published would be on its way: read once more.
    await receiveUntil(() => false, 3_000);

    // Assess
    expect(handled()).toBe(2);
    expect(about(userId, 'CustomerCreated')).toHaveLength(1);
    const profile = await api('GET', `/customers/${userId}`);
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ customerId: userId, givenName: 'Linus', origin: 'registration', version: 1 });
  });
});
