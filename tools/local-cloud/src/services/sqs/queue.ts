/**
 * One queue and its messages: visibility, delays, retention, receive counts,
 * FIFO ordering and deduplication. Times are epoch milliseconds from the
 * injected clock, so a restarted process picks up where it left off.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SqsErrors } from './errors';
import { md5OfBody, md5OfMessageAttributes } from './md5';
import { parseRedrivePolicy, type RedrivePolicy } from './queue-attributes';

/** A message attribute as stored and as the JSON protocol carries it (binary as base64). */
export interface StoredAttributeValue {
  DataType: string;
  StringValue?: string;
  /** Base64. */
  BinaryValue?: string;
}

export interface StoredMessage {
  id: string;
  body: string;
  md5OfBody: string;
  attributes: Record<string, StoredAttributeValue>;
  md5OfMessageAttributes?: string;
  traceHeader?: string;
  /** When the message was first enqueued; retention counts from here, also after a redrive. */
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** The newest receipt handle; only it may delete the message or change its visibility. */
  receiptHandle?: string;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
  deadLetterSourceArn?: string;
}

export interface QueueSnapshot {
  name: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
  lastModifiedAt: number;
  lastPurgeAt?: number;
  sequence: number;
  messages: StoredMessage[];
  /** FIFO deduplication window: id → [messageId, sequenceNumber, expiresAt]. */
  deduplication: Array<[string, string, string | undefined, number]>;
}

export interface NewMessage {
  body: string;
  attributes?: Record<string, StoredAttributeValue>;
  delaySeconds?: number;
  groupId?: string;
  deduplicationId?: string;
  traceHeader?: string;
}

export interface SentMessage {
  messageId: string;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  sequenceNumber?: string;
}

const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;

/** `[\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]`: the characters SQS accepts in bodies and string values. */
const INVALID_CHARACTER = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function hasInvalidCharacters(text: string): boolean {
  return INVALID_CHARACTER.test(text);
}

/** Bytes SQS counts against MaximumMessageSize: body plus every attribute's name, type and value. */
export function messageSize(body: string, attributes: Record<string, StoredAttributeValue> = {}): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType, 'utf8');
    size += value.BinaryValue !== undefined ? Buffer.from(value.BinaryValue, 'base64').length : Buffer.byteLength(value.StringValue ?? '', 'utf8');
  }
  return size;
}

function toBinaryAttributes(attributes: Record<string, StoredAttributeValue>) {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      value.BinaryValue !== undefined
        ? { DataType: value.DataType, BinaryValue: Buffer.from(value.BinaryValue, 'base64') }
        : { DataType: value.DataType, StringValue: value.StringValue },
    ]),
  );
}

export function newReceiptHandle(messageId: string): string {
  return Buffer.from(`${messageId}#${randomBytes(12).toString('hex')}`, 'utf8').toString('base64url');
}

/** The message id inside a receipt handle, or undefined when the handle isn't one of ours. */
export function messageIdOfReceiptHandle(handle: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(handle)) return undefined;
  const decoded = Buffer.from(handle, 'base64url').toString('utf8');
  const match = /^([0-9a-f-]{36})#[0-9a-f]{24}$/.exec(decoded);
  return match?.[1];
}

export class Queue {
  readonly messages = new Map<string, StoredMessage>();
  private readonly deduplication = new Map<string, { messageId: string; sequenceNumber?: string; expiresAt: number }>();
  lastPurgeAt?: number;
  private sequence: number;

  constructor(
    readonly name: string,
    public attributes: Record<string, string>,
    public tags: Record<string, string>,
    readonly arn: string,
    readonly createdAt: number,
    public lastModifiedAt: number,
    sequence = 0,
  ) {
    this.sequence = sequence;
  }

  static fromSnapshot(snapshot: QueueSnapshot, arn: string): Queue {
    const queue = new Queue(snapshot.name, snapshot.attributes, snapshot.tags, arn, snapshot.createdAt, snapshot.lastModifiedAt, snapshot.sequence);
    queue.lastPurgeAt = snapshot.lastPurgeAt;
    for (const message of snapshot.messages) queue.messages.set(message.id, message);
    for (const [id, messageId, sequenceNumber, expiresAt] of snapshot.deduplication) {
      queue.deduplication.set(id, { messageId, sequenceNumber, expiresAt });
    }
    return queue;
  }

  snapshot(): QueueSnapshot {
    return {
      name: this.name,
      attributes: this.attributes,
      tags: this.tags,
      createdAt: this.createdAt,
      lastModifiedAt: this.lastModifiedAt,
      lastPurgeAt: this.lastPurgeAt,
      sequence: this.sequence,
      messages: [...this.messages.values()],
      deduplication: [...this.deduplication].map(([id, entry]) => [id, entry.messageId, entry.sequenceNumber, entry.expiresAt]),
    };
  }

  get fifo(): boolean {
    return this.attributes.FifoQueue === 'true';
  }

  get redrivePolicy(): RedrivePolicy | undefined {
    const value = this.attributes.RedrivePolicy;
    return value ? parseRedrivePolicy(value) : undefined;
  }

  private numberAttribute(name: string): number {
    return Number(this.attributes[name]);
  }

  get visibilityTimeoutSeconds(): number {
    return this.numberAttribute('VisibilityTimeout');
  }

  get receiveWaitTimeSeconds(): number {
    return this.numberAttribute('ReceiveMessageWaitTimeSeconds');
  }

  /** Drops messages older than MessageRetentionPeriod, as SQS does silently. */
  expire(now: number): void {
    const retentionMs = this.numberAttribute('MessageRetentionPeriod') * 1000;
    for (const [id, message] of this.messages) {
      if (message.sentAt + retentionMs <= now) this.messages.delete(id);
    }
    for (const [id, entry] of this.deduplication) {
      if (entry.expiresAt <= now) this.deduplication.delete(id);
    }
  }

  counts(now: number): { visible: number; inFlight: number; delayed: number } {
    this.expire(now);
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of this.messages.values()) {
      if (message.visibleAt <= now) visible++;
      else if (message.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  /** Enqueues one message (validated by the caller); FIFO duplicates within five minutes return the original. */
  send(input: NewMessage, now: number): SentMessage {
    const attributes = input.attributes ?? {};
    const attributesMd5 = md5OfMessageAttributes(toBinaryAttributes(attributes));
    const bodyMd5 = md5OfBody(input.body);
    let deduplicationId = input.deduplicationId;
    if (this.fifo) {
      deduplicationId ??= this.attributes.ContentBasedDeduplication === 'true' ? createHash('sha256').update(input.body, 'utf8').digest('hex') : undefined;
      if (deduplicationId === undefined) {
        throw SqsErrors.invalidParameterValue(
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      }
      const scopeKey = this.attributes.DeduplicationScope === 'messageGroup' ? `${input.groupId}\u0000${deduplicationId}` : deduplicationId;
      this.expire(now);
      const duplicate = this.deduplication.get(scopeKey);
      if (duplicate) {
        return { messageId: duplicate.messageId, md5OfBody: bodyMd5, md5OfMessageAttributes: attributesMd5, sequenceNumber: duplicate.sequenceNumber };
      }
      const message = this.enqueue(input, attributes, bodyMd5, attributesMd5, now, deduplicationId);
      this.deduplication.set(scopeKey, { messageId: message.id, sequenceNumber: message.sequenceNumber, expiresAt: now + DEDUPLICATION_WINDOW_MS });
      return { messageId: message.id, md5OfBody: bodyMd5, md5OfMessageAttributes: attributesMd5, sequenceNumber: message.sequenceNumber };
    }
    const message = this.enqueue(input, attributes, bodyMd5, attributesMd5, now, undefined);
    return { messageId: message.id, md5OfBody: bodyMd5, md5OfMessageAttributes: attributesMd5 };
  }

  private enqueue(
    input: NewMessage,
    attributes: Record<string, StoredAttributeValue>,
    bodyMd5: string,
    attributesMd5: string | undefined,
    now: number,
    deduplicationId: string | undefined,
  ): StoredMessage {
    const delaySeconds = input.delaySeconds ?? this.numberAttribute('DelaySeconds');
    const message: StoredMessage = {
      id: randomUUID(),
      body: input.body,
      md5OfBody: bodyMd5,
      attributes,
      md5OfMessageAttributes: attributesMd5,
      traceHeader: input.traceHeader,
      sentAt: now,
      visibleAt: now + delaySeconds * 1000,
      receiveCount: 0,
    };
    if (this.fifo) {
      this.sequence += 1;
      message.groupId = input.groupId;
      message.deduplicationId = deduplicationId;
      message.sequenceNumber = String(this.sequence).padStart(20, '0');
    }
    this.messages.set(message.id, message);
    return message;
  }

  /** Adds a message moved here by a redrive, keeping its identity and original enqueue time. */
  adoptDeadLetter(message: StoredMessage, sourceArn: string, now: number): void {
    this.messages.set(message.id, {
      ...message,
      visibleAt: now,
      receiveCount: 0,
      firstReceiveAt: undefined,
      receiptHandle: undefined,
      deadLetterSourceArn: sourceArn,
    });
  }

  /**
   * Takes up to `max` visible messages, hiding each for `visibilityTimeoutSeconds`.
   * Messages already received `maxReceiveCount` times go to `redrive` instead.
   * On FIFO queues a group with a message in flight yields nothing, and a
   * group's messages come out in order.
   */
  receive(
    max: number,
    visibilityTimeoutSeconds: number,
    now: number,
    redrive: (message: StoredMessage, policy: RedrivePolicy) => boolean,
  ): StoredMessage[] {
    this.expire(now);
    const policy = this.redrivePolicy;
    const blockedGroups = new Set<string>();
    if (this.fifo) {
      for (const message of this.messages.values()) {
        if (message.visibleAt > now && message.groupId !== undefined) blockedGroups.add(message.groupId);
      }
    }
    const received: StoredMessage[] = [];
    for (const message of [...this.messages.values()]) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      if (message.groupId !== undefined && blockedGroups.has(message.groupId)) continue;
      if (policy && message.receiveCount >= policy.maxReceiveCount && redrive(message, policy)) {
        this.messages.delete(message.id);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceiveAt ??= now;
      message.visibleAt = now + visibilityTimeoutSeconds * 1000;
      message.receiptHandle = newReceiptHandle(message.id);
      received.push(message);
    }
    return received;
  }

  /** Earliest future moment a hidden message becomes visible, for long polls to wake at. */
  nextVisibleAt(now: number): number | undefined {
    let next: number | undefined;
    for (const message of this.messages.values()) {
      if (message.visibleAt > now && (next === undefined || message.visibleAt < next)) next = message.visibleAt;
    }
    return next;
  }

  /**
   * Deletes by receipt handle. A handle of a message that is gone, or an older
   * handle of a message received again since, succeeds without effect, as on SQS.
   */
  delete(receiptHandle: string): void {
    const messageId = messageIdOfReceiptHandle(receiptHandle);
    if (messageId === undefined) throw SqsErrors.receiptHandleIsInvalid(receiptHandle);
    const message = this.messages.get(messageId);
    if (message && message.receiptHandle === receiptHandle) this.messages.delete(messageId);
  }

  changeVisibility(receiptHandle: string, visibilityTimeoutSeconds: number, now: number): void {
    const messageId = messageIdOfReceiptHandle(receiptHandle);
    if (messageId === undefined) throw SqsErrors.receiptHandleIsInvalid(receiptHandle);
    const message = this.messages.get(messageId);
    if (!message || message.receiptHandle !== receiptHandle) {
      throw SqsErrors.invalidParameterValue(
        `Value ${receiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      );
    }
    if (message.visibleAt <= now) throw SqsErrors.messageNotInflight();
    // SQS caps a message's total invisibility at 12 hours from its first receive.
    const maxVisibleAt = (message.firstReceiveAt ?? now) + 43_200 * 1000;
    if (now + visibilityTimeoutSeconds * 1000 > maxVisibleAt) {
      throw SqsErrors.invalidParameterValue(
        `Value ${visibilityTimeoutSeconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]`,
      );
    }
    message.visibleAt = now + visibilityTimeoutSeconds * 1000;
  }

  purge(now: number): void {
    if (this.lastPurgeAt !== undefined && now - this.lastPurgeAt < 60_000) throw SqsErrors.purgeQueueInProgress(this.name);
    this.lastPurgeAt = now;
    this.messages.clear();
  }
}
