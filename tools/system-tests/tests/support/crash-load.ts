/**
 * The whole platform under `kill -9` (issue 14): the real `npm start` CLI runs every synthesized
 * staging stack (identity, customers, analytics-ingest… with their real bundles, outboxes, pipes,
 * rules, queues and Firehose stream) while a load goes through the public interfaces:
 *
 * - sign-ups through Cognito (SignUp + AdminConfirmSignUp): identity's post-confirmation trigger
 *   writes UserRegistered to its outbox → stream → pipe → bus → customers creates the profile;
 * - HTTP commands to customers' API with a real local Cognito token (a staff user): POST
 *   /customers (CustomerCreated), then PATCH /customers/{id} (CustomerDetailsEdited);
 * - PutEvents of UserRegistered v1 on the platform bus (customers and analytics both subscribe).
 *
 * At seeded random points one chosen process is SIGKILLed: the local cloud itself (the CLI's
 * process: edge, Lambda, EventBridge, pipes, Firehose, SQS), or one of the components it
 * supervises (DynamoDB Local, cognito-local, s3rver). A killed CLI is started again on the same
 * data dir and port, as a developer would run `npm start` again; a killed component is restarted by
 * the CLI's supervisor. Once the load is over, the harness waits for quiescence and checks what
 * was acknowledged (a call that failed, or whose answer was lost, counts as not acknowledged; the
 * SDK does no retries):
 *
 * - every acknowledged event reached each matching target at least once (customers: the profile's
 *   CustomerCreated; analytics: its row in the raw zone), or was dead-lettered with a reason;
 * - every outbox item in identity's and customers' tables was published (its event is in the
 *   lake): none stuck behind a pipe checkpoint;
 * - every event in the lake once after de-duplication by `eventId`, with the raw duplicate rate;
 * - no customer created twice: one CustomerCreated `eventId` per customer id, whatever the
 *   redeliveries (one sign-up → one customer).
 *
 * Firehose buffers for 60 s; the harness asks it to deliver now (`LocalFlush`) while it waits, so a
 * run is not 60 s longer. The buffer's own crash safety is the local cloud's crash suite's
 * (`tools/local-cloud/tests/crash`, sink `firehoseRecords`).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminConfirmSignUpCommand, AdminGetUserCommand, CognitoIdentityProviderClient, InitiateAuthCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildPutEventsEntry, UserRegisteredV1 } from '@kestrel/contracts';
import { createLocalUser, findFreePort } from '@kestrel/local-cloud';
import { seededRandom } from '@kestrel/testing';
import { parseLakeObject, flushFirehose, type LakeRow } from './lake';
import { repoRoot, startCli, stopCli, type RunningCli } from './npm-start';

/** What a kill point kills: the CLI's own process, or one of the components it supervises. */
export type KillTarget = 'local-cloud' | 'dynamodb-local' | 'cognito-local' | 's3rver';
export const KILL_TARGETS: readonly KillTarget[] = ['local-cloud', 'dynamodb-local', 'cognito-local', 's3rver'];

export interface SystemCrashOptions {
  seed: number;
  /** How many `kill -9` points. */
  kills: number;
  /** Which processes may be killed (chosen at random, seeded); default all four. */
  targets?: readonly KillTarget[];
  /** Load before each kill, drawn in [min, max] ms (default 1500–4000). */
  loadMs?: { min: number; max: number };
  /** How long to wait for every acknowledged item after the last kill (default 150 s). */
  quiescenceTimeoutMs?: number;
  /**
   * Sets this visibility timeout on the services' queues after each start (SetQueueAttributes, as an
   * operator could). Messages a killed local cloud had received come back only after the queue's
   * visibility timeout, as in AWS after a consumer crash: analytics' is 380 s, longer than a CI run.
   * Unset (the benchmark), the stacks' own timeouts stand and quiescence must outwait them.
   */
  queueVisibilityTimeoutSeconds?: number;
  /** Keep the data dir for inspection. */
  keep?: boolean;
  progress?: (message: string) => void;
}

/** One invariant's count, per kind of acknowledged item. */
export interface Outcome {
  acknowledged: number;
  /** Arrived at every target it was meant for. */
  delivered: number;
  /** Did not arrive everywhere, but a dead-letter queue holds it with a reason. */
  deadLettered: number;
  /** Neither: must be 0, whichever process was killed (DynamoDB Local included). */
  lost: number;
  /** Up to 10 lost ids, to start an investigation with. */
  lostSample: string[];
}

export interface SystemCrashReport {
  seed: number;
  kills: number;
  killPoints: Array<{ round: number; target: KillTarget; afterMs: number; pid: number }>;
  /** Calls made and failed (not acknowledged), with the most frequent failures by kind of call and message. */
  calls: { attempted: number; failed: number; failures: Record<string, number> };
  /** Per kind of load: sign-ups confirmed, customers created and edited over HTTP, events put. */
  outcomes: { signUps: Outcome; httpCreates: Outcome; httpEdits: Outcome; putEvents: Outcome };
  /** Outbox items in identity's and customers' tables whose event never reached the lake: must be 0. */
  stuckOutboxItems: { count: number; outboxItems: number; sample: string[] };
  /** Customer ids with more than one distinct CustomerCreated event: must be empty. */
  customersCreatedTwice: string[];
  lake: {
    rawRows: number;
    distinctEvents: number;
    rawDuplicates: number;
    rawDuplicateRate: number;
    quarantined: number;
    /** The same lake read by `npm run lake:query`: rows of `raw_events`, rows and distinct ids of `latest_events`. */
    query: { rawEvents: number; latestEvents: number; latestEventIds: number };
  };
  deadLetters: { messages: number; reasons: Record<string, number> };
  totals: { sent: number; delivered: number; deadLettered: number; lost: number; duplicates: number };
  durationMs: number;
  dataDir?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PASSWORD = 'correct horse battery 1';
const ENV = 'staging';

interface StackEntry {
  name: string;
  outputs: Record<string, unknown>;
}

/** Where the load goes, read from the applied stacks' outputs. */
interface Topology {
  poolId: string;
  clientId: string;
  apiUrl: string;
  busName: string;
  lakeBucket: string;
}

async function topologyOf(endpoint: string): Promise<Topology> {
  const { stacks } = (await (await fetch(`${endpoint}/_local/state`)).json()) as { stacks: StackEntry[] };
  const output = (stack: string, name: string) => {
    const value = stacks.find((entry) => entry.name === `${stack}-${ENV}`)?.outputs[name];
    if (value === undefined) throw new Error(`stack ${stack}-${ENV} has no output '${name}' (outputs: ${JSON.stringify(stacks.map((entry) => entry.name))})`);
    return String(value);
  };
  return {
    poolId: output('identity', 'user-pool-id'),
    clientId: output('identity', 'mobile-client-id'),
    apiUrl: output('customers', 'http-api-url').replace(/\/$/, ''),
    busName: output('platform', 'event-bus-name'),
    lakeBucket: output('analytics-ingest', 'raw-zone-bucket'),
  };
}

/** What the callers were told succeeded. */
class Acknowledged {
  /** Emails whose AdminConfirmSignUp answered. */
  readonly signUps: string[] = [];
  /** Customer ids POST /customers answered 201 for. */
  readonly httpCreates: string[] = [];
  /** PATCH /customers/{id} answered 200 with an applied change: the id and the version it wrote. */
  readonly httpEdits: Array<{ customerId: string; version: number }> = [];
  /** UserRegistered events PutEvents accepted: our `eventId` and the user id. */
  readonly putEvents: Array<{ eventId: string; userId: string }> = [];
  readonly calls = { attempted: 0, failed: 0, failures: {} as Record<string, number> };
}

/** The load's clients make one attempt (a call that failed is simply not acknowledged); the checks' retry as the SDK does. */
function clientsFor(endpoint: string, maxAttempts = 1) {
  const config = { endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts };
  return {
    cognito: new CognitoIdentityProviderClient(config),
    events: new EventBridgeClient(config),
    dynamodb: new DynamoDBClient(config),
    sqs: new SQSClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    destroy() {
      for (const client of [this.cognito, this.events, this.dynamodb, this.sqs, this.s3]) client.destroy();
    },
  };
}

type Clients = ReturnType<typeof clientsFor>;

/** The load: three loops (sign-ups, HTTP commands, PutEvents) until `running()` turns false. */
function runLoad(clients: Clients, topology: Topology, staffToken: () => string, acknowledged: Acknowledged, running: () => boolean): Promise<void> {
  const attempt = async (kind: string, call: () => Promise<void>) => {
    acknowledged.calls.attempted++;
    try {
      await call();
    } catch (error) {
      acknowledged.calls.failed++;
      const reason = `${kind}: ${(error as Error).name} ${(error as Error).message}`.slice(0, 120);
      acknowledged.calls.failures[reason] = (acknowledged.calls.failures[reason] ?? 0) + 1;
    }
  };
  const signUps = async () => {
    while (running()) {
      const email = `crash-${randomUUID()}@example.com`;
      await attempt('SignUp', async () => {
        await clients.cognito.send(
          new SignUpCommand({ ClientId: topology.clientId, Username: email, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }, { Name: 'given_name', Value: 'Crash' }] }),
        );
      });
      await attempt('AdminConfirmSignUp', async () => {
        await clients.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: topology.poolId, Username: email }));
        acknowledged.signUps.push(email);
      });
    }
  };
  const http = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${topology.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${staffToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
  };
  const commands = async () => {
    while (running()) {
      const customerId = randomUUID();
      let created = false;
      await attempt('POST /customers', async () => {
        const answer = await http('POST', '/customers', { customerId, email: `http-${customerId}@example.com`, givenName: 'Created', locale: 'en-GB' });
        if (answer.status !== 201) throw new Error(`answered ${answer.status}`);
        acknowledged.httpCreates.push(customerId);
        created = true;
      });
      if (!created) continue;
      await attempt('PATCH /customers/{id}', async () => {
        const answer = await http('PATCH', `/customers/${customerId}`, { givenName: 'Edited' });
        const version = (answer.body.customer as { version?: number } | undefined)?.version;
        if (answer.status !== 200 || typeof version !== 'number') throw new Error(`answered ${answer.status}`);
        acknowledged.httpEdits.push({ customerId, version });
      });
    }
  };
  const events = async () => {
    while (running()) {
      const batch = Array.from({ length: 5 }, () => {
        const userId = randomUUID();
        const eventId = randomUUID();
        const entry = buildPutEventsEntry(
          UserRegisteredV1,
          { userId, email: `event-${userId}@example.com`, locale: 'en-GB', registeredAt: new Date().toISOString(), origin: 'migration' },
          { correlationId: `crash-${eventId}`, causationId: `crash-${eventId}`, producer: 'identity', eventId },
          { eventBusName: topology.busName },
        );
        return { entry, eventId, userId };
      });
      await attempt('PutEvents', async () => {
        const result = await clients.events.send(new PutEventsCommand({ Entries: batch.map(({ entry }) => entry) }));
        (result.Entries ?? []).forEach((answer, index) => {
          const item = batch[index];
          if (answer.EventId && !answer.ErrorCode && item) acknowledged.putEvents.push({ eventId: item.eventId, userId: item.userId });
        });
      });
      await sleep(100);
    }
  };
  return Promise.all([signUps(), commands(), events()]).then(() => undefined);
}

/** Rule and queue DLQs (`…-dlq`) and functions' async on-failure destinations (`…-failures`). */
const isDeadLetterQueue = (queueUrl: string) => /dlq$|-failures$/i.test(queueUrl.split('/').pop() ?? '');

/** Why a message was dead-lettered: EventBridge's ERROR_CODE, a Lambda destination's condition, or the queue it sits in. */
function deadLetterReason(queueUrl: string, body: string, errorCode: string | undefined): string {
  if (errorCode) return errorCode;
  try {
    const condition = (JSON.parse(body) as { requestContext?: { condition?: string } }).requestContext?.condition;
    if (condition) return `${condition} (${queueUrl.split('/').pop()})`;
  } catch {
    // Not JSON: the queue names the reason.
  }
  return `in ${queueUrl.split('/').pop()}`;
}

/** What reached the lake and the dead-letter queues, read incrementally while waiting for quiescence. */
class Observed {
  /** eventId → raw rows with it. */
  readonly rowsByEvent = new Map<string, number>();
  readonly rows: LakeRow[] = [];
  /** `<detailType> <customerId or userId>` → its rows. */
  private readonly rowsBySubject = new Map<string, LakeRow[]>();
  quarantined = 0;
  /** Every UUID found in a dead-letter message → the reason recorded with it. */
  readonly deadLettered = new Map<string, string>();
  deadLetterMessages = 0;
  private readonly objectsRead = new Set<string>();
  private readonly messagesRead = new Set<string>();

  constructor(
    private readonly clients: Clients,
    private readonly endpoint: string,
    private readonly bucket: string,
  ) {}

  async read(): Promise<void> {
    await flushFirehose(this.endpoint).catch(() => undefined);
    let token: string | undefined;
    do {
      const page = await this.clients.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (!object.Key || this.objectsRead.has(object.Key)) continue;
        const body = await (await this.clients.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: object.Key }))).Body?.transformToByteArray();
        this.objectsRead.add(object.Key);
        for (const row of parseLakeObject(body ?? new Uint8Array())) {
          if (row.zone === 'quarantine') this.quarantined++;
          this.rows.push(row);
          const subject = `${row.detailType} ${String(row.data.customerId ?? row.data.userId)}`;
          this.rowsBySubject.set(subject, [...(this.rowsBySubject.get(subject) ?? []), row]);
          this.rowsByEvent.set(row.eventId, (this.rowsByEvent.get(row.eventId) ?? 0) + 1);
        }
      }
      token = page.NextContinuationToken;
    } while (token);
    await this.readDeadLetters();
  }

  /** Every message of every `…dlq…` queue, left in place (a long visibility timeout hides it from the next read). */
  private async readDeadLetters(): Promise<void> {
    const { QueueUrls = [] } = await this.clients.sqs.send(new ListQueuesCommand({}));
    for (const queueUrl of QueueUrls.filter(isDeadLetterQueue)) {
      for (;;) {
        const { Messages = [] } = await this.clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 3600, MessageAttributeNames: ['All'] }),
        );
        if (Messages.length === 0) break;
        for (const message of Messages) {
          if (!message.MessageId || this.messagesRead.has(message.MessageId)) continue;
          this.messagesRead.add(message.MessageId);
          this.deadLetterMessages++;
          const reason = deadLetterReason(queueUrl, message.Body ?? '', message.MessageAttributes?.ERROR_CODE?.StringValue);
          for (const id of (message.Body ?? '').match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? []) this.deadLettered.set(id, reason);
        }
      }
    }
  }

  /** Distinct event ids of `detailType` about customer `id` (its `customerId` or `userId`). */
  eventsAbout(detailType: string, id: string, extra: (row: LakeRow) => boolean = () => true): Set<string> {
    return new Set((this.rowsBySubject.get(`${detailType} ${id}`) ?? []).filter(extra).map((row) => row.eventId));
  }
}

/** Outbox items of every service table (`PK` starting `OUTBOX#`), by the event id they carry. */
async function outboxEventIds(dynamodb: DynamoDBClient): Promise<Array<{ eventId: string; about: string }>> {
  const ids: Array<{ eventId: string; about: string }> = [];
  const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
  for (const table of TableNames.filter((name) => name.startsWith(`kestrel-${ENV}-`))) {
    let start: Record<string, never> | undefined;
    do {
      const page = await dynamodb.send(
        new ScanCommand({ TableName: table, ExclusiveStartKey: start, FilterExpression: 'begins_with(PK, :outbox)', ExpressionAttributeValues: { ':outbox': { S: 'OUTBOX#' } } }),
      );
      for (const item of page.Items ?? []) {
        const detail = item.detail?.S ? (JSON.parse(item.detail.S) as { metadata?: { eventId?: string } }) : undefined;
        ids.push({ eventId: detail?.metadata?.eventId ?? (item.PK?.S ?? '').slice('OUTBOX#'.length), about: `${table} ${item.detailType?.S ?? '?'} ${item.subject?.S ?? ''}` });
      }
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start);
  }
  return ids;
}

/** `missing` says what has not arrived for an item (empty: it arrived everywhere). */
function outcome(ids: readonly string[], missing: (id: string) => string[], deadLettered: (id: string) => boolean): Outcome {
  const result: Outcome = { acknowledged: ids.length, delivered: 0, deadLettered: 0, lost: 0, lostSample: [] };
  for (const id of ids) {
    const gaps = missing(id);
    if (gaps.length === 0) result.delivered++;
    else if (deadLettered(id)) result.deadLettered++;
    else {
      result.lost++;
      if (result.lostSample.length < 10) result.lostSample.push(`${id}: no ${gaps.join(', no ')}`);
    }
  }
  return result;
}

/** The invariants, evaluated on what has been observed so far. */
async function evaluate(clients: Clients, topology: Topology, acknowledged: Acknowledged, observed: Observed, subs: Map<string, string>) {
  // Sign-ups are known by email; the user's sub (the customer id) is asked once per user.
  for (const email of acknowledged.signUps) {
    if (subs.has(email)) continue;
    const user = await clients.cognito.send(new AdminGetUserCommand({ UserPoolId: topology.poolId, Username: email }));
    subs.set(email, user.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value ?? '');
  }
  const created = (customerId: string) => (observed.eventsAbout('CustomerCreated', customerId).size > 0 ? [] : [`CustomerCreated of ${customerId} in the lake`]);
  const dead = (id: string) => observed.deadLettered.has(id);
  const signUps = outcome(
    acknowledged.signUps,
    (email) => {
      const sub = subs.get(email) ?? '';
      return [...(observed.eventsAbout('UserRegistered', sub).size > 0 ? [] : [`UserRegistered of ${sub} in the lake`]), ...created(sub)];
    },
    (email) => {
      // The user's UserRegistered is in the lake but customers' delivery of it was dead-lettered.
      const registered = [...observed.eventsAbout('UserRegistered', subs.get(email) ?? '')];
      return registered.some(dead);
    },
  );
  const httpCreates = outcome(acknowledged.httpCreates, created, () => false);
  const edits = acknowledged.httpEdits.map(({ customerId, version }) => `${customerId}@${version}`);
  const httpEdits = outcome(
    edits,
    (key) => {
      const [customerId = '', version] = key.split('@');
      return observed.eventsAbout('CustomerDetailsEdited', customerId, (row) => String(row.data.customerVersion) === version).size > 0 ? [] : ['CustomerDetailsEdited in the lake'];
    },
    () => false,
  );
  const userOfEvent = new Map(acknowledged.putEvents.map((event) => [event.eventId, event.userId]));
  const putEvents = outcome(
    [...userOfEvent.keys()],
    (eventId) => [...(observed.rowsByEvent.has(eventId) ? [] : ['lake row']), ...created(userOfEvent.get(eventId) ?? '')],
    dead,
  );
  const outbox = await outboxEventIds(clients.dynamodb);
  const stuck = outbox.filter(({ eventId }) => !observed.rowsByEvent.has(eventId)).map(({ eventId, about }) => `${eventId} (${about})`);
  const createdPerCustomer = new Map<string, Set<string>>();
  for (const row of observed.rows) {
    if (row.detailType !== 'CustomerCreated') continue;
    const customerId = String(row.data.customerId);
    const ids = createdPerCustomer.get(customerId) ?? new Set<string>();
    createdPerCustomer.set(customerId, ids.add(row.eventId));
  }
  return {
    outcomes: { signUps, httpCreates, httpEdits, putEvents },
    stuckOutboxItems: { count: stuck.length, outboxItems: outbox.length, sample: stuck.slice(0, 10) },
    customersCreatedTwice: [...createdPerCustomer].filter(([, ids]) => ids.size > 1).map(([customerId]) => customerId),
  };
}

/** Every queue but the dead-letter queues gets `seconds` as its visibility timeout. */
async function shortenVisibility(endpoint: string, seconds: number): Promise<void> {
  const sqs = clientsFor(endpoint).sqs;
  const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
  for (const queueUrl of QueueUrls.filter((url) => !isDeadLetterQueue(url))) {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { VisibilityTimeout: String(seconds) } }));
  }
  sqs.destroy();
}

/** Counts through the lake tool analysts use (`npm run lake:query`, DuckDB over the raw zone): is every event once in latest_events? */
function lakeQueryCounts(dataDir: string): SystemCrashReport['lake']['query'] {
  const sql = `SELECT (SELECT count(*) FROM raw_events) AS raw_events, (SELECT count(*) FROM latest_events) AS latest_events, (SELECT count(DISTINCT "eventId") FROM latest_events) AS latest_ids`;
  const cache = mkdtempSync(join(tmpdir(), 'crash-lake-cache-'));
  const { AWS_ENDPOINT_URL: _endpoint, ...env } = process.env;
  const result = spawnSync('npm', ['run', '--silent', 'lake:query', '--', '--json', '--cache', cache, sql], { cwd: repoRoot, encoding: 'utf8', env: { ...env, LOCAL_CLOUD_DATA_DIR: dataDir } });
  rmSync(cache, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`npm run lake:query failed (${result.status}): ${result.stderr}`);
  const [row] = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
  return { rawEvents: Number(row?.raw_events), latestEvents: Number(row?.latest_events), latestEventIds: Number(row?.latest_ids) };
}

/** A password sign-in's ID token, tried for up to a minute (cognito-local may be restarting). */
async function signIn(endpoint: string, clientId: string, email: string, password: string): Promise<string> {
  const cognito = new CognitoIdentityProviderClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 5 });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      try {
        const answer = await cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }));
        if (answer.AuthenticationResult?.IdToken) return answer.AuthenticationResult.IdToken;
        throw new Error(`no ID token for ${email}: ${JSON.stringify(answer.ChallengeName ?? answer.AuthenticationResult)}`);
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      await sleep(500);
    }
  } finally {
    cognito.destroy();
  }
}

/** The pid `/_local/health` reports for a supervised component. */
async function componentPid(endpoint: string, name: KillTarget): Promise<number> {
  const health = (await (await fetch(`${endpoint}/_local/health`, { signal: AbortSignal.timeout(10_000) })).json()) as { components?: Array<{ name: string; pid?: number; state: string }> };
  const component = health.components?.find((entry) => entry.name === name);
  if (!component?.pid) throw new Error(`/_local/health lists no running ${name}: ${JSON.stringify(health.components)}`);
  return component.pid;
}

/** Waits until `/_local/health` answers 200 again (every supervised component back). */
async function healthy(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${endpoint}/_local/health`, { signal: AbortSignal.timeout(2_000) });
      last = `${response.status} ${await response.text()}`;
      if (response.status === 200) return;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`the local cloud did not become healthy again within ${timeoutMs} ms: ${last}`);
}

/**
 * Runs the load with `kills` seeded kill points against `npm start`, then checks the invariants.
 *
 * @example
 * const report = await runSystemCrash({ seed: 14, kills: 2, targets: ['local-cloud', 'dynamodb-local'] });
 * report.totals.lost; // 0
 */
export async function runSystemCrash(options: SystemCrashOptions): Promise<SystemCrashReport> {
  const started = Date.now();
  const random = seededRandom(options.seed);
  const progress = options.progress ?? (() => undefined);
  const targets = options.targets ?? KILL_TARGETS;
  const loadMs = options.loadMs ?? { min: 1500, max: 4000 };
  const dataDir = mkdtempSync(join(tmpdir(), 'system-crash-'));
  const port = await findFreePort();
  const groups = new Set<number>();
  // --no-watch: nothing is edited during the run; watching would only cost CPU.
  const start = async () => {
    const cli = await startCli({ dataDir, port, detached: true, args: ['--no-watch'] });
    if (cli.child.pid) groups.add(cli.child.pid);
    if (options.queueVisibilityTimeoutSeconds !== undefined) await shortenVisibility(cli.endpoint, options.queueVisibilityTimeoutSeconds);
    return cli;
  };
  const acknowledged = new Acknowledged();
  const killPoints: SystemCrashReport['killPoints'] = [];
  let cli: RunningCli | undefined;
  let clients: Clients | undefined;
  try {
    cli = await start();
    clients = clientsFor(cli.endpoint);
    const topology = await topologyOf(cli.endpoint);
    const staff = await createLocalUser({ endpoint: cli.endpoint, email: `crash-staff-${randomUUID()}@example.com`, staff: true });
    // ID tokens expire (identity's app client: minutes); the staff user signs in again before each round.
    let staffToken = staff.idToken;
    const signInStaff = async (endpoint: string) => {
      staffToken = await signIn(endpoint, topology.clientId, staff.email, staff.password);
    };
    progress(`npm start ready on ${cli.endpoint} after ${Date.now() - started} ms; staff user ${staff.email}`);
    // Warm-up: a function's first call starts its environment (seconds on a busy machine), so the
    // first kill point would otherwise hit a load that has not acknowledged anything yet.
    let warming = true;
    const warmUp = runLoad(clients, topology, () => staffToken, acknowledged, () => warming);
    const warmDeadline = Date.now() + 120_000;
    const warmed = () => acknowledged.signUps.length > 0 && acknowledged.httpEdits.length > 0 && acknowledged.putEvents.length > 0;
    while (!warmed() && Date.now() < warmDeadline) await sleep(250);
    warming = false;
    await warmUp;
    progress(`warmed up after ${Date.now() - started} ms`);
    for (let round = 1; round <= options.kills; round++) {
      const target = targets[Math.floor(random() * targets.length)] as KillTarget;
      const afterMs = Math.round(loadMs.min + random() * (loadMs.max - loadMs.min));
      await signInStaff(cli.endpoint);
      let running = true;
      const load = runLoad(clients, topology, () => staffToken, acknowledged, () => running);
      await sleep(afterMs);
      let pid: number;
      if (target === 'local-cloud') {
        pid = cli.child.pid as number;
        cli.child.kill('SIGKILL');
        await cli.exited;
      } else {
        pid = await componentPid(cli.endpoint, target);
        process.kill(pid, 'SIGKILL');
        // The load keeps going while the component is down: callers meet it being restarted.
        await sleep(1000);
      }
      running = false;
      await load;
      killPoints.push({ round, target, afterMs, pid });
      if (target === 'local-cloud') cli = await start();
      else await healthy(cli.endpoint, 60_000);
      progress(
        `round ${round}/${options.kills}: kill -9 ${target} (pid ${pid}) after ${afterMs} ms of load; acknowledged so far: ${acknowledged.signUps.length} sign-ups, ${acknowledged.httpCreates.length} HTTP creates, ${acknowledged.httpEdits.length} edits, ${acknowledged.putEvents.length} events`,
      );
    }

    // Quiescence: read until nothing acknowledged is missing (or the timeout), then once more for late redeliveries.
    const checks = clientsFor(cli.endpoint, 5);
    const observed = new Observed(checks, cli.endpoint, topology.lakeBucket);
    const subs = new Map<string, string>();
    const deadline = Date.now() + (options.quiescenceTimeoutMs ?? 150_000);
    // A read that fails (a component still recovering) is simply tried again on the next pass.
    const look = async () => {
      await observed.read();
      return evaluate(checks, topology, acknowledged, observed, subs);
    };
    let result: Awaited<ReturnType<typeof evaluate>> | undefined;
    const missing = () => (result ? Object.values(result.outcomes).reduce((sum, entry) => sum + entry.lost, 0) + result.stuckOutboxItems.count : Infinity);
    do {
      await sleep(2000);
      result = await look().catch((error: unknown) => {
        progress(`quiescence check failed, trying again: ${(error as Error).message}`);
        return result;
      });
    } while (missing() > 0 && Date.now() < deadline);
    await sleep(3000);
    result = await look();
    checks.destroy();

    const outcomes = Object.values(result.outcomes);
    const rawRows = observed.rows.length;
    const distinctEvents = observed.rowsByEvent.size;
    const reasons: Record<string, number> = {};
    for (const reason of observed.deadLettered.values()) reasons[reason] = (reasons[reason] ?? 0) + 1;
    const query = lakeQueryCounts(dataDir);
    await stopCli(cli, 'SIGTERM');
    cli = undefined;
    return {
      seed: options.seed,
      kills: options.kills,
      killPoints,
      calls: acknowledged.calls,
      ...result,
      lake: {
        rawRows,
        distinctEvents,
        rawDuplicates: rawRows - distinctEvents,
        rawDuplicateRate: distinctEvents === 0 ? 0 : Math.round(((rawRows - distinctEvents) / distinctEvents) * 10_000) / 10_000,
        quarantined: observed.quarantined,
        query,
      },
      deadLetters: { messages: observed.deadLetterMessages, reasons },
      totals: {
        sent: outcomes.reduce((sum, entry) => sum + entry.acknowledged, 0),
        delivered: outcomes.reduce((sum, entry) => sum + entry.delivered, 0),
        deadLettered: outcomes.reduce((sum, entry) => sum + entry.deadLettered, 0),
        lost: outcomes.reduce((sum, entry) => sum + entry.lost, 0) + result.stuckOutboxItems.count,
        duplicates: rawRows - distinctEvents,
      },
      durationMs: Date.now() - started,
      ...(options.keep ? { dataDir } : {}),
    };
  } finally {
    clients?.destroy();
    if (cli) await stopCli(cli, 'SIGTERM').catch(() => undefined);
    // What a kill -9 of the CLI left behind and the next start did not reap (Lambda workers in its group).
    for (const group of groups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (!options.keep) rmSync(dataDir, { recursive: true, force: true });
  }
}
