import { DescribeArchiveCommand, DescribeReplayCommand, DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { allContracts } from '@kestrel/contracts';
import { redactEvent } from '@kestrel/observability/redact';
import type { DeadLetterQueueTarget, SubscriptionTargets } from './targets';

/** The real SDK v3 clients; endpoint and region come from the environment (`AWS_ENDPOINT_URL`, `AWS_REGION`) unless given. */
export interface RepairClients {
  sqs: SQSClient;
  events: EventBridgeClient;
  lambda: LambdaClient;
}

export function repairClients(config: { endpoint?: string; region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): RepairClients {
  const shared = { ...config, region: config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION };
  return { sqs: new SQSClient(shared), events: new EventBridgeClient(shared), lambda: new LambdaClient(shared) };
}

/** How long to wait for a move task or replay to finish before reporting it as still running. */
const WAIT_MS = 60_000;
const POLL_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface QueueRef {
  url: string;
  arn: string;
  depth: number;
}

async function queueRef(sqs: SQSClient, queueName: string): Promise<QueueRef> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'] }));
  return { url: QueueUrl as string, arn: String(Attributes?.QueueArn), depth: Number(Attributes?.ApproximateNumberOfMessages ?? 0) };
}

/** A dead letter read back: the event it holds, and why it failed. */
export interface DeadLetter {
  queue: string;
  kind: DeadLetterQueueTarget['kind'];
  messageId: string;
  sentAt?: string;
  receiveCount: number;
  /** ERROR_CODE / ERROR_MESSAGE / RULE_ARN … for rule DLQs; condition and the function's error for function failures. */
  error: Record<string, string>;
  /** The event, PII redacted by its contract (`data` dropped when no contract matches). */
  event: unknown;
}

/** The event inside a dead letter's body, and the error details its envelope carries. */
function unwrap(kind: DeadLetterQueueTarget['kind'], message: Message): { event: unknown; error: Record<string, string> } {
  let body: unknown;
  try {
    body = JSON.parse(message.Body ?? '');
  } catch {
    return { event: undefined, error: { body: 'not JSON' } };
  }
  const error: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) if (value.StringValue !== undefined) error[name] = value.StringValue;
  if (kind === 'function-failures' && typeof body === 'object' && body !== null && 'requestPayload' in body) {
    const record = body as { requestPayload: unknown; requestContext?: { condition?: string; approximateInvokeCount?: number }; responsePayload?: { errorType?: string; errorMessage?: string } };
    if (record.requestContext?.condition) error.condition = record.requestContext.condition;
    if (record.requestContext?.approximateInvokeCount !== undefined) error.attempts = String(record.requestContext.approximateInvokeCount);
    if (record.responsePayload?.errorType) error.errorType = record.responsePayload.errorType;
    if (record.responsePayload?.errorMessage) error.errorMessage = record.responsePayload.errorMessage;
    return { event: record.requestPayload, error };
  }
  return { event: body, error };
}

/** Reads without consuming: visibility timeout 0, so each message is visible again at once; stops when a read brings nothing new. */
async function peek(sqs: SQSClient, url: string, limit: number): Promise<Message[]> {
  const seen = new Map<string, Message>();
  while (seen.size < limit) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    const fresh = Messages.filter((message) => !seen.has(message.MessageId as string));
    if (fresh.length === 0) break;
    for (const message of fresh) seen.set(message.MessageId as string, message);
  }
  return [...seen.values()];
}

/**
 * The newest dead letters of a subscription (every one of its DLQs), newest first, PII redacted.
 * Reading raises each message's receive count but leaves it in the queue.
 */
export async function inspect(clients: RepairClients, targets: SubscriptionTargets, limit = 10): Promise<DeadLetter[]> {
  const contracts = allContracts();
  const letters: DeadLetter[] = [];
  for (const queue of targets.deadLetterQueues) {
    const { url } = await queueRef(clients.sqs, queue.queueName);
    for (const message of await peek(clients.sqs, url, limit)) {
      const { event, error } = unwrap(queue.kind, message);
      const sent = Number(message.Attributes?.SentTimestamp);
      letters.push({
        queue: queue.queueName,
        kind: queue.kind,
        messageId: message.MessageId as string,
        ...(Number.isFinite(sent) ? { sentAt: new Date(sent).toISOString() } : {}),
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
        error,
        event: event === undefined ? undefined : redactEvent(contracts, event),
      });
    }
  }
  return letters.sort((a, b) => (b.sentAt ?? '').localeCompare(a.sentAt ?? '')).slice(0, limit);
}

/** What a redrive did (or, in a dry run, would do) per dead-letter queue. */
export interface RedriveQueueReport {
  queue: string;
  kind: DeadLetterQueueTarget['kind'];
  /** Messages waiting when the redrive began. */
  waiting: number;
  moved: number;
  failed: number;
  /** Why messages failed, one line each. */
  failures: string[];
  /** How they go back. */
  action: string;
}

export interface RedriveReport {
  dryRun: boolean;
  queues: RedriveQueueReport[];
  moved: number;
  failed: number;
}

/** Where a rule-DLQ event goes back: the rule's own target (so no other rule sees it twice). */
async function ruleTarget(events: EventBridgeClient, targets: SubscriptionTargets): Promise<{ ruleArn: string; targetArn: string }> {
  const rule = await events.send(new DescribeRuleCommand({ Name: targets.ruleName, EventBusName: targets.busName }));
  const { Targets = [] } = await events.send(new ListTargetsByRuleCommand({ Rule: targets.ruleName, EventBusName: targets.busName }));
  if (Targets.length !== 1) throw new Error(`${targets.ruleName} has ${Targets.length} targets; the redrive needs exactly one`);
  return { ruleArn: rule.Arn as string, targetArn: Targets[0]?.Arn as string };
}

/** An asynchronous invocation, as EventBridge makes it: the function's retries and failure destination apply again. */
async function invokeAsync(lambda: LambdaClient, functionName: string, body: string): Promise<void> {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(body) }));
  if (answer.StatusCode !== 202) throw new Error(`Lambda answered ${answer.StatusCode} to the async invoke`);
}

/** Hands one event to a Lambda function or an SQS queue, the two target kinds our rules have. */
async function deliverTo(clients: RepairClients, targetArn: string, body: string): Promise<void> {
  const [, , service, , , resource, name] = targetArn.split(':');
  if (service === 'lambda' && resource === 'function' && name) return invokeAsync(clients.lambda, targetArn, body);
  if (service === 'sqs' && resource) {
    const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: resource }));
    await clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    return;
  }
  throw new Error(`target ${targetArn} is neither a Lambda function nor an SQS queue`);
}

/** Reads every message once (each hidden for `visibility` seconds while it is handled) and applies `handle`, deleting those it accepted. */
async function drain(clients: RepairClients, queue: QueueRef, handle: (message: Message) => Promise<void>, report: RedriveQueueReport): Promise<void> {
  // A failed message comes back after the visibility timeout: meeting one again means every message was tried once.
  const tried = new Set<string>();
  for (;;) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
    );
    const fresh = Messages.filter((message) => !tried.has(message.MessageId as string));
    if (fresh.length === 0) return;
    for (const message of fresh) {
      tried.add(message.MessageId as string);
      try {
        await handle(message);
        await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }));
        report.moved++;
      } catch (error) {
        // Left in the queue (visible again after the timeout) for the next redrive.
        report.failed++;
        report.failures.push(`${message.MessageId}: ${(error as Error).message}`);
      }
    }
  }
}

async function waitForMoveTask(sqs: SQSClient, sourceArn: string, taskHandle: string): Promise<{ moved: number; toMove: number; failure?: string }> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }));
    const task = Results.find((result) => result.TaskHandle === taskHandle) ?? Results[0];
    const state = task?.Status;
    if (state === 'COMPLETED' || state === 'FAILED' || state === 'CANCELLED' || Date.now() > deadline) {
      const failure = state === 'COMPLETED' ? undefined : (task?.FailureReason ?? `move task ${state ?? 'not found'}`);
      return { moved: Number(task?.ApproximateNumberOfMessagesMoved ?? 0), toMove: Number(task?.ApproximateNumberOfMessagesToMove ?? 0), ...(failure ? { failure } : {}) };
    }
    await sleep(POLL_MS);
  }
}

/**
 * Moves a subscription's dead letters back where they were headed: the SQS DLQ of a queued
 * subscription with a message move task; rule-DLQ events to the rule's target; function failures
 * to the function (async invoke of the original event). With `dryRun`, only counts and says how.
 * Consumers are idempotent on `eventId`, so a message redriven twice is harmless.
 */
export async function redrive(clients: RepairClients, targets: SubscriptionTargets, { dryRun }: { dryRun: boolean }): Promise<RedriveReport> {
  const queues: RedriveQueueReport[] = [];
  for (const target of targets.deadLetterQueues) {
    const queue = await queueRef(clients.sqs, target.queueName);
    const report: RedriveQueueReport = { queue: target.queueName, kind: target.kind, waiting: queue.depth, moved: 0, failed: 0, failures: [], action: '' };
    queues.push(report);
    if (target.kind === 'queue-dlq') {
      const source = await queueRef(clients.sqs, target.sourceQueueName as string);
      report.action = `StartMessageMoveTask → ${target.sourceQueueName}`;
      if (dryRun || queue.depth === 0) continue;
      const { TaskHandle } = await clients.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queue.arn, DestinationArn: source.arn }));
      const outcome = await waitForMoveTask(clients.sqs, queue.arn, TaskHandle as string);
      report.moved = outcome.moved;
      report.failed = Math.max(0, outcome.toMove - outcome.moved);
      if (outcome.failure) report.failures.push(outcome.failure);
      continue;
    }
    if (target.kind === 'function-failures') {
      const functionName = target.functionName as string;
      report.action = `async invoke ${functionName} with each record's requestPayload`;
      if (dryRun || queue.depth === 0) continue;
      await drain(clients, queue, async (message) => {
        const record = JSON.parse(message.Body ?? '') as { requestPayload?: unknown };
        if (record.requestPayload === undefined) throw new Error('not a Lambda invocation record (no requestPayload)');
        await invokeAsync(clients.lambda, functionName, JSON.stringify(record.requestPayload));
      }, report);
      continue;
    }
    const { ruleArn, targetArn } = await ruleTarget(clients.events, targets);
    report.action = `send each event to ${targets.ruleName}'s target ${targetArn}`;
    if (dryRun || queue.depth === 0) continue;
    await drain(clients, queue, async (message) => {
      const from = message.MessageAttributes?.RULE_ARN?.StringValue;
      // The queue policy lets only this rule write here; a message naming another rule is left for a person.
      if (from !== undefined && from !== ruleArn) throw new Error(`RULE_ARN ${from} is not ${ruleArn}`);
      await deliverTo(clients, targetArn, message.Body ?? '');
    }, report);
  }
  return { dryRun, queues, moved: sum(queues, 'moved'), failed: sum(queues, 'failed') };
}

const sum = (reports: RedriveQueueReport[], field: 'moved' | 'failed') => reports.reduce((total, report) => total + report[field], 0);


export interface ReplayReport {
  dryRun: boolean;
  replayName: string;
  archiveArn: string;
  ruleArn: string;
  from: string;
  to: string;
  /** Events the archive holds in all (EventBridge reports no per-window or per-rule count). */
  archivedEvents: number;
  state?: string;
  stateReason?: string;
}

/**
 * Replays a time window of the platform bus archive to one subscription's rule only
 * (`Destination.FilterArns` = that rule), waiting for the replay to finish.
 */
export async function replay(clients: RepairClients, targets: SubscriptionTargets, window: { from: Date; to: Date }, { dryRun }: { dryRun: boolean }): Promise<ReplayReport> {
  if (!(window.from < window.to)) throw new Error(`from: ${window.from.toISOString()} must be before to: ${window.to.toISOString()}`);
  const archive = await clients.events.send(new DescribeArchiveCommand({ ArchiveName: targets.archiveName }));
  const rule = await clients.events.send(new DescribeRuleCommand({ Name: targets.ruleName, EventBusName: targets.busName }));
  // Replay names: at most 64 characters of [.-_A-Za-z0-9]; the window's start keeps them unique and readable.
  const replayName = `${targets.subscription}-${window.from.toISOString().replace(/[^0-9]/g, '').slice(0, 14)}-${Date.now().toString(36)}`.slice(-64);
  const report: ReplayReport = {
    dryRun,
    replayName,
    archiveArn: archive.ArchiveArn as string,
    ruleArn: rule.Arn as string,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    archivedEvents: Number(archive.EventCount ?? 0),
  };
  if (dryRun) return report;
  await clients.events.send(
    new StartReplayCommand({
      ReplayName: replayName,
      Description: `kestrel ops replay of ${targets.service}/${targets.subscription}`,
      EventSourceArn: archive.ArchiveArn,
      EventStartTime: window.from,
      EventEndTime: window.to,
      Destination: { Arn: archive.EventSourceArn, FilterArns: [rule.Arn as string] },
    }),
  );
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const described = await clients.events.send(new DescribeReplayCommand({ ReplayName: replayName }));
    report.state = described.State;
    if (described.StateReason) report.stateReason = described.StateReason;
    if (described.State === 'COMPLETED' || described.State === 'FAILED' || described.State === 'CANCELLED' || Date.now() > deadline) return report;
    await sleep(POLL_MS);
  }
}
