import type { AnyEventContract, EventDataInput } from './define-event';
import { eventMetadataSchema, type EventMetadata } from './envelope';
import { ContractViolationError, EventTooLargeError, toContractIssues, type ContractIssue } from './errors';
import { asProducer } from './open-enum';
import { datadogTraceHeaders } from './trace-headers';

/**
 * EventBridge's per-entry size limit for PutEvents: 1 MiB since AWS raised it from 256 KB.
 * Size = UTF-8 bytes of Source + DetailType + Detail + every Resources string, +14 when Time is set.
 */
export const MAX_PUT_EVENTS_ENTRY_BYTES = 1_048_576;
const TIME_FIELD_BYTES = 14;

/** Structurally the SDK's `PutEventsRequestEntry`, with the contract's literal source and detail-type. */
export interface PutEventsEntry<C extends AnyEventContract = AnyEventContract> {
  Source: C['source'];
  DetailType: C['detailType'];
  /** JSON of `{ metadata, data }`. */
  Detail: string;
  EventBusName: string;
  Time?: Date;
  Resources?: string[];
}

/** What the producer knows about the event's context; ids and time default sensibly. */
export interface MetadataInput {
  /** The business flow this event belongs to; copy it from the request or the causing event. */
  correlationId: string;
  /** Id of the request or event that caused this one. */
  causationId: string;
  /** The publishing service's name, e.g. `customers`. */
  producer: string;
  /** W3C traceparent of the current span, when tracing is on; also published as Datadog headers in `detail._datadog`. */
  traceparent?: string;
  /** Defaults to a random UUID. Pass a stable id (e.g. from an outbox row) to make retries idempotent. */
  eventId?: string;
  /** Defaults to now. */
  occurredAt?: string | Date;
}

export interface PutEventsEntryOptions {
  /** Name or ARN of the bus (the platform bus name is read from SSM by the service). */
  eventBusName: string;
  /** ARNs the event concerns; counted in the entry size. */
  resources?: string[];
  /** Set the entry's Time to `occurredAt` (default true), so EventBridge's `time` is when the fact happened. */
  includeTime?: boolean;
}

const encoder = new TextEncoder();

/** Bytes an entry counts against {@link MAX_PUT_EVENTS_ENTRY_BYTES}, computed the way EventBridge documents it. */
export function putEventsEntrySize(entry: Pick<PutEventsEntry, 'Source' | 'DetailType' | 'Detail' | 'Time' | 'Resources'>): number {
  let size = encoder.encode(entry.Source).length + encoder.encode(entry.DetailType).length + encoder.encode(entry.Detail).length;
  for (const resource of entry.Resources ?? []) size += encoder.encode(resource).length;
  if (entry.Time !== undefined) size += TIME_FIELD_BYTES;
  return size;
}

/**
 * Builds one PutEvents entry for a contract: validates `data` and the metadata, fills `eventId`
 * (random UUID) and `occurredAt` (now) when not given, and rejects an entry over
 * {@link MAX_PUT_EVENTS_ENTRY_BYTES} before anything is sent. The result is a plain object that fits
 * the SDK's `PutEventsRequestEntry`.
 *
 * @throws {@link ContractViolationError} when data or metadata break the contract (paths like `detail.data.email`).
 * @throws {@link EventTooLargeError} when the entry is over the size limit.
 *
 * @example
 * ```ts
 * import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
 *
 * const entry = buildPutEventsEntry(
 *   CustomerCreatedV1,
 *   { customerId, email, name },
 *   { correlationId: request.correlationId, causationId: request.id, producer: 'customers' },
 *   { eventBusName: process.env.EVENT_BUS_NAME! },
 * );
 * await eventBridge.send(new PutEventsCommand({ Entries: [entry] }));
 * ```
 */
export function buildPutEventsEntry<C extends AnyEventContract>(
  contract: C,
  data: EventDataInput<C>,
  metadataInput: MetadataInput,
  options: PutEventsEntryOptions,
): PutEventsEntry<C> {
  const issues: ContractIssue[] = [];
  if (options.eventBusName.trim() === '') issues.push({ path: 'EventBusName', message: 'must name the bus', code: 'too_small' });

  const occurredAt = metadataInput.occurredAt ?? new Date();
  const metadata = eventMetadataSchema.safeParse({
    eventId: metadataInput.eventId ?? globalThis.crypto.randomUUID(),
    occurredAt: occurredAt instanceof Date ? occurredAt.toISOString() : occurredAt,
    version: contract.version,
    correlationId: metadataInput.correlationId,
    causationId: metadataInput.causationId,
    producer: metadataInput.producer,
    traceparent: metadataInput.traceparent,
  });
  if (!metadata.success) issues.push(...toContractIssues(metadata.error.issues, ['detail', 'metadata']));

  const parsedData = asProducer(() => contract.data.safeParse(data));
  if (!parsedData.success) issues.push(...toContractIssues(parsedData.error.issues, ['detail', 'data']));

  if (!metadata.success || !parsedData.success || issues.length > 0) {
    throw new ContractViolationError(`Cannot publish ${contract.source} ${contract.detailType} v${contract.version}`, issues);
  }

  const entry: PutEventsEntry<C> = {
    Source: contract.source,
    DetailType: contract.detailType,
    // `_datadog` beside the metadata's traceparent: what datadog-lambda-js reads to continue the
    // producer's trace in the consumer (consumers' contracts drop it, like any unknown field).
    Detail: JSON.stringify({
      metadata: metadata.data,
      data: parsedData.data,
      ...(metadata.data.traceparent ? { _datadog: datadogTraceHeaders(metadata.data.traceparent) } : {}),
    }),
    EventBusName: options.eventBusName,
  };
  if (options.includeTime ?? true) entry.Time = new Date(metadata.data.occurredAt);
  if (options.resources !== undefined && options.resources.length > 0) entry.Resources = [...options.resources];

  const size = putEventsEntrySize(entry);
  if (size > MAX_PUT_EVENTS_ENTRY_BYTES) {
    throw new EventTooLargeError(`${contract.source} ${contract.detailType} v${contract.version}`, size, MAX_PUT_EVENTS_ENTRY_BYTES);
  }
  return entry;
}

/**
 * Metadata for an event caused by another: keeps the correlation id and points causation at the
 * causing event's id.
 *
 * @example
 * ```ts
 * const received = parseEvent(UserRegisteredV1, raw);
 * buildPutEventsEntry(CustomerCreatedV1, data, { ...causedBy(received), producer: 'customers' }, { eventBusName });
 * ```
 */
export function causedBy(event: { readonly detail: { readonly metadata: Pick<EventMetadata, 'eventId' | 'correlationId'> } }): {
  correlationId: string;
  causationId: string;
} {
  return { correlationId: event.detail.metadata.correlationId, causationId: event.detail.metadata.eventId };
}
