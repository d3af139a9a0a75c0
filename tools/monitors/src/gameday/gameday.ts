/**
 * Game day: inject each failure a paging runbook covers into a running local cloud, check that the
 * generated monitor for it would fire on what the cloud reports, run the runbook's repair command
 * (the ops CLI's own parser and functions), and count what was lost.
 *
 * The drill service (./drill-stack.ts) is deployed as Terraform would apply it; its monitors are
 * generated from its synthesized stack like any service's. A monitor "would fire" when its query,
 * evaluated on the value the local cloud reports for the same metric (an SQS queue's
 * `ApproximateNumberOfMessages` is what CloudWatch publishes as `ApproximateNumberOfMessagesVisible`),
 * crosses its threshold; after the repair it must be back under it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { OWNERSHIP, ownershipOf } from '@kestrel/observability';
import type { MonitorDefinition } from '../definition';
import { monitorsForStack } from '../generate';
import { MONITOR_KINDS } from '../kinds';
import { parseOpsArgs } from '../ops/args';
import { redrive, type RepairClients } from '../ops/repair';
import { subscriptionTargets, type DeadLetterKind } from '../ops/targets';
import { loadStack } from '../stack';
import { brokenSwitch, drillManifest } from './drill-stack';

/** What one failure did, as the JSON report shows it. */
export interface FailureReport {
  failure: string;
  injected: string;
  /** The monitor that would fire (of a kind that pages in production; the drill runs as staging), with the value observed and its threshold. */
  monitor: { key: string; kind: string; pagesInProduction: boolean; query: string; observed: number; threshold: number };
  detected: boolean;
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
  /** The drill stack's folder (as applied to the cloud) and the folder its consumers write to. */
  drillStack: string;
  drillDir: string;
  busName: string;
  /** Bounded waits for the cloud to deliver, retry and dead-letter. */
  waitMs?: number;
}

/** A single-metric monitor query: `<agg>(last_<n>):<agg>:<metric>{<tags>}[.as_count()] <op> <threshold>`. */
const SINGLE_METRIC = /^\w+\(last_\w+\):\w+:([a-z0-9_.]+)\{([^}]*)\}(?:\.as_count\(\))? (>=|>|<=|<) (-?\d+(?:\.\d+)?)$/;

/** Reads what the local cloud reports for a metric, scoped by the monitor's tags. */
async function observe(clients: RepairClients, metric: string, scope: Record<string, string>): Promise<number> {
  if (metric === 'aws.sqs.approximate_number_of_messages_visible' && scope.queuename) {
    const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: scope.queuename }));
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  }
  throw new Error(`The game day has no local source for ${metric}{${Object.entries(scope).map(([k, v]) => `${k}:${v}`).join(',')}}`);
}

/** Evaluates a monitor's query on the local cloud: the observed value and whether it crosses the threshold. */
export async function evaluateMonitor(clients: RepairClients, monitor: MonitorDefinition): Promise<{ observed: number; threshold: number; fires: boolean }> {
  const match = SINGLE_METRIC.exec(monitor.query);
  if (!match) throw new Error(`${monitor.key}: the game day evaluates single-metric queries only, not ${monitor.query}`);
  const [, metric, tags, comparator, thresholdText] = match as unknown as [string, string, string, string, string];
  const scope = Object.fromEntries(tags.split(',').map((tag) => tag.split(':') as [string, string]));
  const observed = await observe(clients, metric, scope);
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

/** UserRegistered v1 events as identity publishes them, with ids known before they are sent. */
function userRegistered(busName: string, count: number): { ids: string[]; entries: { Source: string; DetailType: string; EventBusName: string; Detail: string }[] } {
  const ids = Array.from({ length: count }, () => randomUUID());
  const entries = ids.map((eventId) => ({
    Source: 'kestrel.identity',
    DetailType: 'UserRegistered',
    EventBusName: busName,
    Detail: JSON.stringify({
      metadata: { eventId, version: 1, occurredAt: new Date().toISOString(), correlationId: `gameday-${eventId.slice(0, 8)}` },
      data: { userId: randomUUID(), email: `player-${eventId.slice(0, 8)}@example.com`, givenName: 'Ada', locale: 'en', registeredAt: new Date().toISOString(), origin: 'sign-up' },
    }),
  }));
  return { ids, entries };
}

interface Injection {
  failure: string;
  injected: string;
  subscription: string;
  /** The consumer the failure breaks, and how (`yes`: every event; `poison:<ids>`: those only). */
  consumer: string;
  breaks: (ids: string[]) => string;
  events: number;
  /** The dead-letter queue the failure fills: the paging monitor watches it. */
  deadLetters: DeadLetterKind;
  /** How many events reach the dead letters. */
  parked: (ids: string[]) => number;
}

const INJECTIONS: Injection[] = [
  {
    failure: 'consumer-throwing',
    injected: 'the directly delivered consumer throws on every event (a bad deploy); Lambda retries twice, then sends each to its failure queue',
    subscription: 'user-registered',
    consumer: 'on-user-registered',
    breaks: () => 'yes',
    events: 3,
    deadLetters: 'function-failures',
    parked: (ids) => ids.length,
  },
  {
    failure: 'poison-event',
    injected: 'one event of three the queued consumer cannot handle (reported as a batch item failure) until a fix is deployed; after maxReceiveCount receives it moves to the queue DLQ',
    subscription: 'user-registered-batches',
    consumer: 'on-user-registered-batch',
    breaks: (ids) => `poison:${ids[1]}`,
    events: 3,
    deadLetters: 'queue-dlq',
    parked: () => 1,
  },
];

const NOT_INJECTED: GameDayReport['notInjected'] = [
  { failure: 'table-throttling', why: 'DynamoDB Local serves on-demand tables without throttling and the local cloud has no throttling switch; dynamodb-throttles is Slack-only, and the consumer retries it like an error (consumer-throwing covers the repair)' },
  {
    failure: 'firehose-refusing',
    why: "the local cloud can refuse Firehose records (its LocalSetFaultInjection operation), but the drill service has no delivery stream; the real one is analytics-ingest's, whose queue retries every 380 s up to 10 times (over an hour) before its dead-letter queue: the refused records' way back is the queued redrive poison-event exercises",
  },
  { failure: 'expired-key', why: 'not staged here: it needs the analytics-ingest stack and bundle with its SSM key removed; the repair is putting the key (README runbook), then the queued redrive poison-event exercises' },
];

function deliveredIds(dir: string, consumer: string): string[] {
  const file = join(dir, `${consumer}.log`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

async function runInjection(context: GameDayContext, monitors: readonly MonitorDefinition[], injection: Injection): Promise<FailureReport> {
  const waitMs = context.waitMs ?? 60_000;
  const targets = subscriptionTargets(drillManifest, 'staging', injection.subscription);
  const queue = targets.deadLetterQueues.find((q) => q.kind === injection.deadLetters);
  if (!queue) throw new Error(`${injection.subscription} has no ${injection.deadLetters} queue`);
  const monitor = monitors.find((m) => m.kind === 'dlq-depth' && m.key.endsWith(`/${queue.queueName}`));
  if (!monitor) throw new Error(`no dlq-depth monitor was generated for ${queue.queueName}`);

  // Inject: break the consumer, publish, wait for the dead letters.
  const { ids, entries } = userRegistered(context.busName, injection.events);
  writeFileSync(brokenSwitch(context.drillDir, injection.consumer), injection.breaks(ids));
  const put = await context.clients.events.send(new PutEventsCommand({ Entries: entries }));
  if (put.FailedEntryCount) throw new Error(`game day: the bus refused ${put.FailedEntryCount} event(s)`);
  await until(`${injection.parked(ids)} dead letter(s) in ${queue.queueName}`, waitMs, async () => (await evaluateMonitor(context.clients, monitor)).observed >= injection.parked(ids));
  const detection = await evaluateMonitor(context.clients, monitor);

  // Repair as the runbook says: deploy the fix, then the redrive command.
  rmSync(brokenSwitch(context.drillDir, injection.consumer));
  const argv = ['redrive', '--service', drillManifest.name, '--env', 'staging', '--subscription', injection.subscription, '--yes'];
  const args = parseOpsArgs(argv);
  const report = await redrive(context.clients, subscriptionTargets(drillManifest, args.env, args.subscription), { dryRun: !args.yes });
  const ours = () => deliveredIds(context.drillDir, injection.consumer).filter((id) => ids.includes(id));
  await until(`every event of ${injection.failure} delivered`, waitMs, () => new Set(ours()).size === ids.length).catch(() => undefined);
  const after = await evaluateMonitor(context.clients, monitor);

  const delivered = ours();
  const unique = new Set(delivered);
  const lost = ids.filter((id) => !unique.has(id)).length;
  return {
    failure: injection.failure,
    injected: injection.injected,
    monitor: { key: monitor.key, kind: monitor.kind, pagesInProduction: MONITOR_KINDS[monitor.kind].pages, query: monitor.query, observed: detection.observed, threshold: detection.threshold },
    detected: detection.fires,
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
 * Runs every injection in turn against a cloud where the platform and drill stacks are applied.
 *
 * @example
 * ```ts
 * const report = await runGameDay({ clients: repairClients(), drillStack, drillDir, busName: 'kestrel-staging-bus' });
 * report.ok; // every failure detected by a paging monitor, repaired, nothing lost
 * ```
 */
export async function runGameDay(context: GameDayContext): Promise<GameDayReport> {
  const startedAt = new Date().toISOString();
  // The drill service is on call with the platform team (its manifest's owner).
  const monitors = monitorsForStack(loadStack(join(context.drillStack, 'cdk.tf.json')), { ownership: { ...OWNERSHIP, [drillManifest.name]: ownershipOf('platform') } });
  const failures: FailureReport[] = [];
  for (const injection of INJECTIONS) failures.push(await runInjection(context, monitors, injection));
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    failures,
    notInjected: NOT_INJECTED,
    ok: failures.every((f) => f.detected && f.monitor.pagesInProduction && f.repaired && f.lost === 0 && f.duplicates === 0),
  };
}
