/**
 * Lambda event source mappings with an SQS queue as the source
 * (`aws_lambda_event_source_mapping`), as Lambda runs them:
 *
 * - Pollers (5 per mapping, or `scaling_config.maximum_concurrency` if lower:
 *   2..1000, Lambda's range) long-poll the queue, up to 10 messages per
 *   receive, one batch each at a time, so the mapping never reads more than it
 *   can hand to the function concurrently; they gather a batch
 *   until `batch_size` messages, `maximum_batching_window_in_seconds` or a
 *   6 MB payload, whichever comes first; then invoke the function
 *   synchronously with `{ Records: [...] }` in SQS's event shape.
 * - Success: the batch's messages are deleted. With
 *   `function_response_types = ["ReportBatchItemFailures"]` the response's
 *   `batchItemFailures: [{ itemIdentifier }]` names messages to keep: they stay
 *   invisible until their visibility timeout ends and are received again. An
 *   unreadable response (unknown or empty identifiers) fails the whole batch.
 * - A function error or timeout fails the whole batch: nothing is deleted.
 * - The queue's redrive policy moves a message to its dead-letter queue once
 *   it was received `maxReceiveCount` times (the SQS module does that on receive).
 * - Throttling (the function's reserved concurrency or the account's pool is
 *   used up), as Lambda documents it for SQS: the invocation is retried with
 *   backoff until the batch's visibility timeout ends, then the batch is left
 *   to reappear; the receive counted, so `maxReceiveCount` throttled receives
 *   dead-letter a message that never reached the function. The log line of a
 *   batch given back names its messages. One difference: the last retry is
 *   the last one that could finish (the function's timeout) before the
 *   messages reappear, so the mapping never runs a batch another poller may
 *   already be receiving again.
 * - Backoff: at each throttle or function error the mapping halves its
 *   concurrent batches (down to one), and adds one back per second without
 *   either, so it reads less of what it could not deliver.
 * - `enabled = false` stops polling; re-applying with a changed configuration
 *   restarts the pollers; `stop()` lets running invocations finish.
 *
 * Not emulated: other sources (DynamoDB and Kinesis streams, Kafka, MQ),
 * `filter_criteria` (refused loudly), FIFO ordering guarantees across pollers,
 * scaling out beyond 5 concurrent batches (AWS adds up to 300 a minute while
 * messages wait), provisioned mode (`provisioned_poller_config`).
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../../core/types';
import type { LocalCloudContext, QueueSender, ResolvedResource, ResourceAttributes, ResourceProvisioner } from '../../core/types';
import type { StoredMessage } from '../sqs/queue';
import { parseFunctionReference } from './function-registry';
import type { LambdaService } from './lambda-service';
import { SYNC_PAYLOAD_LIMIT } from './local-function';

/** What the poller needs from the SQS module beyond `QueueSender`: the in-process receive/delete of `SqsService`. */
export interface QueueReceiver extends QueueSender {
  receive(queueRef: string, max: number, waitSeconds: number, visibilityTimeoutSeconds?: number): Promise<StoredMessage[]>;
  deleteMessage(queueRef: string, receiptHandle: string): void;
  attributesOf(queueRef: string): Record<string, string>;
}

function isQueueReceiver(peer: QueueSender): peer is QueueReceiver {
  const candidate = peer as Partial<QueueReceiver>;
  return typeof candidate.receive === 'function' && typeof candidate.deleteMessage === 'function' && typeof candidate.attributesOf === 'function';
}

/** Lambda's defaults and limits for an SQS source. */
export const SQS_MAPPING_LIMITS = Object.freeze({
  defaultBatchSize: 10,
  maxBatchSize: 10_000,
  maxBatchingWindowSeconds: 300,
  /** Messages per ReceiveMessage call. */
  maxReceive: 10,
  /** Concurrent batches per mapping when `scaling_config` sets none (Lambda starts with 5 pollers). */
  defaultPollers: 5,
  /** `scaling_config.maximum_concurrency` range (Lambda's `ScalingConfig.MaximumConcurrency`). */
  minMaximumConcurrency: 2,
  maxMaximumConcurrency: 1_000,
  payloadBytes: SYNC_PAYLOAD_LIMIT,
  /** After a throttle or function error, one more concurrent batch per this long without one. */
  rampUpMs: 1_000,
  /** Throttled invocation retries: 100 ms doubling to this, within the batch's visibility timeout. */
  maxThrottleBackoffMs: 2_000,
});

export interface SqsEventSourceSettings {
  uuid: string;
  functionName: string;
  queueArn: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  enabled: boolean;
  reportBatchItemFailures: boolean;
  /** `scaling_config.maximum_concurrency`, when set. */
  maximumConcurrency?: number;
  pollers: number;
}

const invalid = (address: string, message: string) => new AwsServiceError('InvalidParameterValueException', `${address}: ${message}`);

function integer(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  return Number(value);
}

function firstBlock(value: unknown): Record<string, unknown> | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first !== null && typeof first === 'object' ? (first as Record<string, unknown>) : undefined;
}

/** Reads and validates the Terraform resource as Lambda's CreateEventSourceMapping would. */
export function parseSqsEventSourceSettings(resource: ResolvedResource, uuid: string): SqsEventSourceSettings {
  const { config, address } = resource;
  const source = String(config.event_source_arn ?? '');
  const service = source.split(':')[2];
  if (service !== 'sqs') {
    throw invalid(
      address,
      `event_source_arn '${source}': the local cloud runs event source mappings for SQS queues only (${service ?? 'unknown'} sources are not emulated)`,
    );
  }
  if (config.filter_criteria !== undefined && firstBlock(config.filter_criteria) !== undefined) {
    throw invalid(address, 'filter_criteria is not emulated locally: events would reach the function unfiltered');
  }
  const reference = String(config.function_name ?? '');
  const parsed = parseFunctionReference(reference);
  if (!parsed) throw invalid(address, `function_name '${reference}' is neither a function name nor a Lambda function ARN`);

  const batchSize = integer(config.batch_size, SQS_MAPPING_LIMITS.defaultBatchSize);
  const window = integer(config.maximum_batching_window_in_seconds, 0);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > SQS_MAPPING_LIMITS.maxBatchSize) {
    throw invalid(address, `batch_size ${config.batch_size} is outside 1..${SQS_MAPPING_LIMITS.maxBatchSize} for an SQS source`);
  }
  if (!Number.isInteger(window) || window < 0 || window > SQS_MAPPING_LIMITS.maxBatchingWindowSeconds) {
    throw invalid(address, `maximum_batching_window_in_seconds ${config.maximum_batching_window_in_seconds} is outside 0..${SQS_MAPPING_LIMITS.maxBatchingWindowSeconds}`);
  }
  if (batchSize > 10 && window < 1) {
    throw invalid(address, `batch_size ${batchSize} is above 10, which needs maximum_batching_window_in_seconds of at least 1`);
  }
  const responseTypes = Array.isArray(config.function_response_types) ? config.function_response_types.map(String) : [];
  const declaredConcurrency = firstBlock(config.scaling_config)?.maximum_concurrency;
  const maximumConcurrency = declaredConcurrency === undefined || declaredConcurrency === null ? undefined : Number(declaredConcurrency);
  const { minMaximumConcurrency, maxMaximumConcurrency } = SQS_MAPPING_LIMITS;
  if (maximumConcurrency !== undefined && (!Number.isInteger(maximumConcurrency) || maximumConcurrency < minMaximumConcurrency || maximumConcurrency > maxMaximumConcurrency)) {
    throw invalid(address, `scaling_config.maximum_concurrency ${String(declaredConcurrency)} is outside ${minMaximumConcurrency}..${maxMaximumConcurrency}`);
  }
  const pollers = Math.min(SQS_MAPPING_LIMITS.defaultPollers, maximumConcurrency ?? SQS_MAPPING_LIMITS.defaultPollers);
  return {
    uuid,
    functionName: parsed.name,
    queueArn: source,
    batchSize,
    maximumBatchingWindowSeconds: window,
    enabled: config.enabled === undefined || config.enabled === null ? true : config.enabled === true || config.enabled === 'true',
    reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
    ...(maximumConcurrency !== undefined ? { maximumConcurrency } : {}),
    pollers,
  };
}

/** One record of Lambda's SQS event. */
export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { stringValue?: string; binaryValue?: string; stringListValues: string[]; binaryListValues: string[]; dataType: string }>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/** A received message in the shape Lambda hands to the function. */
export function sqsEventRecord(message: StoredMessage, queueArn: string, accountId: string, region: string): SqsEventRecord {
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentAt),
    SenderId: accountId,
    ApproximateFirstReceiveTimestamp: String(message.firstReceiveAt ?? message.sentAt),
  };
  if (message.traceHeader) attributes.AWSTraceHeader = message.traceHeader;
  if (message.sequenceNumber) attributes.SequenceNumber = message.sequenceNumber;
  if (message.groupId) attributes.MessageGroupId = message.groupId;
  if (message.deduplicationId) attributes.MessageDeduplicationId = message.deduplicationId;
  if (message.deadLetterSourceArn) attributes.DeadLetterQueueSourceArn = message.deadLetterSourceArn;
  return {
    messageId: message.id,
    receiptHandle: message.receiptHandle ?? '',
    body: message.body,
    attributes,
    messageAttributes: Object.fromEntries(
      Object.entries(message.attributes).map(([name, value]) => [
        name,
        {
          ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
          ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
          stringListValues: [],
          binaryListValues: [],
          dataType: value.DataType,
        },
      ]),
    ),
    md5OfBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes ? { md5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * The messages a successful invocation asks to keep, or `'all'` when the
 * response can't be read as a partial batch response (Lambda then fails the batch).
 */
export function failedItems(responsePayload: string, batchMessageIds: ReadonlySet<string>): Set<string> | 'all' {
  let response: unknown;
  try {
    response = responsePayload === '' ? null : JSON.parse(responsePayload);
  } catch {
    return 'all';
  }
  if (response === null || typeof response !== 'object' || Array.isArray(response)) return new Set();
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'all';
  const ids = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !batchMessageIds.has(id)) return 'all';
    ids.add(id);
  }
  return ids;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Message ids named in the log line of a batch given back (batches can hold 10,000). */
const LOGGED_MESSAGE_IDS = 100;

/** What Lambda needs of the function's execution role to poll an SQS queue (checked at create and at every poll). */
export const SQS_POLLING_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'] as const;
type PollingAction = (typeof SQS_POLLING_ACTIONS)[number];

/**
 * Judges one SQS call Lambda makes for a mapping as the function's execution role; answers the refusal message, or
 * undefined when allowed (always, without the local cloud's IAM).
 */
function roleRefusal(service: LambdaService, functionName: string, queueArn: string, action: PollingAction): string | undefined {
  const iam = service.context.iam;
  if (!iam) return undefined;
  const roleArn = service.registry.get(functionName)?.settings.role;
  return iam.refusalAsRole({ roleArn, sessionName: functionName, service: 'lambda', permission: { action, resource: queueArn } });
}

/** Thrown by a poller whose role may not make a call: the poll fails, nothing is received or deleted. */
class PollingRefused extends Error {}

/** Counters of one mapping, for `/_local/state` and tests. */
export interface MappingCounters {
  batches: number;
  messages: number;
  deleted: number;
  failedBatches: number;
  failedItems: number;
  /** Throttled invocation attempts (each retry counts). */
  throttles: number;
  /** Batches given back to the queue because the function stayed throttled until their visibility timeout. */
  throttledBatches: number;
  /** Their messages: each such receive counts toward the queue's `maxReceiveCount`. */
  throttledMessages: number;
  /** Polls the function's execution role was not allowed to make (see `/_local/state` → `iam.denials`). */
  refusedPolls: number;
}

/** One running mapping: its pollers and what they did. */
export class SqsEventSourceMapping {
  readonly counters: MappingCounters = { batches: 0, messages: 0, deleted: 0, failedBatches: 0, failedItems: 0, throttles: 0, throttledBatches: 0, throttledMessages: 0, refusedPolls: 0 };
  private running = false;
  private loops: Array<Promise<void>> = [];
  /** Pollers allowed to take a batch now: all of them, fewer after throttles and errors (see the module comment). */
  private concurrency: number;
  private lastBackOffAt = 0;
  private lastRampAt = 0;

  constructor(
    readonly settings: SqsEventSourceSettings,
    private readonly service: LambdaService,
    private readonly queues: () => QueueReceiver,
  ) {
    this.concurrency = settings.pollers;
  }

  get state(): 'Enabled' | 'Disabled' {
    return this.settings.enabled ? 'Enabled' : 'Disabled';
  }

  start(): void {
    if (this.running || !this.settings.enabled) return;
    this.running = true;
    this.loops = Array.from({ length: this.settings.pollers }, (_, index) => this.poll(index));
  }

  /** Stops receiving; resolves once running batches were handed back or deleted. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  private log(message: string, fields: Record<string, unknown> = {}): void {
    this.service.context.log(`lambda: ${message}`, { mapping: this.settings.uuid, function: this.settings.functionName, queue: this.settings.queueArn, ...fields });
  }

  /** @throws PollingRefused when the function's role may not make the call (the denial is recorded). */
  private mayCall(action: PollingAction): void {
    const refusal = roleRefusal(this.service, this.settings.functionName, this.settings.queueArn, action);
    if (refusal) throw new PollingRefused(refusal);
  }

  private async poll(index: number): Promise<void> {
    let carried: StoredMessage[] = [];
    while (this.running) {
      if (index >= this.concurrency) {
        // Backed off: read nothing the function could not take.
        await sleep(100);
        continue;
      }
      try {
        const { batch, overflow } = await this.gather(carried);
        carried = overflow;
        // Stopping: what was gathered reappears after its visibility timeout.
        if (batch.length > 0 && this.running) await this.deliver(batch);
      } catch (error) {
        // A deleted queue or function, or a role that may no longer poll: keep the poller alive, as Lambda does, and say why.
        if (error instanceof PollingRefused) this.counters.refusedPolls++;
        this.log('event source poll failed', { error: (error as Error).message });
        carried = [];
        if (this.running) await sleep(1_000);
      }
    }
  }

  /** Receives until the batch is full, the window has passed or the payload limit is near. */
  private async gather(carried: StoredMessage[]): Promise<{ batch: StoredMessage[]; overflow: StoredMessage[] }> {
    const { batchSize, maximumBatchingWindowSeconds, queueArn } = this.settings;
    const queues = this.queues();
    this.mayCall('sqs:ReceiveMessage');
    const batch: StoredMessage[] = [];
    let bytes = 0;
    const add = (messages: StoredMessage[]): StoredMessage[] => {
      for (let index = 0; index < messages.length; index++) {
        const message = messages[index] as StoredMessage;
        // Body, receipt handle and attributes, roughly as the record serialises; kept under the invoke payload limit.
        const size = Buffer.byteLength(message.body) + 1_024;
        if (batch.length > 0 && bytes + size > SQS_MAPPING_LIMITS.payloadBytes) return messages.slice(index);
        batch.push(message);
        bytes += size;
      }
      return [];
    };
    let overflow = add(carried);
    if (batch.length === 0) {
      // Short slices, so a stop is noticed within a second.
      const started = Date.now();
      overflow = add(await queues.receive(queueArn, Math.min(SQS_MAPPING_LIMITS.maxReceive, batchSize), 1));
      if (batch.length === 0) {
        if (Date.now() - started < 50) await sleep(100); // the SQS module stopped: don't spin
        return { batch, overflow };
      }
    }
    const deadline = Date.now() + maximumBatchingWindowSeconds * 1000;
    while (this.running && overflow.length === 0 && batch.length < batchSize) {
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) break;
      const wanted = Math.min(SQS_MAPPING_LIMITS.maxReceive, batchSize - batch.length);
      overflow = add(await queues.receive(queueArn, wanted, Math.min(1, remainingMs / 1000)));
    }
    return { batch, overflow };
  }

  private async deliver(batch: StoredMessage[]): Promise<void> {
    const { functionName, queueArn, reportBatchItemFailures } = this.settings;
    const queues = this.queues();
    this.mayCall('sqs:GetQueueAttributes');
    const visibilityMs = Number(queues.attributesOf(queueArn).VisibilityTimeout ?? 30) * 1000;
    const { accountId, region } = this.service.context;
    const payload = JSON.stringify({ Records: batch.map((message) => sqsEventRecord(message, queueArn, accountId, region)) });
    this.counters.batches++;
    this.counters.messages += batch.length;

    // Retries stop in time to finish before the first of the batch's messages may be received again (by another poller).
    const hiddenUntil = Math.min(...batch.map((message) => message.visibleAt), Date.now() + visibilityMs);
    const timeoutMs = (this.service.registry.get(functionName)?.settings.timeoutSeconds ?? 0) * 1000;
    let result: Awaited<ReturnType<LambdaService['invokeSync']>> | undefined;
    for (let attempt = 1; result === undefined; attempt++) {
      try {
        result = await this.service.invokeSync(functionName, payload);
      } catch (error) {
        const throttled = error instanceof AwsServiceError && error.code === 'TooManyRequestsException';
        if (throttled) {
          this.counters.throttles++;
          this.backOff();
        }
        const backoffMs = Math.min(SQS_MAPPING_LIMITS.maxThrottleBackoffMs, 50 * 2 ** attempt);
        if (throttled && this.running && Date.now() + backoffMs + timeoutMs < hiddenUntil) {
          await sleep(backoffMs);
          continue;
        }
        // The messages reappear when their visibility timeout ends.
        if (throttled) {
          this.counters.throttledBatches++;
          this.counters.throttledMessages += batch.length;
          this.log('batch given back: the function stayed throttled for as long as the visibility timeout allowed; the receive counts toward maxReceiveCount', {
            messages: batch.length,
            attempts: attempt,
            reason: (error as AwsServiceError).extra.Reason,
            messageIds: batch.slice(0, LOGGED_MESSAGE_IDS).map((message) => message.id),
            receiveCounts: batch.slice(0, LOGGED_MESSAGE_IDS).map((message) => message.receiveCount),
          });
        } else {
          this.counters.failedBatches++;
          this.log('batch not delivered', { messages: batch.length, error: (error as Error).message });
        }
        return;
      }
    }

    if (result.functionError) {
      this.backOff();
      this.counters.failedBatches++;
      this.log('batch failed: the function returned an error; its messages return after the visibility timeout', { messages: batch.length, errorType: result.error?.errorType, error: result.error?.errorMessage });
      return;
    }
    let keep: Set<string> | 'all' = new Set();
    if (reportBatchItemFailures) keep = failedItems(result.payload, new Set(batch.map((message) => message.id)));
    if (keep === 'all') {
      this.counters.failedBatches++;
      this.log('batch failed: the partial batch response names messages that are not in the batch, or is not one', { messages: batch.length });
      return;
    }
    this.rampUp();
    this.counters.failedItems += keep.size;
    // Without sqs:DeleteMessage the handled messages stay and come back after their visibility timeout.
    this.mayCall('sqs:DeleteMessage');
    for (const message of batch) {
      if (keep.has(message.id) || message.receiptHandle === undefined) continue;
      queues.deleteMessage(queueArn, message.receiptHandle);
      this.counters.deleted++;
    }
  }

  /** A throttle or a function error halves the concurrent batches, down to one. */
  private backOff(): void {
    this.lastBackOffAt = Date.now();
    this.concurrency = Math.max(1, Math.floor(this.concurrency / 2));
  }

  /** One concurrent batch more per `rampUpMs` without a throttle or function error, up to the pollers. */
  private rampUp(): void {
    const now = Date.now();
    if (this.concurrency >= this.settings.pollers || now - Math.max(this.lastBackOffAt, this.lastRampAt) < SQS_MAPPING_LIMITS.rampUpMs) return;
    this.concurrency++;
    this.lastRampAt = now;
  }

  describe(): Record<string, unknown> {
    return {
      uuid: this.settings.uuid,
      functionName: this.settings.functionName,
      eventSourceArn: this.settings.queueArn,
      state: this.state,
      batchSize: this.settings.batchSize,
      maximumBatchingWindowInSeconds: this.settings.maximumBatchingWindowSeconds,
      functionResponseTypes: this.settings.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
      ...(this.settings.maximumConcurrency !== undefined ? { scalingConfig: { maximumConcurrency: this.settings.maximumConcurrency } } : {}),
      concurrentBatches: this.concurrency,
      ...this.counters,
    };
  }
}

/**
 * The mappings of one Lambda module and the `aws_lambda_event_source_mapping`
 * provisioner that creates them.
 *
 * @example
 * const mappings = new SqsEventSources(service, context);
 * provisioners.push(mappings.provisioner());
 * await mappings.stop(); // before the functions' environments go
 */
export class SqsEventSources {
  private readonly byAddress = new Map<string, SqsEventSourceMapping>();

  constructor(
    private readonly service: LambdaService,
    private readonly context: LocalCloudContext,
  ) {}

  private queues(): QueueReceiver {
    const peer = this.context.peers.sqs();
    if (!isQueueReceiver(peer)) throw new Error('the SQS peer of this local cloud cannot receive in-process, so SQS event source mappings cannot run');
    return peer;
  }

  all(): SqsEventSourceMapping[] {
    return [...this.byAddress.values()];
  }

  provisioner(): ResourceProvisioner {
    return {
      type: 'aws_lambda_event_source_mapping',
      apply: async (resource: ResolvedResource, previous?: ResourceAttributes): Promise<ResourceAttributes> => {
        const existing = this.byAddress.get(resource.address);
        const uuid = existing?.settings.uuid ?? (typeof previous?.uuid === 'string' ? previous.uuid : randomUUID());
        const settings = parseSqsEventSourceSettings(resource, uuid);
        const fn = this.service.registry.get(settings.functionName);
        if (!fn) throw new AwsServiceError('ResourceNotFoundException', `${resource.address}: Function not found: ${this.service.functionArn(settings.functionName)}`, 404);
        const queues = this.queues();
        if (!queues.queueExists(settings.queueArn)) throw invalid(resource.address, `queue ${settings.queueArn} does not exist`);
        const visibility = Number(queues.attributesOf(settings.queueArn).VisibilityTimeout ?? 30);
        if (visibility < fn.settings.timeoutSeconds) {
          throw invalid(resource.address, `Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${fn.settings.timeoutSeconds} seconds`);
        }
        if (!existing || JSON.stringify(existing.settings) !== JSON.stringify(settings)) {
          // CreateEventSourceMapping (and Update) check the execution role first, with Lambda's message.
          for (const action of SQS_POLLING_ACTIONS) {
            if (roleRefusal(this.service, settings.functionName, settings.queueArn, action)) {
              throw invalid(resource.address, `The provided execution role does not have permissions to call ${action.slice('sqs:'.length)} on SQS`);
            }
          }
          await existing?.stop();
          const mapping = new SqsEventSourceMapping(settings, this.service, () => this.queues());
          this.byAddress.set(resource.address, mapping);
          mapping.start();
          this.context.log('lambda: event source mapping applied', { function: settings.functionName, queue: settings.queueArn, state: mapping.state, batchSize: settings.batchSize });
        }
        const mapping = this.byAddress.get(resource.address) as SqsEventSourceMapping;
        return {
          id: uuid,
          uuid,
          arn: `arn:aws:lambda:${this.context.region}:${this.context.accountId}:event-source-mapping:${uuid}`,
          function_arn: this.service.functionArn(settings.functionName),
          event_source_arn: settings.queueArn,
          state: mapping.state,
          batch_size: settings.batchSize,
          maximum_batching_window_in_seconds: settings.maximumBatchingWindowSeconds,
          scaling_config: settings.maximumConcurrency === undefined ? [] : [{ maximum_concurrency: settings.maximumConcurrency }],
        };
      },
      destroy: async (resource: ResolvedResource) => {
        await this.byAddress.get(resource.address)?.stop();
        this.byAddress.delete(resource.address);
      },
    };
  }

  /** Stops every poller; running batches finish first. */
  async stop(): Promise<void> {
    await Promise.all(this.all().map((mapping) => mapping.stop()));
  }
}
