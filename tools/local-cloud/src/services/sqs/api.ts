/**
 * SQS's wire API in both protocols it speaks: AWS JSON 1.0 as SDK v3 uses it
 * (`X-Amz-Target: AmazonSQS.<Op>`, query-compatible errors, see `errors.ts`),
 * and the query protocol of older CLIs and SDKs (`Action=<Op>` forms, XML,
 * see `query-protocol.ts`). Both run the same operations below.
 */
import { offsetOf, pageFrom } from '../../core/paging';
import { jsonResponse, newRequestId, parseJsonBody, renderError } from '../../core/protocol';
import { AwsServiceError, type AwsRequest, type AwsResponse, type ServiceHandler } from '../../core/types';
import { SqsErrors } from './errors';
import { md5OfMessageAttributes } from './md5';
import type { StoredAttributeValue, StoredMessage } from './queue';
import type { MessageMoveTasks } from './move-tasks';
import { isQueryRequest, parseQueryRequest, queryParameters, queryResponse } from './query-protocol';
import type { SqsService } from './sqs-service';

type Input = Record<string, unknown>;

const MAX_BATCH_BYTES = 1_048_576;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

const SYSTEM_ATTRIBUTE_NAMES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

type Output = Record<string, unknown>;

const ok = (body: Output = {}): Output => body;

/** The legacy code a query-protocol client expects (`AWS.SimpleQueueService.NonExistentQueue`), from the JSON error's header. */
function asQueryError(error: AwsServiceError): AwsServiceError {
  const legacy = error.headers['x-amzn-query-error']?.split(';')[0];
  return new AwsServiceError(legacy || error.code, error.message, error.status, error.extra);
}

const parseInput = (request: AwsRequest): Input => parseJsonBody<Input>(request, { errorMessage: 'The request body is not a JSON object.' });

function requiredString(input: Input, name: string): string {
  const value = input[name];
  if (value === undefined || value === null || value === '') throw SqsErrors.missingParameter(name);
  if (typeof value !== 'string') throw SqsErrors.invalidParameterValue(`Value for parameter ${name} must be a string.`);
  return value;
}

function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw SqsErrors.invalidParameterValue(`Value for parameter ${name} must be a string.`);
  return value;
}

function optionalInteger(input: Input, name: string, min: number, max: number, reason: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw SqsErrors.invalidParameterValue(`Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);
  }
  return number;
}

function stringMap(input: Input, name: string): Record<string, string> {
  const value = input[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw SqsErrors.invalidParameterValue(`${name} must be a map of strings.`);
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, entry]) => [key, String(entry)]));
}

function stringList(input: Input, name: string): string[] {
  const value = input[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw SqsErrors.invalidParameterValue(`${name} must be a list of strings.`);
  return value.map(String);
}

function messageAttributes(value: unknown): Record<string, StoredAttributeValue> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw SqsErrors.invalidParameterValue('MessageAttributes must be a map.');
  const result: Record<string, StoredAttributeValue> = {};
  for (const [name, raw] of Object.entries(value as Record<string, Record<string, unknown>>)) {
    result[name] = {
      DataType: String(raw?.DataType ?? ''),
      ...(raw?.StringValue !== undefined ? { StringValue: String(raw.StringValue) } : {}),
      ...(raw?.BinaryValue !== undefined ? { BinaryValue: String(raw.BinaryValue) } : {}),
    };
  }
  return result;
}

function traceHeaderOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const system = value as Record<string, { DataType?: string; StringValue?: string }>;
  for (const name of Object.keys(system)) {
    if (name !== 'AWSTraceHeader') {
      throw SqsErrors.invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
    }
  }
  return system.AWSTraceHeader?.StringValue;
}

function selectAttributes(
  attributes: Record<string, StoredAttributeValue>,
  requested: string[],
): Record<string, StoredAttributeValue> | undefined {
  if (requested.length === 0) return undefined;
  const all = requested.includes('All') || requested.includes('.*');
  const selected = Object.entries(attributes).filter(
    ([name]) => all || requested.some((pattern) => (pattern.endsWith('.*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name)),
  );
  return selected.length > 0 ? Object.fromEntries(selected) : undefined;
}

function validateBatch(entries: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(entries) || entries.length === 0) throw SqsErrors.emptyBatchRequest();
  if (entries.length > 10) throw SqsErrors.tooManyEntriesInBatchRequest(entries.length);
  const seen = new Set<string>();
  for (const entry of entries as Array<Record<string, unknown>>) {
    const id = String(entry?.Id ?? '');
    if (!BATCH_ENTRY_ID.test(id)) throw SqsErrors.invalidBatchEntryId();
    if (seen.has(id)) throw SqsErrors.batchEntryIdsNotDistinct(id);
    seen.add(id);
  }
  return entries as Array<Record<string, unknown>>;
}

function batchFailure(id: string, error: unknown) {
  if (error instanceof AwsServiceError) return { Id: id, SenderFault: error.status < 500, Code: error.code, Message: error.message };
  return { Id: id, SenderFault: false, Code: 'InternalError', Message: (error as Error).message };
}

export class SqsApi implements ServiceHandler {
  readonly serviceNames = ['sqs'] as const;

  constructor(
    private readonly sqs: SqsService,
    private readonly accountId: string,
    private readonly moveTasks: MessageMoveTasks,
  ) {}

  async handle(request: AwsRequest): Promise<AwsResponse> {
    if (isQueryRequest(request)) return this.handleQuery(request);
    const operation = request.operation;
    if (!operation) {
      throw SqsErrors.unsupportedOperation(
        'Send either the AWS JSON 1.0 protocol (X-Amz-Target: AmazonSQS.<Action>) or the query protocol (a form with Action=<Action>).',
      );
    }
    return jsonResponse(await this.execute(operation, parseInput(request)), { protocol: 'awsJson1_0' });
  }

  /** A query-protocol call: same operations, XML answers and `<ErrorResponse>` errors with the legacy codes. */
  private async handleQuery(request: AwsRequest): Promise<AwsResponse> {
    const requestId = newRequestId();
    const { action, input } = parseQueryRequest(queryParameters(request));
    try {
      if (!action) throw SqsErrors.missingParameter('Action');
      return queryResponse(action, await this.execute(action, input), requestId);
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      return renderError(asQueryError(error), 'awsQuery', requestId);
    }
  }

  /** One operation, input and output in the JSON protocol's shapes. */
  private async execute(operation: string, input: Input): Promise<Output> {
    switch (operation) {
      case 'CreateQueue': {
        const name = requiredString(input, 'QueueName');
        const queue = this.sqs.createQueue(name, stringMap(input, 'Attributes'), stringMap(input, 'tags'));
        return ok({ QueueUrl: this.sqs.urlOf(queue.name) });
      }
      case 'GetQueueUrl': {
        const queue = this.sqs.get(requiredString(input, 'QueueName'));
        return ok({ QueueUrl: this.sqs.urlOf(queue.name) });
      }
      case 'ListQueues':
        return ok(this.listQueues(input));
      case 'DeleteQueue':
        this.sqs.deleteQueue(requiredString(input, 'QueueUrl'));
        return ok();
      case 'GetQueueAttributes':
        return ok({ Attributes: this.getAttributes(input) });
      case 'SetQueueAttributes':
        if (input.Attributes === undefined) throw SqsErrors.missingParameter('Attributes');
        this.sqs.setAttributes(requiredString(input, 'QueueUrl'), stringMap(input, 'Attributes'));
        return ok();
      case 'PurgeQueue':
        this.sqs.purge(requiredString(input, 'QueueUrl'));
        return ok();
      case 'SendMessage':
        return ok(this.sendOne(requiredString(input, 'QueueUrl'), input));
      case 'SendMessageBatch':
        return ok(this.sendBatch(input));
      case 'ReceiveMessage':
        return ok(await this.receive(input));
      case 'DeleteMessage':
        this.sqs.deleteMessage(requiredString(input, 'QueueUrl'), requiredString(input, 'ReceiptHandle'));
        return ok();
      case 'DeleteMessageBatch':
        return ok(this.eachEntry(input, (queueUrl, entry) => this.sqs.deleteMessage(queueUrl, requiredString(entry, 'ReceiptHandle'))));
      case 'ChangeMessageVisibility':
        this.sqs.changeMessageVisibility(
          requiredString(input, 'QueueUrl'),
          requiredString(input, 'ReceiptHandle'),
          this.visibilityTimeout(input, true) as number,
        );
        return ok();
      case 'ChangeMessageVisibilityBatch':
        return ok(
          this.eachEntry(input, (queueUrl, entry) =>
            this.sqs.changeMessageVisibility(queueUrl, requiredString(entry, 'ReceiptHandle'), this.visibilityTimeout(entry, true) as number),
          ),
        );
      case 'ListDeadLetterSourceQueues':
        return ok({ queueUrls: this.sqs.deadLetterSourcesOf(requiredString(input, 'QueueUrl')).map((queue) => this.sqs.urlOf(queue.name)) });
      case 'TagQueue':
        this.sqs.tag(requiredString(input, 'QueueUrl'), stringMap(input, 'Tags'));
        return ok();
      case 'UntagQueue':
        this.sqs.untag(requiredString(input, 'QueueUrl'), stringList(input, 'TagKeys'));
        return ok();
      case 'ListQueueTags':
        return ok({ Tags: this.sqs.get(requiredString(input, 'QueueUrl')).tags });
      case 'StartMessageMoveTask':
        return ok({
          TaskHandle: this.moveTasks.start({
            sourceArn: requiredString(input, 'SourceArn'),
            destinationArn: optionalString(input, 'DestinationArn'),
            maxNumberOfMessagesPerSecond: optionalInteger(input, 'MaxNumberOfMessagesPerSecond', 1, 500, 'MaxNumberOfMessagesPerSecond must be from 1 to 500.'),
          }),
        });
      case 'ListMessageMoveTasks':
        return ok({
          Results: this.moveTasks.list(
            requiredString(input, 'SourceArn'),
            optionalInteger(input, 'MaxResults', 1, 10, 'MaxResults must be from 1 to 10.') ?? 1,
          ),
        });
      case 'CancelMessageMoveTask':
        return ok({ ApproximateNumberOfMessagesMoved: this.moveTasks.cancel(requiredString(input, 'TaskHandle')) });
      default:
        throw SqsErrors.invalidAction(operation);
    }
  }

  private listQueues(input: Input) {
    const maxResults = optionalInteger(input, 'MaxResults', 1, 1000, 'MaxResults must be from 1 to 1000.');
    const queues = this.sqs.listQueues(typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '');
    const start = typeof input.NextToken === 'string' ? (offsetOf(input.NextToken) ?? 0) : 0;
    const { items: page, nextToken } = pageFrom(queues, start, maxResults ?? 1000);
    // Without MaxResults SQS returns up to 1000 URLs and no token.
    const next = maxResults === undefined ? undefined : nextToken;
    return { QueueUrls: page.map((queue) => this.sqs.urlOf(queue.name)), ...(next ? { NextToken: next } : {}) };
  }

  private getAttributes(input: Input): Record<string, string> {
    const all = this.sqs.attributesOf(requiredString(input, 'QueueUrl'));
    const names = stringList(input, 'AttributeNames');
    if (names.length === 0) return {};
    if (names.includes('All')) return all;
    const known = new Set([...Object.keys(all), 'RedrivePolicy', 'Policy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit', 'SqsManagedSseEnabled']);
    const result: Record<string, string> = {};
    for (const name of names) {
      if (!known.has(name)) throw SqsErrors.invalidAttributeName(name);
      if (all[name] !== undefined) result[name] = all[name];
    }
    return result;
  }

  private visibilityTimeout(input: Input, required: boolean): number | undefined {
    if (required && (input.VisibilityTimeout === undefined || input.VisibilityTimeout === null)) throw SqsErrors.missingParameter('VisibilityTimeout');
    return optionalInteger(input, 'VisibilityTimeout', 0, 43_200, 'VisibilityTimeout must be an integer between 0 and 43200.');
  }

  private sendOne(queueUrl: string, input: Input) {
    if (typeof input.MessageBody !== 'string') throw SqsErrors.missingParameter('MessageBody');
    const sent = this.sqs.send(queueUrl, {
      body: input.MessageBody,
      attributes: messageAttributes(input.MessageAttributes),
      delaySeconds: input.DelaySeconds === undefined || input.DelaySeconds === null ? undefined : Number(input.DelaySeconds),
      groupId: typeof input.MessageGroupId === 'string' ? input.MessageGroupId : undefined,
      deduplicationId: typeof input.MessageDeduplicationId === 'string' ? input.MessageDeduplicationId : undefined,
      traceHeader: traceHeaderOf(input.MessageSystemAttributes),
    });
    const traceHeader = traceHeaderOf(input.MessageSystemAttributes);
    return {
      MessageId: sent.messageId,
      MD5OfMessageBody: sent.md5OfBody,
      ...(sent.md5OfMessageAttributes ? { MD5OfMessageAttributes: sent.md5OfMessageAttributes } : {}),
      ...(traceHeader !== undefined
        ? { MD5OfMessageSystemAttributes: md5OfMessageAttributes({ AWSTraceHeader: { DataType: 'String', StringValue: traceHeader } }) }
        : {}),
      ...(sent.sequenceNumber ? { SequenceNumber: sent.sequenceNumber } : {}),
    };
  }

  private sendBatch(input: Input) {
    const queueUrl = requiredString(input, 'QueueUrl');
    this.sqs.get(queueUrl);
    const entries = validateBatch(input.Entries);
    const totalBytes = entries.reduce((sum, entry) => sum + Buffer.byteLength(String(entry.MessageBody ?? ''), 'utf8'), 0);
    if (totalBytes > MAX_BATCH_BYTES) throw SqsErrors.batchRequestTooLong(totalBytes, MAX_BATCH_BYTES);
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const entry of entries) {
      try {
        const result = this.sendOne(queueUrl, entry);
        Successful.push({ Id: entry.Id, ...result });
      } catch (error) {
        Failed.push(batchFailure(String(entry.Id), error));
      }
    }
    return { Successful, Failed };
  }

  private eachEntry(input: Input, action: (queueUrl: string, entry: Input) => void) {
    const queueUrl = requiredString(input, 'QueueUrl');
    this.sqs.get(queueUrl);
    const entries = validateBatch(input.Entries);
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const entry of entries) {
      try {
        action(queueUrl, entry);
        Successful.push({ Id: entry.Id });
      } catch (error) {
        Failed.push(batchFailure(String(entry.Id), error));
      }
    }
    return { Successful, Failed };
  }

  private async receive(input: Input) {
    const queueUrl = requiredString(input, 'QueueUrl');
    const queue = this.sqs.get(queueUrl);
    const max = optionalInteger(input, 'MaxNumberOfMessages', 1, 10, 'Must be between 1 and 10, if provided.') ?? 1;
    const wait = optionalInteger(input, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided.') ?? queue.receiveWaitTimeSeconds;
    const visibility = this.visibilityTimeout(input, false);
    const messages = await this.sqs.receive(queueUrl, max, wait, visibility);
    if (messages.length === 0) return {};
    const systemNames = [...stringList(input, 'AttributeNames'), ...stringList(input, 'MessageSystemAttributeNames')];
    const attributeNames = stringList(input, 'MessageAttributeNames');
    return { Messages: messages.map((message) => this.render(message, systemNames, attributeNames)) };
  }

  private render(message: StoredMessage, systemNames: string[], attributeNames: string[]) {
    const wanted = systemNames.includes('All') ? new Set<string>(SYSTEM_ATTRIBUTE_NAMES) : new Set(systemNames);
    const values: Record<string, string | undefined> = {
      SenderId: this.accountId,
      SentTimestamp: String(message.sentAt),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: message.firstReceiveAt !== undefined ? String(message.firstReceiveAt) : undefined,
      SequenceNumber: message.sequenceNumber,
      MessageDeduplicationId: message.deduplicationId,
      MessageGroupId: message.groupId,
      AWSTraceHeader: message.traceHeader,
      DeadLetterQueueSourceArn: message.deadLetterSourceArn,
    };
    const Attributes = Object.fromEntries(Object.entries(values).filter(([name, value]) => wanted.has(name) && value !== undefined));
    const selected = selectAttributes(message.attributes, attributeNames);
    const md5 = selected
      ? md5OfMessageAttributes(
          Object.fromEntries(
            Object.entries(selected).map(([name, value]) => [
              name,
              value.BinaryValue !== undefined ? { DataType: value.DataType, BinaryValue: Buffer.from(value.BinaryValue, 'base64') } : value,
            ]),
          ) as Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }>,
        )
      : undefined;
    return {
      MessageId: message.id,
      ReceiptHandle: message.receiptHandle,
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      ...(Object.keys(Attributes).length > 0 ? { Attributes } : {}),
      ...(selected ? { MessageAttributes: selected, MD5OfMessageAttributes: md5 } : {}),
    };
  }
}
