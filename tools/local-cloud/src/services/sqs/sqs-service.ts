/**
 * The queues of one local cloud: naming (URL, ARN), creation rules,
 * redrive to dead-letter queues, long polling, persistence. The wire format
 * lives in `api.ts`; this class speaks plain values so EventBridge and the
 * provisioners can use it in-process.
 *
 * Persistence: `queues.json` is a snapshot written shortly after each change;
 * every sent message also goes to `messages.journal` before SendMessage
 * answers (`durable()`), and its record is retired once a snapshot holding
 * the message (or its deletion) is on disk. After `kill -9`, the snapshot
 * plus the journal's pending sends give every acknowledged message back
 * (one deleted between the last snapshot and the crash comes back too:
 * at-least-once, as SQS).
 */
import { join } from 'node:path';
import { Journal } from '../../core/journal';
import type { MessageAttributeValue, QueueSender } from '../../core/types';
import { SqsErrors } from './errors';
import { defaultAttributes, validateAttributes, type RedrivePolicy } from './queue-attributes';
import { hasInvalidCharacters, messageSize, Queue, type NewMessage, type QueueSnapshot, type SentMessage, type StoredAttributeValue, type StoredMessage } from './queue';
import { SnapshotFile } from './snapshot-file';

export interface SqsServiceOptions {
  accountId: string;
  region: string;
  /** Base of queue URLs, e.g. `http://127.0.0.1:4566`; read on each use, since the edge port may be known only after start. */
  endpoint: () => string;
  /** Folder for `queues.json` and `messages.journal`; omit to keep everything in memory. */
  dataDir?: string;
  now?: () => number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** IAM of the local cloud: may this service principal send to the queue under its policy? (see `isSendAllowed`) */
  judgeServiceSend?: (send: { queueArn: string; queueName: string; policy?: string; principal: string; sourceArn?: string }) => boolean;
}

/** A sent message as the journal keeps it until a snapshot holds it. */
interface JournaledMessage {
  queue: string;
  message: StoredMessage;
}

interface Snapshot {
  queues: QueueSnapshot[];
  /** Journal records this snapshot makes redundant (`written` retires them; ignored when loading). */
  covered?: string[];
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

interface Waiter {
  wake: () => void;
}

export interface QueueSummary {
  name: string;
  arn: string;
  url: string;
  depth: number;
  inFlight: number;
  delayed: number;
  /** Names of the queues whose RedrivePolicy points here. */
  dlqOf?: string[];
}

export class SqsService implements QueueSender {
  private readonly queues = new Map<string, Queue>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly file: SnapshotFile<Snapshot> | undefined;
  private readonly journal: Journal<JournaledMessage>;
  private readonly now: () => number;
  private stopped = false;

  constructor(private readonly options: SqsServiceOptions) {
    this.now = options.now ?? Date.now;
    this.journal = Journal.open(options.dataDir ? join(options.dataDir, 'messages.journal') : undefined, { label: 'sqs messages', log: options.log });
    if (options.dataDir) {
      this.file = new SnapshotFile<Snapshot>(
        join(options.dataDir, 'queues.json'),
        () => {
          // The covered ids are taken before serialising, so a send after this point stays in the journal.
          const covered = this.journal.pendingIds();
          return { queues: [...this.queues.values()].map((queue) => queue.snapshot()), covered };
        },
        20,
        (snapshot) => this.journal.doneAll(snapshot.covered ?? []),
      );
      const saved = this.file.load();
      for (const snapshot of saved?.queues ?? []) {
        this.queues.set(snapshot.name, Queue.fromSnapshot(snapshot, this.arnOf(snapshot.name)));
      }
      this.recoverJournaledMessages();
    }
  }

  /** Puts back the acknowledged messages the last snapshot did not hold yet. */
  private recoverJournaledMessages(): void {
    let restored = 0;
    for (const { queue: name, message } of this.journal.recovered.values()) {
      const queue = this.queues.get(name);
      if (!queue || queue.messages.has(message.id)) continue;
      queue.messages.set(message.id, message);
      restored++;
    }
    if (restored > 0) {
      this.options.log?.(`sqs: ${restored} acknowledged message(s) restored from messages.journal (sent after the last snapshot)`);
      this.changed();
    }
  }

  /** Resolves once every message sent so far is on disk: SendMessage answers after it. */
  durable(): Promise<void> {
    return this.journal.durable();
  }

  arnOf(name: string): string {
    return `arn:aws:sqs:${this.options.region}:${this.options.accountId}:${name}`;
  }

  urlOf(name: string): string {
    return `${this.options.endpoint()}/${this.options.accountId}/${name}`;
  }

  /** Accepts a queue URL (any host), an ARN, or a bare name. An ARN of another region or account names no queue of ours. */
  private nameOf(queueRef: string): string {
    if (queueRef.startsWith('arn:')) {
      const [, , , region, account, ...name] = queueRef.split(':');
      return region === this.options.region && account === this.options.accountId ? name.join(':') : '';
    }
    if (/^https?:\/\//.test(queueRef)) {
      const path = new URL(queueRef).pathname.split('/').filter(Boolean);
      return path[path.length - 1] ?? '';
    }
    return queueRef;
  }

  find(queueRef: string): Queue | undefined {
    return this.queues.get(this.nameOf(queueRef));
  }

  get(queueRef: string): Queue {
    const queue = this.find(queueRef);
    if (!queue) throw SqsErrors.nonExistentQueue();
    return queue;
  }

  queueExists(queueArnOrUrl: string): boolean {
    return this.find(queueArnOrUrl) !== undefined;
  }

  /**
   * Whether the queue's `Policy` lets a service principal send for `sourceArn` (EventBridge for a rule), as the
   * local cloud's IAM judges it (`options.judgeServiceSend`); always true without one.
   */
  isSendAllowed(queueArnOrUrl: string, principal: string, sourceArn?: string): boolean {
    const queue = this.find(queueArnOrUrl);
    if (!queue || !this.options.judgeServiceSend) return true;
    const policy = queue.attributes.Policy;
    return this.options.judgeServiceSend({ queueArn: queue.arn, queueName: queue.name, policy: typeof policy === 'string' && policy !== '' ? policy : undefined, principal, sourceArn });
  }

  private changed(): void {
    this.file?.changed();
  }

  /**
   * CreateQueue semantics: creating an existing queue with the same
   * attributes returns it; with different ones fails with QueueAlreadyExists.
   */
  createQueue(name: string, attributes: Record<string, string> = {}, tags: Record<string, string> = {}): Queue {
    const fifo = name.endsWith('.fifo');
    if (!(fifo ? FIFO_QUEUE_NAME : QUEUE_NAME).test(name)) {
      throw SqsErrors.invalidParameterValue(
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (FIFO queue names end in .fifo).',
      );
    }
    const requestedFifo = attributes.FifoQueue?.toLowerCase() === 'true';
    if (requestedFifo !== fifo) {
      if (requestedFifo || attributes.FifoQueue?.toLowerCase() !== 'false' || fifo) {
        throw SqsErrors.invalidParameterValue('The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.');
      }
    }
    const given = validateAttributes(attributes, { fifo, creating: true });
    if (given.FifoQueue === 'false') delete given.FifoQueue;
    if (given.RedrivePolicy) this.checkDeadLetterTarget(given.RedrivePolicy, fifo);
    const wanted = { ...defaultAttributes(fifo), ...given };
    const existing = this.queues.get(name);
    if (existing) {
      const differs = Object.entries(given).some(([key, value]) => existing.attributes[key] !== value);
      if (differs) throw SqsErrors.queueAlreadyExists(name);
      return existing;
    }
    const now = this.now();
    const queue = new Queue(name, wanted, { ...tags }, this.arnOf(name), now, now);
    this.queues.set(name, queue);
    this.changed();
    return queue;
  }

  private checkDeadLetterTarget(redrivePolicy: string, fifo: boolean): void {
    const policy = JSON.parse(redrivePolicy) as RedrivePolicy;
    const target = this.find(policy.deadLetterTargetArn);
    if (!target) {
      throw SqsErrors.invalidParameterValue(`Value ${redrivePolicy} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`);
    }
    if (target.fifo !== fifo) {
      throw SqsErrors.invalidParameterValue(
        `Value ${redrivePolicy} for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be the same type of queue as the source queue (standard or FIFO).`,
      );
    }
  }

  setAttributes(queueRef: string, attributes: Record<string, string>): void {
    const queue = this.get(queueRef);
    const given = validateAttributes(attributes, { fifo: queue.fifo, creating: false });
    if (given.RedrivePolicy) this.checkDeadLetterTarget(given.RedrivePolicy, queue.fifo);
    for (const [name, value] of Object.entries(given)) {
      // An empty RedrivePolicy removes it, as on SQS.
      if (value === '' && (name === 'RedrivePolicy' || name === 'Policy' || name === 'RedriveAllowPolicy')) delete queue.attributes[name];
      else queue.attributes[name] = value;
    }
    queue.lastModifiedAt = this.now();
    this.changed();
  }

  /** GetQueueAttributes values: stored ones plus the computed counts, timestamps and ARN. */
  attributesOf(queueRef: string): Record<string, string> {
    const queue = this.get(queueRef);
    const counts = queue.counts(this.now());
    return {
      ...queue.attributes,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.lastModifiedAt / 1000)),
      QueueArn: queue.arn,
    };
  }

  deleteQueue(queueRef: string): void {
    const queue = this.get(queueRef);
    this.queues.delete(queue.name);
    this.wakeWaiters(queue.name);
    this.changed();
  }

  listQueues(prefix = ''): Queue[] {
    return [...this.queues.values()].filter((queue) => queue.name.startsWith(prefix)).sort((a, b) => a.name.localeCompare(b.name));
  }

  deadLetterSourcesOf(queueRef: string): Queue[] {
    const target = this.get(queueRef);
    return this.listQueues().filter((queue) => {
      const policy = queue.redrivePolicy;
      return policy !== undefined && this.nameOf(policy.deadLetterTargetArn) === target.name;
    });
  }

  /** Validates and enqueues one message (SendMessage and each SendMessageBatch entry). */
  send(queueRef: string, input: NewMessage): SentMessage {
    const queue = this.get(queueRef);
    this.validateMessage(queue, input);
    const sent = queue.send(input, this.now());
    const stored = queue.messages.get(sent.messageId);
    if (stored) this.journal.put(`${queue.name}/${stored.id}`, { queue: queue.name, message: { ...stored } });
    this.changed();
    this.wakeWaiters(queue.name);
    return sent;
  }

  private validateMessage(queue: Queue, input: NewMessage): void {
    if (input.body === '') throw SqsErrors.missingParameter('MessageBody');
    if (hasInvalidCharacters(input.body)) throw SqsErrors.invalidMessageContents();
    const limit = Number(queue.attributes.MaximumMessageSize);
    const size = messageSize(input.body, input.attributes);
    if (size > limit) {
      throw SqsErrors.invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`);
    }
    for (const [name, value] of Object.entries(input.attributes ?? {})) validateMessageAttribute(name, value);
    if (Object.keys(input.attributes ?? {}).length > 10) {
      throw SqsErrors.invalidParameterValue('Number of message attributes [' + Object.keys(input.attributes ?? {}).length + '] exceeds the allowed maximum [10].');
    }
    if (input.delaySeconds !== undefined) {
      if (!Number.isInteger(input.delaySeconds) || input.delaySeconds < 0 || input.delaySeconds > 900) {
        throw SqsErrors.invalidParameterValue(`Value ${input.delaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`);
      }
      if (queue.fifo) {
        throw SqsErrors.invalidParameterValue(
          `Value ${input.delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
        );
      }
    }
    if (queue.fifo && input.groupId === undefined) throw SqsErrors.missingParameter('MessageGroupId');
    if (!queue.fifo && input.deduplicationId !== undefined) {
      throw SqsErrors.invalidParameterValue(
        'The request includes MessageDeduplicationId parameter that is not valid for this queue type. Use this parameter only with FIFO queues.',
      );
    }
  }

  /**
   * QueueSender for peers (EventBridge targets and dead-letter queues).
   * `fifo` carries the group (and deduplication) id a FIFO queue needs.
   */
  async sendMessage(
    queueArnOrUrl: string,
    body: string,
    attributes: Record<string, MessageAttributeValue> = {},
    fifo: { messageGroupId?: string; messageDeduplicationId?: string } = {},
  ): Promise<{ messageId: string }> {
    const stored: Record<string, StoredAttributeValue> = {};
    for (const [name, value] of Object.entries(attributes)) {
      stored[name] =
        value.BinaryValue !== undefined
          ? { DataType: value.DataType, BinaryValue: Buffer.from(value.BinaryValue).toString('base64') }
          : { DataType: value.DataType, StringValue: value.StringValue };
    }
    const queue = this.get(queueArnOrUrl);
    const sent = this.send(queueArnOrUrl, {
      body,
      attributes: stored,
      ...(queue.fifo ? { groupId: fifo.messageGroupId, deduplicationId: fifo.messageDeduplicationId } : {}),
    });
    // The sender (an EventBridge delivery, a DLQ, a destination) counts the message as handed over only once it is on disk.
    await this.durable();
    return { messageId: sent.messageId };
  }

  /**
   * Moves one visible message to another queue in a single step (DLQ redrive):
   * it is enqueued there (body, attributes and trace header kept; a new
   * message id, receive count 0) and removed here before anything else runs,
   * so a stop at any point leaves it in exactly one queue. Answers false when
   * the message is gone or in flight; a refused send leaves it where it is.
   */
  moveMessage(sourceRef: string, messageId: string, destinationRef: string): boolean {
    const source = this.get(sourceRef);
    const message = source.messages.get(messageId);
    if (!message || message.visibleAt > this.now()) return false;
    const destination = this.get(destinationRef);
    this.send(destination.name, {
      body: message.body,
      attributes: message.attributes,
      traceHeader: message.traceHeader,
      ...(destination.fifo ? { groupId: message.groupId, deduplicationId: message.deduplicationId } : {}),
    });
    source.messages.delete(messageId);
    this.changed();
    return true;
  }

  private redrive(source: Queue, message: StoredMessage, policy: RedrivePolicy): boolean {
    const target = this.find(policy.deadLetterTargetArn);
    // With its dead-letter queue gone, SQS keeps the message where it is.
    if (!target || target === source) return false;
    target.adoptDeadLetter(message, source.arn, this.now());
    this.wakeWaiters(target.name);
    return true;
  }

  /** One receive attempt, without waiting. */
  receiveNow(queueRef: string, max: number, visibilityTimeoutSeconds?: number): StoredMessage[] {
    const queue = this.get(queueRef);
    const messages = queue.receive(max, visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds, this.now(), (message, policy) =>
      this.redrive(queue, message, policy),
    );
    if (messages.length > 0) this.changed();
    return messages;
  }

  /**
   * ReceiveMessage with long polling: returns as soon as a message is
   * available, or with nothing once `waitSeconds` have passed.
   */
  async receive(queueRef: string, max: number, waitSeconds: number, visibilityTimeoutSeconds?: number): Promise<StoredMessage[]> {
    const deadline = this.now() + waitSeconds * 1000;
    for (;;) {
      const messages = this.receiveNow(queueRef, max, visibilityTimeoutSeconds);
      const now = this.now();
      if (messages.length > 0 || now >= deadline || this.stopped) return messages;
      const queue = this.get(queueRef);
      const wakeAt = Math.min(deadline, queue.nextVisibleAt(now) ?? deadline);
      await this.waitForChange(queue.name, Math.max(1, wakeAt - now));
    }
  }

  private waitForChange(name: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(name);
      if (!set) {
        set = new Set();
        this.waiters.set(name, set);
      }
      const waiters = set;
      const waiter: Waiter = {
        wake: () => {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, timeoutMs);
      waiters.add(waiter);
    });
  }

  private wakeWaiters(name: string): void {
    const set = this.waiters.get(name);
    if (!set) return;
    for (const waiter of [...set]) waiter.wake();
  }

  deleteMessage(queueRef: string, receiptHandle: string): void {
    this.get(queueRef).delete(receiptHandle);
    this.changed();
  }

  /**
   * Deletes a message by id, received or not (the local console's "delete" on a dead letter,
   * which has no receipt handle). Answers false when the message is gone.
   */
  removeMessage(queueRef: string, messageId: string): boolean {
    const removed = this.get(queueRef).messages.delete(messageId);
    if (removed) this.changed();
    return removed;
  }

  changeMessageVisibility(queueRef: string, receiptHandle: string, visibilityTimeoutSeconds: number): void {
    const queue = this.get(queueRef);
    queue.changeVisibility(receiptHandle, visibilityTimeoutSeconds, this.now());
    this.changed();
    if (visibilityTimeoutSeconds === 0) this.wakeWaiters(queue.name);
  }

  purge(queueRef: string): void {
    this.get(queueRef).purge(this.now());
    this.changed();
  }

  tag(queueRef: string, tags: Record<string, string>): void {
    Object.assign(this.get(queueRef).tags, tags);
    this.changed();
  }

  untag(queueRef: string, keys: string[]): void {
    const queue = this.get(queueRef);
    for (const key of keys) delete queue.tags[key];
    this.changed();
  }

  summaries(): QueueSummary[] {
    const now = this.now();
    return this.listQueues().map((queue) => {
      const counts = queue.counts(now);
      const dlqOf = this.listQueues()
        .filter((source) => source.redrivePolicy && this.nameOf(source.redrivePolicy.deadLetterTargetArn) === queue.name)
        .map((source) => source.name);
      return {
        name: queue.name,
        arn: queue.arn,
        url: this.urlOf(queue.name),
        depth: counts.visible,
        inFlight: counts.inFlight,
        delayed: counts.delayed,
        ...(dlqOf.length > 0 ? { dlqOf } : {}),
      };
    });
  }

  /** Ends long polls (they return empty) and writes pending state. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const name of this.waiters.keys()) this.wakeWaiters(name);
    await this.file?.flush();
    await this.journal.close();
  }
}

const ATTRIBUTE_NAME = /^(?!aws\.|amazon\.)(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/i;
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;

function validateMessageAttribute(name: string, value: StoredAttributeValue): void {
  if (!ATTRIBUTE_NAME.test(name)) {
    throw SqsErrors.invalidParameterValue(
      `Message attribute name '${name}' is invalid. Names may contain alphanumerics, '_', '-' and '.', may not start or end with '.' or have '..', and may not start with 'AWS.' or 'Amazon.'.`,
    );
  }
  if (typeof value?.DataType !== 'string' || !DATA_TYPE.test(value.DataType)) {
    throw SqsErrors.invalidParameterValue(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
  }
  const binary = value.DataType.startsWith('Binary');
  if (binary ? value.BinaryValue === undefined : value.StringValue === undefined) {
    throw SqsErrors.invalidParameterValue(`The message attribute '${name}' with type '${value.DataType.split('.')[0]}' must use field '${binary ? 'Binary' : 'String'}'.`);
  }
  if (!binary && value.StringValue === '') {
    throw SqsErrors.invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${value.DataType}'.`);
  }
  if (value.DataType.startsWith('Number') && !Number.isFinite(Number(value.StringValue))) {
    throw SqsErrors.invalidParameterValue(`Can't cast the value of message attribute '${name}' to a number.`);
  }
  if (value.StringValue !== undefined && hasInvalidCharacters(value.StringValue)) throw SqsErrors.invalidMessageContents();
}
