/**
 * Dead letters: every SQS queue that is a dead-letter queue of something —
 * another queue's redrive target, an EventBridge target's DLQ, a function's
 * on-failure destination or dead-letter queue — with its messages read in
 * place (not received: nothing's visibility or receive count changes), and
 * redrive or delete.
 *
 * Redrive goes where the ops CLI (tools/monitors/src/ops) sends it:
 * - queue DLQ: back to the source queue through the SQS module's message move
 *   task (`StartMessageMoveTask`, all messages) or its single-message step;
 * - EventBridge target DLQ: the event to that rule's target only;
 * - function failures / function DLQ: the original payload as an async invoke.
 */
import type { StoredMessage } from '../../services/sqs/queue';
import { busOfRuleArn, type EventEnvelope } from '../../services/eventbridge/model';
import { ConsoleError } from '../routes';
import type { ConsoleDeps, ConsoleRoute } from '../routes';
import { moduleNamed, requireModule } from '../modules';

export type DeadLetterKind = 'queue-dlq' | 'rule-dlq' | 'function-failures' | 'function-dlq';

/** What a dead-letter queue collects for. */
export interface DeadLetterOrigin {
  kind: DeadLetterKind;
  /** queue-dlq: the queue whose redrive policy names this one. */
  sourceQueue?: string;
  /** rule-dlq. */
  rule?: string;
  bus?: string;
  targetArn?: string;
  /** function-failures, function-dlq. */
  functionName?: string;
}

export interface DeadLetterQueue {
  name: string;
  arn: string;
  depth: number;
  origins: DeadLetterOrigin[];
}

const arnName = (arn: string) => arn.split(':').pop() as string;
const isQueueArn = (arn: string | undefined): arn is string => typeof arn === 'string' && arn.startsWith('arn:aws:sqs:');

/** Every dead-letter queue of the running cloud, with what feeds it. */
export function deadLetterQueues(deps: ConsoleDeps): DeadLetterQueue[] {
  const sqs = requireModule(deps, 'sqs').service;
  const origins = new Map<string, DeadLetterOrigin[]>();
  const add = (queueArn: string, origin: DeadLetterOrigin) => {
    const name = arnName(queueArn);
    if (!sqs.find(name)) return;
    origins.set(name, [...(origins.get(name) ?? []), origin]);
  };
  for (const queue of sqs.listQueues()) {
    const target = queue.redrivePolicy?.deadLetterTargetArn;
    if (target) add(target, { kind: 'queue-dlq', sourceQueue: queue.name });
  }
  const events = moduleNamed(deps, 'eventbridge')?.service;
  for (const bus of events?.listBuses() ?? []) {
    for (const rule of events?.rulesOf(bus.name) ?? []) {
      for (const target of rule.targets) {
        if (isQueueArn(target.DeadLetterConfig?.Arn)) add(target.DeadLetterConfig.Arn, { kind: 'rule-dlq', rule: rule.name, bus: bus.name, targetArn: target.Arn });
      }
    }
  }
  const lambda = moduleNamed(deps, 'lambda')?.service;
  for (const fn of lambda?.registry.all() ?? []) {
    const onFailure = lambda?.eventInvokeConfigs.get(fn.name)?.onFailure;
    if (isQueueArn(onFailure)) add(onFailure, { kind: 'function-failures', functionName: fn.name });
    if (isQueueArn(fn.settings.deadLetterTargetArn)) add(fn.settings.deadLetterTargetArn, { kind: 'function-dlq', functionName: fn.name });
  }
  return [...origins.entries()]
    .map(([name, found]) => {
      const queue = sqs.get(name);
      return { name, arn: queue.arn, depth: queue.messages.size, origins: found };
    })
    .sort((a, b) => b.depth - a.depth || a.name.localeCompare(b.name));
}

function dlqNamed(deps: ConsoleDeps, name: string): DeadLetterQueue {
  const found = deadLetterQueues(deps).find((queue) => queue.name === name);
  if (!found) throw new ConsoleError(404, `${name} is not a dead-letter queue of this local cloud`, { field: 'queue', queue: name });
  return found;
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

const attribute = (message: StoredMessage, name: string) => message.attributes[name]?.StringValue;

/** One dead letter as a person reads it: why it failed, how often it was tried, where it came from. */
function describeMessage(deps: ConsoleDeps, queue: DeadLetterQueue, message: StoredMessage) {
  const body = parseBody(message.body);
  const record = body as { requestContext?: { functionArn?: string; condition?: string; approximateInvokeCount?: number }; responsePayload?: { errorType?: string; errorMessage?: string } };
  const ruleArn = attribute(message, 'RULE_ARN');
  let error: { code?: string; message?: string } | undefined;
  let attempts: number | undefined;
  const origin: Record<string, unknown> = {};
  if (ruleArn) {
    // An EventBridge target dead letter: the event, with the failure in its attributes.
    error = { code: attribute(message, 'ERROR_CODE'), message: attribute(message, 'ERROR_MESSAGE') };
    attempts = Number(attribute(message, 'RETRY_ATTEMPTS') ?? 0) + 1;
    Object.assign(origin, { kind: 'rule-dlq', ruleArn, rule: ruleArn.split('/').pop(), targetArn: attribute(message, 'TARGET_ARN'), exhausted: attribute(message, 'EXHAUSTED_RETRY_CONDITION') });
  } else if (record?.requestContext?.functionArn) {
    // A Lambda on-failure destination record.
    error = { code: record.responsePayload?.errorType ?? record.requestContext.condition, message: record.responsePayload?.errorMessage ?? record.requestContext.condition };
    attempts = record.requestContext.approximateInvokeCount;
    Object.assign(origin, { kind: 'function-failures', functionName: arnName(record.requestContext.functionArn) });
  } else if (message.deadLetterSourceArn) {
    // SQS moves a message once it was received maxReceiveCount times without being deleted.
    const source = requireModule(deps, 'sqs').service.find(message.deadLetterSourceArn);
    attempts = source?.redrivePolicy?.maxReceiveCount;
    Object.assign(origin, { kind: 'queue-dlq', sourceQueue: arnName(message.deadLetterSourceArn) });
    error = { message: `received ${attempts ?? 'maxReceiveCount'} time(s) without being deleted` };
  } else {
    const fn = queue.origins.find((candidate) => candidate.kind === 'function-dlq');
    if (fn) Object.assign(origin, { kind: 'function-dlq', functionName: fn.functionName });
    const errorMessage = attribute(message, 'ErrorMessage');
    if (errorMessage) error = { code: attribute(message, 'ErrorCode'), message: errorMessage };
  }
  const event = ruleArn ? (body as { id?: string; detail?: { metadata?: { correlationId?: string } } }) : undefined;
  return {
    messageId: message.id,
    sentAt: message.sentAt,
    body,
    attributes: Object.fromEntries(Object.entries(message.attributes).map(([name, value]) => [name, value.StringValue ?? value.BinaryValue])),
    ...(attempts !== undefined ? { attempts } : {}),
    ...(error ? { error } : {}),
    origin,
    ...(event?.id ? { eventId: event.id } : {}),
    ...(event?.detail?.metadata?.correlationId ? { correlationId: event.detail.metadata.correlationId } : {}),
  };
}

interface RedriveOutcome {
  messageId: string;
  outcome: 'redriven' | 'failed';
  to?: string;
  error?: string;
}

async function redriveOne(deps: ConsoleDeps, queue: DeadLetterQueue, message: StoredMessage): Promise<RedriveOutcome> {
  const sqs = requireModule(deps, 'sqs').service;
  const described = describeMessage(deps, queue, message);
  const origin = described.origin as { kind?: DeadLetterKind; rule?: string; ruleArn?: string; targetArn?: string; functionName?: string; sourceQueue?: string };
  try {
    switch (origin.kind) {
      case 'queue-dlq': {
        const source = origin.sourceQueue as string;
        if (!sqs.moveMessage(queue.name, message.id, source)) throw new Error('the message is in flight (received by someone) or gone');
        return { messageId: message.id, outcome: 'redriven', to: source };
      }
      case 'rule-dlq': {
        const events = requireModule(deps, 'eventbridge').service;
        await events.redeliver(origin.rule as string, busOfRuleArn(origin.ruleArn as string), described.body as EventEnvelope, origin.targetArn as string);
        sqs.removeMessage(queue.name, message.id);
        return { messageId: message.id, outcome: 'redriven', to: `${origin.rule} → ${origin.targetArn}` };
      }
      case 'function-failures':
      case 'function-dlq': {
        const lambda = requireModule(deps, 'lambda').service;
        const payload = origin.kind === 'function-failures' ? (described.body as { requestPayload?: unknown }).requestPayload : described.body;
        if (payload === undefined) throw new Error('not a Lambda invocation record (no requestPayload)');
        lambda.invokeAsync(origin.functionName as string, typeof payload === 'string' ? payload : JSON.stringify(payload));
        sqs.removeMessage(queue.name, message.id);
        return { messageId: message.id, outcome: 'redriven', to: origin.functionName };
      }
      default:
        throw new Error('where this message came from is not known');
    }
  } catch (error) {
    return { messageId: message.id, outcome: 'failed', error: (error as Error).message };
  }
}

async function redrive(deps: ConsoleDeps, queueName: string, messageIds: string[] | undefined) {
  const sqsModule = requireModule(deps, 'sqs');
  const queue = dlqNamed(deps, queueName);
  const stored = sqsModule.service.get(queueName);
  // A whole queue DLQ goes back the way `aws sqs start-message-move-task` sends it.
  if (messageIds === undefined && queue.origins.every((origin) => origin.kind === 'queue-dlq') && !stored.fifo) {
    const taskHandle = sqsModule.moveTasks.start({ sourceArn: queue.arn });
    return { queue: queueName, moveTask: { taskHandle, toMove: stored.messages.size } };
  }
  const ids = messageIds ?? [...stored.messages.keys()];
  const results: RedriveOutcome[] = [];
  for (const id of ids) {
    const message = stored.messages.get(id);
    results.push(message ? await redriveOne(deps, queue, message) : { messageId: id, outcome: 'failed', error: 'no such message in the queue' });
  }
  await sqsModule.service.durable();
  return { queue: queueName, results, redriven: results.filter((result) => result.outcome === 'redriven').length, failed: results.filter((result) => result.outcome === 'failed').length };
}

function messageIdsFrom(body: unknown): string[] | undefined {
  if (body === undefined) return undefined;
  const ids = (body as { messageIds?: unknown })?.messageIds;
  if (ids === undefined) return undefined;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw new ConsoleError(400, 'messageIds must be an array of message ids', { field: 'messageIds' });
  return ids as string[];
}

export function dlqRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  return [
    {
      method: 'GET',
      path: '/_local/dlq',
      summary: 'Every dead-letter queue (queue redrive targets, EventBridge target DLQs, function on-failure destinations and DLQs) with its depth and what feeds it',
      handle: () => ({ body: { queues: deadLetterQueues(deps) } }),
    },
    {
      method: 'GET',
      path: '/_local/dlq/:queue/messages',
      summary: 'A dead-letter queue’s messages, read in place: body, attributes, error, attempts, origin (rule and target, function, source queue)',
      handle: ({ params }) => {
        const queue = dlqNamed(deps, params.queue as string);
        const messages = [...requireModule(deps, 'sqs').service.get(queue.name).messages.values()].sort((a, b) => b.sentAt - a.sentAt);
        return { body: { queue, messages: messages.map((message) => describeMessage(deps, queue, message)) } };
      },
    },
    {
      method: 'POST',
      path: '/_local/dlq/:queue/redrive',
      summary: 'Redrive { messageIds? } (all when omitted) back to the source: StartMessageMoveTask for a queue DLQ, the rule’s target for an EventBridge DLQ, an async invoke for a function’s failures',
      handle: async ({ params, body }) => ({ body: await redrive(deps, params.queue as string, messageIdsFrom(body)) }),
    },
    {
      method: 'DELETE',
      path: '/_local/dlq/:queue/messages/:messageId',
      summary: 'Delete one dead letter',
      handle: async ({ params }) => {
        const queue = dlqNamed(deps, params.queue as string);
        const sqs = requireModule(deps, 'sqs').service;
        if (!sqs.removeMessage(queue.name, params.messageId as string)) throw new ConsoleError(404, `No message ${params.messageId} in ${queue.name}`, { field: 'messageId' });
        await sqs.durable();
        return { body: { deleted: params.messageId } };
      },
    },
  ];
}
