/**
 * The two kinds of row the ingest function writes: a raw-zone row for an
 * event that satisfied its contract, and a quarantine row (with the reason)
 * for everything else. Neither ever holds personal data in clear.
 */
import { DETAIL_TYPE_PATTERN, SOURCE_PATTERN } from '@kestrel/contracts';
import type { ContractIssue } from '@kestrel/contracts';
import { UNKNOWN_PARTITION_VALUE } from '../../lake';

/** One event in the raw zone. Field order is the JSON order. */
export interface RawRow {
  zone: 'raw';
  eventId: string;
  source: string;
  detailType: string;
  version: number;
  occurredAt: string;
  receivedAt: string;
  correlationId: string;
  causationId: string;
  producer: string;
  /** EventBridge's envelope id; unlike `eventId` it changes when a producer retries PutEvents. */
  envelopeId: string;
  /** `detail.data` as the contract parsed it, PII pseudonymised. */
  data: unknown;
}

/** Why an event went to quarantine instead of the raw zone. */
export type QuarantineCode =
  /** Not shaped like an EventBridge event at all (no source, detail-type or detail). */
  | 'not-an-event'
  /** No registered contract for its source, detail-type and version. */
  | 'unknown-contract'
  /** A contract exists and the event violates it. */
  | 'contract-violation'
  /** Valid, but its row would exceed Firehose's per-record limit. */
  | 'oversize';

export interface QuarantineReason {
  code: QuarantineCode;
  message: string;
  /** Field-level problems, `detail.data.email: Invalid email address`. */
  issues: Array<{ path: string; message: string }>;
}

/** One rejected event in the quarantine zone: its identifiers, the reason, and its structure with every value pseudonymised. */
export interface QuarantineRow {
  zone: 'quarantine';
  /** The event's source when it is a well-formed `kestrel.<context>`, else `unknown` (it names an S3 partition). */
  source: string;
  /** The event's detail-type when well-formed PascalCase, else `unknown`. */
  detailType: string;
  version: number | null;
  eventId: string | null;
  envelopeId: string | null;
  occurredAt: string | null;
  receivedAt: string;
  reason: QuarantineReason;
  /** Size of the event as received (UTF-8 JSON bytes). */
  eventBytes: number;
  /** The event with every value pseudonymised and its keys kept, for diagnosis; null when that alone would be too large. */
  event: unknown;
}

export type LakeRow = RawRow | QuarantineRow;

/** The identifying fields we can read from anything, for quarantine rows. */
export interface EventIdentifiers {
  source: unknown;
  detailType: unknown;
  version: unknown;
  eventId: unknown;
  envelopeId: unknown;
  occurredAt: unknown;
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const child = (value as Record<string, unknown>)[key];
  return child !== null && typeof child === 'object' && !Array.isArray(child) ? (child as Record<string, unknown>) : undefined;
}

/** Reads the routing and metadata fields of whatever arrived, without trusting any of them. */
export function identifiersOf(raw: unknown): EventIdentifiers {
  const envelope = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const metadata = objectAt(objectAt(raw, 'detail'), 'metadata') ?? {};
  return {
    source: envelope.source,
    detailType: envelope['detail-type'],
    version: metadata.version,
    eventId: metadata.eventId,
    envelopeId: envelope.id,
    occurredAt: metadata.occurredAt,
  };
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Identifiers are kept only when they look like what they claim to be, so no free text (which might be personal) slips through them. */
export function safeIdentifiers(ids: EventIdentifiers): Pick<QuarantineRow, 'source' | 'detailType' | 'version' | 'eventId' | 'envelopeId' | 'occurredAt'> {
  const text = (value: unknown, pattern: RegExp): string | null => (typeof value === 'string' && pattern.test(value) ? value : null);
  return {
    source: text(ids.source, SOURCE_PATTERN) ?? UNKNOWN_PARTITION_VALUE,
    detailType: text(ids.detailType, DETAIL_TYPE_PATTERN) ?? UNKNOWN_PARTITION_VALUE,
    version: typeof ids.version === 'number' && Number.isSafeInteger(ids.version) ? ids.version : null,
    eventId: text(ids.eventId, SAFE_ID),
    envelopeId: text(ids.envelopeId, SAFE_ID),
    occurredAt: text(ids.occurredAt, ISO_INSTANT),
  };
}

/** Contract issues as quarantine issues (paths and messages only; zod messages never quote the rejected value). */
export function quarantineIssues(issues: readonly ContractIssue[]): QuarantineReason['issues'] {
  return issues.map((issue) => ({ path: issue.path, message: issue.message }));
}
