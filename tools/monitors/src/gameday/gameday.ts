/**
 * Game day: inject each failure a paging runbook covers into a running local cloud, check that the
 * generated monitor for it would fire on what the cloud reports, run the runbook's repair command
 * (the ops CLI's own parser and functions), and count what was lost.
 *
 * The drill service (./drill-stack.ts) is deployed as Terraform would apply it; its monitors are
 * generated from its synthesized stack like any service's. A monitor "would fire" when its query,
 * evaluated on the values the local cloud reports for the same metrics (an SQS queue's
 * `ApproximateNumberOfMessages` is what CloudWatch publishes as `ApproximateNumberOfMessagesVisible`;
 * the local DynamoDB's throttle counts are `ReadThrottleEvents`/`WriteThrottleEvents`), crosses its
 * threshold; after the repair the paging one must be back under it.
 *
 * Five failures, in two lanes run side by side (they share no consumer): the drill consumers'
 * (consumer throwing, poison event, table throttling) and the lake's, whose ingest is
 * analytics-ingest's own bundle (expired key first, while no execution environment holds the
 * key yet, then Firehose refusing).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { FilterLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { OWNERSHIP, ownershipOf } from '@kestrel/observability';
import type { MonitorDefinition } from '../definition';
import { monitorsForStack } from '../generate';
import { MONITOR_KINDS } from '../kinds';
import { parseOpsArgs } from '../ops/args';
import { redrive, type RepairClients } from '../ops/repair';
import { subscriptionTargets, type DeadLetterKind } from '../ops/targets';
import { loadStack } from '../stack';
import { brokenSwitch, drillManifest, keyParameter } from './drill-stack';

/** A generated monitor evaluated on what the local cloud reports. */
export interface EvaluatedMonitor {
  key: string;
  kind: string;
  pagesInProduction: boolean;
  query: string;
  observed: number;
  threshold: number;
}

/** What one failure did, as the JSON report shows it. */
export interface FailureReport {
  failure: string;
  injected: string;
  /** The monitor that would fire (of a kind that pages in production; the drill runs as staging), with the value observed and its threshold. */
  monitor: EvaluatedMonitor;
  detected: boolean;
  /** Slack-only monitors of the cause, evaluated at detection (they say why; they don't page). */
  causes: (EvaluatedMonitor & { fires: boolean })[];
  /** The failing function's log lines that show the injected cause (not a timeout or another fault): how many, and the first. */
  evidence?: { logGroup: string; phrase: string; lines: number; first?: string };
  /** What the runbook has on-call fix before the repair command. */
  fix: string;
  /** The runbook command run, as on-call would type it. */
  repair: string;
  repairResult: { moved: number; failed: number };
  /** The monitor's value after the repair is back under its threshold. */
  recovered: boolean;
  repaired: boolean;
  published: number;
  delivered: number;
  lost: number;
  duplicates: number;
}

export interface GameDayReport {
  startedAt: string;
  finishedAt: string;
  failures: FailureReport[];
  /** Failures the runbooks cover that this game day does not inject yet, and why. */
  notInjected: { failure: string; why: string }[];
  ok: boolean;
}

export interface GameDayContext {
  clients: RepairClients;
  /** For the lake drills (its objects, the key parameter) and the local cloud's control operations. */
  s3: S3Client;
  ssm: SSMClient;
  logs: CloudWatchLogsClient;
  endpoint: string;
  /** The drill stack's folder (as applied to the cloud) and the folder its consumers write to. */
  drillStack: string;
  drillDir: string;
  busName: string;
  /** Bounded waits for the cloud to deliver, retry and dead-letter. */
  waitMs?: number;
}

/** `<agg>(last_<n>):<term> [(+|/) <term>…] <op> <threshold>`, each term `<agg>:<metric>{<tags>}[.as_count()]`. */
const QUERY = /^\w+\(last_\w+\):(.+) (>=|>|<=|<) (-?\d+(?:\.\d+)?)$/;
const TERM = /^\w+:([a-z0-9_.]+)\{([^}]*)\}(?:\.as_count\(\))?$/;

/** A local control operation (unsigned, as the local administrator) on a JSON-protocol service. */
export async function localControl(endpoint: string, target: string, body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const jsonVersion = target.startsWith('DynamoDB_') ? '1.0' : '1.1';
  const response = await fetch(endpoint, { method: 'POST', headers: { 'x-amz-target': target, 'content-type': `application/x-amz-json-${jsonVersion}` }, body: JSON.stringify(body) });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`game day: ${target} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

const THROTTLE_COUNTS: Record<string, string> = { 'aws.dynamodb.read_throttle_events': 'ReadThrottleEvents', 'aws.dynamodb.write_throttle_events': 'WriteThrottleEvents' };

/** Reads what the local cloud reports for a metric, scoped by the monitor's tags. */
async function observe(context: GameDayContext, metric: string, scope: Record<string, string>): Promise<number> {
  if (metric === 'aws.sqs.approximate_number_of_messages_visible' && scope.queuename) {
    const { QueueUrl } = await context.clients.sqs.send(new GetQueueUrlCommand({ QueueName: scope.queuename }));
    const { Attributes } = await context.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  }
  const count = THROTTLE_COUNTS[metric];
  if (count && scope.tablename) {
    const { Tables } = (await localControl(context.endpoint, 'DynamoDB_20120810.LocalDescribeFaultInjection')) as { Tables: Record<string, unknown>[] };
    return Number(Tables.find((table) => table.TableName === scope.tablename)?.[count] ?? 0);
  }
  throw new Error(`The game day has no local source for ${metric}{${Object.entries(scope).map(([k, v]) => `${k}:${v}`).join(',')}}`);
}

/** Evaluates a monitor's query on the local cloud: the observed value and whether it crosses the threshold. */
export async function evaluateMonitor(context: GameDayContext, monitor: MonitorDefinition): Promise<{ observed: number; threshold: number; fires: boolean }> {
  const match = QUERY.exec(monitor.query);
  if (!match) throw new Error(`${monitor.key}: the game day evaluates metric queries with + and /, not ${monitor.query}`);
  const [, expression, comparator, thresholdText] = match as unknown as [string, string, string, string];
  const parts = expression.split(/ ([+/]) /);
  let observed = 0;
  for (let i = 0; i < parts.length; i += 2) {
    const term = TERM.exec(parts[i] as string);
    if (!term) throw new Error(`${monitor.key}: the game day cannot evaluate the term ${parts[i]}`);
    const scope = Object.fromEntries((term[2] as string).split(',').map((tag) => tag.split(':') as [string, string]));
    const value = await observe(context, term[1] as string, scope);
    observed = i === 0 ? value : parts[i - 1] === '+' ? observed + value : value === 0 ? 0 : observed / value;
  }
  const threshold = Number(thresholdText);
  const fires = comparator === '>' ? observed > threshold : comparator === '>=' ? observed >= threshold : comparator === '<' ? observed < threshold : observed <= threshold;
  return { observed, threshold, fires };
}

async function until(what: string, waitMs: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`game day: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

type Entry = { Source: string; DetailType: string; EventBusName: string; Detail: string };

/** Events as identity publishes them, with ids known before they are sent: UserRegistered v1 for the drill consumers, UserSignedIn v1 for the lake. */
function identityEvents(busName: string, count: number, detailType: 'UserRegistered' | 'UserSignedIn'): { ids: string[]; entries: Entry[] } {
  const ids = Array.from({ length: count }, () => randomUUID());
  const now = new Date().toISOString();
  const entries = ids.map((eventId) => ({
    Source: 'kestrel.identity',
    DetailType: detailType,
    EventBusName: busName,
    Detail: JSON.stringify({
      metadata: { eventId, version: 1, occurredAt: now, correlationId: `gameday-${eventId.slice(0, 8)}`, causationId: `gameday-${eventId.slice(0, 8)}`, producer: 'identity' },
      data:
        detailType === 'UserRegistered'
          ? { userId: randomUUID(), email: `player-${eventId.slice(0, 8)}@example.com`, givenName: 'Ada', locale: 'en', registeredAt: now, origin: 'sign-up' }
          : { userId: randomUUID(), clientId: 'gameday', method: 'password', signedInAt: now },
    }),
  }));
  return { ids, entries };
}

/** The context a drill runs in: the drill's records table, and what an injection keeps for its fix. */
type DrillContext = GameDayContext & { recordsTable: string; lake: { stream: string; bucket: string }; saved: { key?: string } };

/** One failure to drill: how to cause it, what it parks where, the fix, and where deliveries are counted. */
interface Injection {
  failure: string;
  injected: string;
  subscription: string;
  events: number;
  detailType: 'UserRegistered' | 'UserSignedIn';
  /** The dead-letter queue the failure fills: the paging monitor watches it. */
  deadLetters: DeadLetterKind;
  /** How many events reach the dead letters. */
  parked: (ids: string[]) => number;
  inject: (context: DrillContext, ids: string[]) => Promise<void>;
  /** The fix the runbook has on-call make before the repair, and making it. */
  fix: string;
  applyFix: (context: DrillContext) => Promise<void>;
  /** Every delivery of the drill's events that reached the consumer's effect (repeats show duplicates). */
  delivered: (context: DrillContext) => Promise<string[]>;
  /** The function whose logs show the cause, and the phrase they show it with. */
  evidence?: { function: string; phrase: string };
  /** Kinds of the Slack-only monitors that say why (evaluated on the same resource family). */
  causes?: (monitors: readonly MonitorDefinition[]) => MonitorDefinition[];
}

function consumerLog(dir: string, consumer: string): string[] {
  const file = join(dir, `${consumer}.log`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** A drill consumer broken (`yes`: every event; `poison:<ids>`: those only) until the fix removes its switch. */
function breakConsumer(consumer: string, breaks: (ids: string[]) => string): Pick<Injection, 'inject' | 'applyFix' | 'delivered'> {
  return {
    inject: async (context, ids) => writeFileSync(brokenSwitch(context.drillDir, consumer), breaks(ids)),
    applyFix: async (context) => rmSync(brokenSwitch(context.drillDir, consumer)),
    delivered: async (context) => consumerLog(context.drillDir, consumer),
  };
}

/** The records table of the drill (the one its dynamodb-throttles monitor watches). */
function recordsTable(monitors: readonly MonitorDefinition[]): string {
  const monitor = monitors.find((m) => m.kind === 'dynamodb-throttles' && m.key.endsWith('-records'));
  if (!monitor) throw new Error('no dynamodb-throttles monitor was generated for the drill records table');
  return monitor.key.split('/').at(-1) as string;
}

/** The drill lake's stream and bucket, as synthesized. */
function lakeOf(drillStack: string): { stream: string; bucket: string } {
  const { resource } = JSON.parse(readFileSync(join(drillStack, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, Record<string, unknown>>> };
  const [stream] = Object.values(resource.aws_kinesis_firehose_delivery_stream ?? {});
  const [bucket] = Object.values(resource.aws_s3_bucket ?? {});
  if (typeof stream?.name !== 'string' || typeof bucket?.bucket !== 'string') throw new Error(`${drillStack}: the drill stack has no lake (a Firehose stream and its bucket)`);
  return { stream: stream.name, bucket: bucket.bucket };
}

/** Event ids in the drill lake's objects, once per row (Firehose delivered now, not after its buffering). */
async function lakeRows(context: DrillContext): Promise<string[]> {
  const { stream, bucket } = context.lake;
  await localControl(context.endpoint, 'Firehose_20150804.LocalFlush', { DeliveryStreamName: stream });
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await context.s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const body = await (await context.s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }))).Body?.transformToString();
      for (const match of (body ?? '').matchAll(/"eventId":"([0-9a-f-]{36})"/g)) ids.push(match[1] as string);
    }
    token = page.NextContinuationToken;
  } while (token);
  return ids;
}

const INJECTIONS: Injection[] = [
  {
    failure: 'consumer-throwing',
    injected: 'the directly delivered consumer throws on every event (a bad deploy); Lambda retries twice, then sends each to its failure queue',
    subscription: 'user-registered',
    events: 3,
    detailType: 'UserRegistered',
    deadLetters: 'function-failures',
    parked: (ids) => ids.length,
    fix: 'deploy the fixed consumer',
    evidence: { function: 'on-user-registered', phrase: 'consumer broken on purpose' },
    ...breakConsumer('on-user-registered', () => 'yes'),
  },
  {
    failure: 'poison-event',
    injected: 'one event of three the queued consumer cannot handle (reported as a batch item failure) until a fix is deployed; after maxReceiveCount receives it moves to the queue DLQ',
    subscription: 'user-registered-batches',
    events: 3,
    detailType: 'UserRegistered',
    deadLetters: 'queue-dlq',
    parked: () => 1,
    fix: 'deploy the consumer that handles the event',
    ...breakConsumer('on-user-registered-batch', (ids) => `poison:${ids[1]}`),
  },
  {
    failure: 'table-throttling',
    injected:
      "the direct consumer's table throttles every write (the local DynamoDB's LocalSetFaultInjection, answering ProvisionedThroughputExceededException); the SDK client retries 4 times, the invocation fails, Lambda retries twice, then each event goes to the function's failure queue",
    subscription: 'user-registered',
    events: 3,
    detailType: 'UserRegistered',
    deadLetters: 'function-failures',
    parked: (ids) => ids.length,
    inject: async (context) => {
      await localControl(context.endpoint, 'DynamoDB_20120810.LocalSetFaultInjection', { TableName: context.recordsTable, ThrottleRate: 1 });
    },
    fix: 'the table takes writes again (on-demand capacity caught up, or the hot key was spread)',
    applyFix: async (context) => {
      await localControl(context.endpoint, 'DynamoDB_20120810.LocalSetFaultInjection', { TableName: context.recordsTable, ThrottleRate: 0 });
    },
    delivered: async (context) => consumerLog(context.drillDir, 'on-user-registered'),
    evidence: { function: 'on-user-registered', phrase: 'ProvisionedThroughputExceededException' },
    causes: (monitors) => monitors.filter((m) => m.kind === 'dynamodb-throttles' && m.key.endsWith(`/${recordsTable(monitors)}`)),
  },
  {
    failure: 'expired-key',
    injected:
      "the lake's pseudonymisation key parameter is gone (an SSM expiration policy deletes it) before the ingest function's next cold start: analytics-ingest's bundle can't start, every batch fails and after maxReceiveCount receives moves to the queue DLQ",
    subscription: 'user-signed-in-lake',
    events: 3,
    detailType: 'UserSignedIn',
    deadLetters: 'queue-dlq',
    parked: (ids) => ids.length,
    inject: async (context) => {
      const name = keyParameter('staging');
      context.saved.key = (await context.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter?.Value;
      await context.ssm.send(new DeleteParameterCommand({ Name: name }));
    },
    fix: 'put the same key back (README runbook: the operator\'s copy; a new key would change every pseudonym)',
    applyFix: async (context) => {
      await context.ssm.send(new PutParameterCommand({ Name: keyParameter('staging'), Type: 'SecureString', Value: context.saved.key, Overwrite: true }));
    },
    delivered: lakeRows,
    evidence: { function: 'ingest', phrase: 'PseudonymisationKeyUnavailableError' },
  },
  {
    failure: 'firehose-refusing',
    injected:
      "the lake's Firehose stream refuses every record (the local Firehose's LocalSetFaultInjection, ServiceUnavailableException per record); analytics-ingest's sender retries 10 times, returns the messages as batch item failures, and after maxReceiveCount receives they move to the queue DLQ",
    subscription: 'user-signed-in-lake',
    events: 3,
    detailType: 'UserSignedIn',
    deadLetters: 'queue-dlq',
    parked: (ids) => ids.length,
    inject: async (context) => {
      await localControl(context.endpoint, 'Firehose_20150804.LocalSetFaultInjection', { FailureRate: 1 });
    },
    fix: 'Firehose accepts records again',
    applyFix: async (context) => {
      await localControl(context.endpoint, 'Firehose_20150804.LocalSetFaultInjection', { FailureRate: 0 });
    },
    delivered: lakeRows,
    evidence: { function: 'ingest', phrase: 'firehose refused records after retries' },
  },
];

/** The failing function's log lines since the injection that carry the phrase. */
async function logEvidence(context: DrillContext, { function: fn, phrase }: { function: string; phrase: string }, since: number): Promise<FailureReport['evidence']> {
  const logGroup = `/aws/lambda/kestrel-staging-${drillManifest.name}-${fn}`;
  const messages: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await context.logs.send(new FilterLogEventsCommand({ logGroupName: logGroup, startTime: since, filterPattern: `"${phrase}"`, nextToken }));
    messages.push(...(page.events ?? []).map((event) => event.message ?? ''));
    nextToken = page.nextToken;
  } while (nextToken);
  return { logGroup, phrase, lines: messages.length, ...(messages[0] ? { first: essentials(messages[0]) } : {}) };
}

/** What a log line says, without the invocation context every line repeats (a JSON line keeps its message and error fields). */
function essentials(line: string): string {
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    // The runtime's own line for a thrown error: `Invoke Error \t{"errorType", "errorMessage", "stack"}`.
    const invokeError = typeof record.message === 'string' && /^Invoke Error\s+\{/.test(record.message) ? (JSON.parse(record.message.replace(/^Invoke Error\s+/, '')) as Record<string, unknown>) : undefined;
    if (invokeError) return JSON.stringify({ errorType: invokeError.errorType, errorMessage: invokeError.errorMessage }).slice(0, 600);
    const kept = Object.fromEntries(['message', 'error', 'errors', 'failedRecords', 'errorType', 'errorMessage'].flatMap((k) => (k in record ? [[k, record[k]]] : [])));
    return JSON.stringify(kept).slice(0, 600);
  } catch {
    return line.slice(0, 600);
  }
}

/** The two lanes: no consumer, switch or queue is shared between them. */
const LANES = [
  ['consumer-throwing', 'poison-event', 'table-throttling'],
  ['expired-key', 'firehose-refusing'],
];

async function runInjection(context: DrillContext, monitors: readonly MonitorDefinition[], injection: Injection): Promise<FailureReport> {
  const waitMs = context.waitMs ?? 90_000;
  const targets = subscriptionTargets(drillManifest, 'staging', injection.subscription);
  const queue = targets.deadLetterQueues.find((q) => q.kind === injection.deadLetters);
  if (!queue) throw new Error(`${injection.subscription} has no ${injection.deadLetters} queue`);
  const monitor = monitors.find((m) => m.kind === 'dlq-depth' && m.key.endsWith(`/${queue.queueName}`));
  if (!monitor) throw new Error(`no dlq-depth monitor was generated for ${queue.queueName}`);
  const evaluated = (m: MonitorDefinition, e: { observed: number; threshold: number }): EvaluatedMonitor => ({
    key: m.key,
    kind: m.kind,
    pagesInProduction: MONITOR_KINDS[m.kind].pages,
    query: m.query,
    observed: e.observed,
    threshold: e.threshold,
  });

  // Inject, publish, wait for the dead letters.
  const startedAt = Date.now();
  const { ids, entries } = identityEvents(context.busName, injection.events, injection.detailType);
  await injection.inject(context, ids);
  const put = await context.clients.events.send(new PutEventsCommand({ Entries: entries }));
  if (put.FailedEntryCount) throw new Error(`game day: the bus refused ${put.FailedEntryCount} event(s)`);
  await until(`${injection.parked(ids)} dead letter(s) in ${queue.queueName}`, waitMs, async () => (await evaluateMonitor(context, monitor)).observed >= injection.parked(ids));
  const detection = await evaluateMonitor(context, monitor);
  const causes = await Promise.all((injection.causes?.(monitors) ?? []).map(async (m) => {
    const e = await evaluateMonitor(context, m);
    return { ...evaluated(m, e), fires: e.fires };
  }));

  const evidence = injection.evidence ? await logEvidence(context, injection.evidence, startedAt) : undefined;

  // Repair as the runbook says: the fix, then the redrive command.
  await injection.applyFix(context);
  const argv = ['redrive', '--service', drillManifest.name, '--env', 'staging', '--subscription', injection.subscription, '--yes'];
  const args = parseOpsArgs(argv);
  const report = await redrive(context.clients, subscriptionTargets(drillManifest, args.env, args.subscription), { dryRun: !args.yes });
  const ours = async () => (await injection.delivered(context)).filter((id) => ids.includes(id));
  await until(`every event of ${injection.failure} delivered`, waitMs, async () => new Set(await ours()).size === ids.length).catch(() => undefined);
  const after = await evaluateMonitor(context, monitor);

  const delivered = await ours();
  const unique = new Set(delivered);
  const lost = ids.filter((id) => !unique.has(id)).length;
  return {
    failure: injection.failure,
    injected: injection.injected,
    monitor: evaluated(monitor, detection),
    detected: detection.fires,
    causes,
    ...(evidence ? { evidence } : {}),
    fix: injection.fix,
    repair: `npx tsx tools/monitors/src/ops/cli.ts ${argv.join(' ')}`,
    repairResult: { moved: report.moved, failed: report.failed },
    recovered: !after.fires,
    repaired: report.failed === 0 && !after.fires && lost === 0,
    published: ids.length,
    delivered: unique.size,
    lost,
    duplicates: delivered.length - unique.size,
  };
}

/**
 * Runs every injection against a cloud where the platform and drill stacks are applied, one lane
 * after another within a lane, the lanes side by side.
 *
 * @example
 * ```ts
 * const report = await runGameDay(drill.context); // drill = await startDrillCloud(workspaceRoot)
 * report.ok; // every failure detected by a paging monitor, repaired, nothing lost
 * ```
 */
export async function runGameDay(context: GameDayContext): Promise<GameDayReport> {
  const startedAt = new Date().toISOString();
  // The drill service is on call with the platform team (its manifest's owner).
  const monitors = monitorsForStack(loadStack(join(context.drillStack, 'cdk.tf.json')), { ownership: { ...OWNERSHIP, [drillManifest.name]: ownershipOf('platform') } });
  const drillContext: DrillContext = { ...context, recordsTable: recordsTable(monitors), lake: lakeOf(context.drillStack), saved: {} };
  const byName = new Map(INJECTIONS.map((injection) => [injection.failure, injection]));
  const lanes = await Promise.all(
    LANES.map(async (lane) => {
      const reports: FailureReport[] = [];
      for (const name of lane) reports.push(await runInjection(drillContext, monitors, byName.get(name) as Injection));
      return reports;
    }),
  );
  const failures = INJECTIONS.map((injection) => lanes.flat().find((report) => report.failure === injection.failure) as FailureReport);
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    failures,
    notInjected: [],
    ok: failures.every((f) => f.detected && f.monitor.pagesInProduction && f.repaired && f.lost === 0 && f.duplicates === 0),
  };
}
