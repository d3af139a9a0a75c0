/**
 * The crash harness: runs a load against a local cloud running as its own
 * process (`runner.ts`), `kill -9`s that process at seeded random points,
 * starts it again on the same data dir, and once the load is over waits for
 * quiescence and checks what was acknowledged against what arrived.
 *
 * The load, through the real SDK clients, with no SDK retries (a call that
 * failed is simply not acknowledged):
 * - PutEvents (10 entries) on `crash-bus`, whose rule has three targets: the
 *   `crash-recorder` Lambda (async; it appends each event id to a file outside
 *   the cloud), the `crash-target` SQS queue and the `crash-lake` Firehose
 *   stream into S3; each target dead-letters to `crash-target-dlq`;
 * - async Invoke of `crash-recorder` (202);
 * - SendMessage to `crash-direct`;
 * - PutRecordBatch to `crash-lake`;
 * - with `outbox`: PutItem of an outbox item into the `crash-outbox` table
 *   (DynamoDB Local), whose stream the `crash-outbox` pipe (starting at
 *   LATEST, as the services' outbox pipes do) publishes on `crash-bus`, where a
 *   rule sends it to the `crash-outbox-published` queue: every item written
 *   must be published (the pipe's checkpoint must never pass an item the bus
 *   has not durably accepted), none may stay stuck.
 *
 * Invariants (each sink): every acknowledged item arrived at least once or
 * was dead-lettered with a reason (`ERROR_CODE`); `lost` counts the others
 * and must be 0. Duplicates are counted, not failed (at-least-once): the lake
 * is "exactly once after de-duplication by id", with its raw duplicate rate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageBatchCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { seededRandom } from '../support/seeded-random';

const here = import.meta.dirname;
const projectDir = join(here, '..', '..');

export interface CrashOptions {
  seed: number;
  /** How many times the local cloud is killed with SIGKILL. */
  kills: number;
  /** Edge port of the local cloud under test; 0 takes a free one at each start. */
  port: number;
  /** Concurrent load loops (each sends every kind of call in turn). */
  concurrency?: number;
  /** How long to wait for every acknowledged item after the last restart (default 120 s). */
  quiescenceTimeoutMs?: number;
  /** Keep the scratch folder (data dir, logs) for inspection. */
  keep?: boolean;
  /** Also run the outbox (DynamoDB Local + stream + pipe) and check every item is published. */
  outbox?: boolean;
  progress?: (message: string) => void;
}

export interface SinkReport {
  /** Items acknowledged to the caller that must reach this sink. */
  acknowledged: number;
  /** Distinct acknowledged items that arrived. */
  delivered: number;
  /** Acknowledged items that went to the dead-letter queue with a reason instead. */
  deadLettered: number;
  /** Acknowledged items that neither arrived nor were dead-lettered: must be 0. */
  lost: number;
  /** Arrivals beyond the first of each item (at-least-once redeliveries). */
  duplicates: number;
  /** Items that arrived without having been acknowledged (the answer was lost in a crash). */
  unacknowledgedArrivals: number;
  /** Up to 10 lost ids, to start an investigation with. */
  lostSample: string[];
  deadLetterReasons: Record<string, number>;
}

export interface CrashReport {
  seed: number;
  kills: number;
  /** Milliseconds after load start (or after READY, for kills during recovery) at which each kill happened. */
  killPoints: Array<{ round: number; phase: 'load' | 'recovery'; afterMs: number }>;
  calls: { attempted: number; failed: number };
  sinks: Record<'eventsToLambda' | 'eventsToQueue' | 'eventsToLake' | 'asyncInvokes' | 'sentMessages' | 'firehoseRecords', SinkReport> & { outboxPublished?: SinkReport };
  totals: { acknowledged: number; delivered: number; deadLettered: number; lost: number; duplicates: number };
  /** Lake: raw duplicates / distinct items. */
  lakeRawDuplicateRate: number;
  /** Log lines of the restarted clouds saying what they recovered. */
  recoveryLog: string[];
  durationMs: number;
  scratch?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The crash stacks laid out as cdktn would: cdk.tf.json plus the recorder bundle as a directory asset. */
async function prepareStacks(scratch: string, outbox: boolean): Promise<string[]> {
  const stackDir = join(scratch, 'stacks', 'crash-staging');
  const outboxDir = join(scratch, 'stacks', 'crash-outbox-staging');
  if (outbox) cpSync(join(here, 'fixtures', 'crash-outbox-stack'), outboxDir, { recursive: true });
  cpSync(join(here, 'fixtures', 'crash-stack'), stackDir, { recursive: true });
  await build({
    entryPoints: [join(here, 'fixtures', 'recorder-handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    outfile: join(stackDir, 'assets', 'recorder', 'BUNDLE', 'index.mjs'),
    logLevel: 'error',
  });
  return outbox ? [stackDir, outboxDir] : [stackDir];
}

/** One run of `runner.ts`: its own process group, so the harness can clean up every descendant at the end. */
class CloudProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly endpoint: string,
  ) {}

  static async start(args: { port: number; dataDir: string; stackDirs: string[]; recordFile: string; logFile: string; recoveryLog: string[] }): Promise<CloudProcess> {
    const log = createWriteStream(args.logFile, { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'runner.ts'), String(args.port), args.dataDir, args.recordFile, ...args.stackDirs], {
      cwd: projectDir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOCAL_CLOUD_LAMBDA_IDLE_TIMEOUT_MS: '600000' },
    });
    spawnedGroups.add(child.pid as number);
    let stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      const text = chunk.toString('utf8');
      stderrTail = (stderrTail + text).slice(-4000);
      for (const line of text.split('\n')) if (/recovered|restored|torn/.test(line)) args.recoveryLog.push(line.trim());
    });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => reject(new Error(`the local cloud did not get ready in 90 s; its log: ${args.logFile}\n${stderrTail}`)), 90_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const ready = /READY (\S+)/.exec(stdout);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1] as string);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the local cloud exited (${code ?? signal}) before it was ready; its log: ${args.logFile}\n${stderrTail}`));
      });
    });
    return new CloudProcess(child, endpoint);
  }

  /** `kill -9` of the local cloud's own process (its children are left to the next start, as after a real crash). */
  async kill9(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
  }
}

/** Process groups started by this harness; every member is SIGKILLed at the end (orphaned children of killed clouds included). */
const spawnedGroups = new Set<number>();

function killSpawnedGroups(): void {
  for (const group of spawnedGroups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  spawnedGroups.clear();
}

interface Acknowledged {
  events: Set<string>;
  invokes: Set<string>;
  messages: Set<string>;
  records: Set<string>;
  /** Outbox items written (PutItem answered), by id; undefined without the outbox. */
  outbox?: Set<string>;
}

function clientsFor(endpoint: string) {
  const config = { endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'crash', secretAccessKey: 'crash' }, maxAttempts: 1 };
  return {
    events: new EventBridgeClient(config),
    lambda: new LambdaClient(config),
    sqs: new SQSClient(config),
    dynamodb: new DynamoDBClient(config),
    firehose: new FirehoseClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
}

/** Sends every kind of call in turn until `running()` turns false; records what was acknowledged. */
async function loadLoop(endpoint: string, acknowledged: Acknowledged, calls: CrashReport['calls'], running: () => boolean): Promise<void> {
  const clients = clientsFor(endpoint);
  const attempt = async (call: () => Promise<void>) => {
    calls.attempted++;
    try {
      await call();
    } catch {
      calls.failed++;
    }
  };
  const directQueueUrl = `${endpoint}/000000000000/crash-direct`;
  while (running()) {
    await attempt(async () => {
      const entries = Array.from({ length: 10 }, (_, index) => ({ EventBusName: 'crash-bus', Source: 'crash.load', DetailType: 'Load', Detail: JSON.stringify({ index }) }));
      const result = await clients.events.send(new PutEventsCommand({ Entries: entries }));
      for (const entry of result.Entries ?? []) if (entry.EventId) acknowledged.events.add(entry.EventId);
    });
    await attempt(async () => {
      const id = `invoke-${randomUUID()}`;
      const result = await clients.lambda.send(new InvokeCommand({ FunctionName: 'crash-recorder', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ id })) }));
      if (result.StatusCode === 202) acknowledged.invokes.add(id);
    });
    await attempt(async () => {
      const id = `message-${randomUUID()}`;
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: directQueueUrl, MessageBody: JSON.stringify({ id }) }));
      acknowledged.messages.add(id);
    });
    await attempt(async () => {
      const ids = Array.from({ length: 5 }, () => `record-${randomUUID()}`);
      const result = await clients.firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'crash-lake', Records: ids.map((id) => ({ Data: Buffer.from(JSON.stringify({ id })) })) }),
      );
      (result.RequestResponses ?? []).forEach((response, index) => {
        if (response.RecordId && !response.ErrorCode) acknowledged.records.add(ids[index] as string);
      });
    });
  }
  for (const client of Object.values(clients)) client.destroy();
}

/** Writes outbox items (the service side of the outbox pattern) until `running()` turns false. */
async function outboxLoop(endpoint: string, written: Set<string>, calls: CrashReport['calls'], running: () => boolean): Promise<void> {
  const { dynamodb } = clientsFor(endpoint);
  while (running()) {
    calls.attempted++;
    const id = `outbox-${randomUUID()}`;
    try {
      await dynamodb.send(new PutItemCommand({ TableName: 'crash-outbox', Item: { pk: { S: id }, detail: { S: JSON.stringify({ id }) } } }));
      written.add(id);
    } catch {
      calls.failed++;
    }
  }
  dynamodb.destroy();
}

/** What arrived where, read after the last restart (queues drained as they are read). */
class Arrivals {
  readonly recorder = new Map<string, number>();
  readonly queue = new Map<string, number>();
  readonly direct = new Map<string, number>();
  readonly lake = new Map<string, number>();
  readonly outbox = new Map<string, number>();
  /** Dead-lettered: id → target id → ERROR_CODE. */
  readonly deadLetters = new Map<string, Map<string, string>>();
  private readonly lakeKeysRead = new Set<string>();

  constructor(
    private readonly clients: ReturnType<typeof clientsFor>,
    private readonly recordFile: string,
    private readonly withOutbox: boolean,
  ) {}

  async read(): Promise<void> {
    this.recorder.clear();
    const text = existsSync(this.recordFile) ? readFileSync(this.recordFile, 'utf8') : '';
    for (const line of text.split('\n')) if (line) this.recorder.set(line, (this.recorder.get(line) ?? 0) + 1);
    await this.drain('crash-target', (body) => count(this.queue, (JSON.parse(body) as { id: string }).id));
    await this.drain('crash-direct', (body) => count(this.direct, (JSON.parse(body) as { id: string }).id));
    await this.drain('crash-target-dlq', (body, attributes) => {
      const id = (JSON.parse(body) as { id: string }).id;
      const target = (attributes.TARGET_ARN ?? '').split(':')[2] ?? 'unknown';
      let byTarget = this.deadLetters.get(id);
      if (!byTarget) this.deadLetters.set(id, (byTarget = new Map()));
      byTarget.set(target, attributes.ERROR_CODE ?? 'NO_ERROR_CODE');
    });
    if (this.withOutbox) await this.drain('crash-outbox-published', (body) => count(this.outbox, (JSON.parse(body) as { detail: { id: string } }).detail.id));
    await this.readLake();
  }

  private async drain(queueName: string, take: (body: string, attributes: Record<string, string | undefined>) => void): Promise<void> {
    const { QueueUrl } = await this.clients.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
    for (;;) {
      const { Messages = [] } = await this.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60, MessageAttributeNames: ['All'] }),
      );
      if (Messages.length === 0) return;
      for (const message of Messages) {
        take(message.Body ?? '', Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue])));
      }
      await this.clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }));
    }
  }

  private async readLake(): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.clients.s3.send(new ListObjectsV2Command({ Bucket: 'crash-lake', ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (!object.Key || this.lakeKeysRead.has(object.Key)) continue;
        const body = await (await this.clients.s3.send(new GetObjectCommand({ Bucket: 'crash-lake', Key: object.Key }))).Body?.transformToString();
        this.lakeKeysRead.add(object.Key);
        for (const line of (body ?? '').split('\n')) if (line.trim()) count(this.lake, (JSON.parse(line) as { id: string }).id);
      }
      token = page.NextContinuationToken;
    } while (token);
  }
}

function count(map: Map<string, number>, id: string): void {
  map.set(id, (map.get(id) ?? 0) + 1);
}

function sinkReport(acknowledged: Set<string>, arrived: ReadonlyMap<string, number>, relevant: (id: string) => boolean, deadLetters: Arrivals['deadLetters'], target: string | undefined): SinkReport {
  let delivered = 0;
  let deadLettered = 0;
  const lost: string[] = [];
  const deadLetterReasons: Record<string, number> = {};
  for (const id of acknowledged) {
    if (arrived.has(id)) delivered++;
    else {
      const reason = target ? deadLetters.get(id)?.get(target) : undefined;
      if (reason) {
        deadLettered++;
        deadLetterReasons[reason] = (deadLetterReasons[reason] ?? 0) + 1;
      } else lost.push(id);
    }
  }
  let duplicates = 0;
  let unacknowledgedArrivals = 0;
  for (const [id, times] of arrived) {
    if (!relevant(id)) continue;
    duplicates += times - 1;
    if (!acknowledged.has(id)) unacknowledgedArrivals++;
  }
  return { acknowledged: acknowledged.size, delivered, deadLettered, lost: lost.length, duplicates, unacknowledgedArrivals, lostSample: lost.slice(0, 10), deadLetterReasons };
}

/**
 * Runs the load with `kills` kill -9 points and checks the invariants.
 *
 * @example
 * const report = await runCrashScenario({ seed: 7, kills: 3, port: 4605 });
 * report.totals.lost; // 0
 */
export async function runCrashScenario(options: CrashOptions): Promise<CrashReport> {
  const started = Date.now();
  const random = seededRandom(options.seed);
  const progress = options.progress ?? (() => undefined);
  const scratch = mkdtempSync(join(tmpdir(), 'crash-'));
  const dataDir = join(scratch, 'data');
  const recordFile = join(scratch, 'recorded.txt');
  const logFile = join(scratch, 'cloud.log');
  mkdirSync(dataDir, { recursive: true });
  const recoveryLog: string[] = [];
  const acknowledged: Acknowledged = { events: new Set(), invokes: new Set(), messages: new Set(), records: new Set(), ...(options.outbox ? { outbox: new Set<string>() } : {}) };
  const calls = { attempted: 0, failed: 0 };
  const killPoints: CrashReport['killPoints'] = [];
  let cloud: CloudProcess | undefined;
  try {
    const stackDirs = await prepareStacks(scratch, options.outbox === true);
    const startCloud = () => CloudProcess.start({ port: options.port, dataDir, stackDirs, recordFile, logFile, recoveryLog });
    cloud = await startCloud();
    for (let round = 1; round <= options.kills; round++) {
      // Most kills land in the middle of the load; some right after a restart, while recovered work is being redone.
      const phase = random() < 0.25 && round > 1 ? 'recovery' : 'load';
      const afterMs = Math.round(phase === 'recovery' ? random() * 300 : 300 + random() * 1200);
      let running = true;
      const endpoint = cloud.endpoint;
      const loops = Array.from({ length: options.concurrency ?? 3 }, () => loadLoop(endpoint, acknowledged, calls, () => running));
      if (acknowledged.outbox) loops.push(outboxLoop(endpoint, acknowledged.outbox, calls, () => running));
      await sleep(afterMs);
      await cloud.kill9();
      running = false;
      await Promise.all(loops);
      killPoints.push({ round, phase, afterMs });
      progress(
        `round ${round}/${options.kills}: killed after ${afterMs} ms (${phase}); acknowledged so far: ${acknowledged.events.size} events, ${acknowledged.invokes.size} invokes, ${acknowledged.messages.size} messages, ${acknowledged.records.size} records${acknowledged.outbox ? `, ${acknowledged.outbox.size} outbox items` : ''}`,
      );
      cloud = await startCloud();
    }
    const report = await checkInvariants(cloud.endpoint, recordFile, acknowledged, options.quiescenceTimeoutMs ?? 120_000);
    await cloud.stop();
    cloud = undefined;
    return { seed: options.seed, kills: options.kills, killPoints, calls, ...report, recoveryLog, durationMs: Date.now() - started, ...(options.keep ? { scratch } : {}) };
  } finally {
    if (cloud) await cloud.stop().catch(() => undefined);
    killSpawnedGroups();
    if (!options.keep) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Waits until every acknowledged item arrived or was dead-lettered (or the timeout), then reports per sink. */
async function checkInvariants(endpoint: string, recordFile: string, acknowledged: Acknowledged, timeoutMs: number) {
  const clients = clientsFor(endpoint);
  const arrivals = new Arrivals(clients, recordFile, acknowledged.outbox !== undefined);
  const eventId = (id: string) => !/^(invoke|record|message|outbox)-/.test(id);
  const sinks = () => ({
    eventsToLambda: sinkReport(acknowledged.events, arrivals.recorder, eventId, arrivals.deadLetters, 'lambda'),
    eventsToQueue: sinkReport(acknowledged.events, arrivals.queue, eventId, arrivals.deadLetters, 'sqs'),
    eventsToLake: sinkReport(acknowledged.events, arrivals.lake, eventId, arrivals.deadLetters, 'firehose'),
    asyncInvokes: sinkReport(acknowledged.invokes, arrivals.recorder, (id) => id.startsWith('invoke-'), arrivals.deadLetters, undefined),
    sentMessages: sinkReport(acknowledged.messages, arrivals.direct, () => true, arrivals.deadLetters, undefined),
    firehoseRecords: sinkReport(acknowledged.records, arrivals.lake, (id) => id.startsWith('record-'), arrivals.deadLetters, undefined),
    ...(acknowledged.outbox ? { outboxPublished: sinkReport(acknowledged.outbox, arrivals.outbox, () => true, arrivals.deadLetters, undefined) } : {}),
  });
  const deadline = Date.now() + timeoutMs;
  let current = sinks();
  for (;;) {
    await arrivals.read();
    current = sinks();
    const lost = Object.values(current).reduce((sum, sink) => sum + sink.lost, 0);
    if (lost === 0 || Date.now() > deadline) break;
    await sleep(500);
  }
  // Late redeliveries still count as duplicates: one more look after the work settled.
  await sleep(1500);
  await arrivals.read();
  current = sinks();
  for (const client of Object.values(clients)) client.destroy();
  const all = Object.values(current);
  const lakeDistinct = current.eventsToLake.delivered + current.firehoseRecords.delivered;
  return {
    sinks: current,
    totals: {
      acknowledged: all.reduce((sum, sink) => sum + sink.acknowledged, 0),
      delivered: all.reduce((sum, sink) => sum + sink.delivered, 0),
      deadLettered: all.reduce((sum, sink) => sum + sink.deadLettered, 0),
      lost: all.reduce((sum, sink) => sum + sink.lost, 0),
      duplicates: all.reduce((sum, sink) => sum + sink.duplicates, 0),
    },
    lakeRawDuplicateRate: lakeDistinct === 0 ? 0 : Math.round(((current.eventsToLake.duplicates + current.firehoseRecords.duplicates) / lakeDistinct) * 10_000) / 10_000,
  };
}
