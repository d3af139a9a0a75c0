/**
 * The ingest decision for each event: find its contract (source,
 * detail-type, `detail.metadata.version`), validate it, pseudonymise what
 * the contract marks as PII, and shape the lake row. Anything that can't
 * become a raw row becomes a quarantine row with the reason: nothing is
 * dropped, nothing crashes the batch.
 */
import { piiPaths, safeParseEvent } from '@kestrel/contracts';
import type { AnyEventContract, EventRegistry } from '@kestrel/contracts';
import { identifiersOf, quarantineIssues, safeIdentifiers } from './lake-rows';
import type { LakeRow, QuarantineCode, QuarantineReason, QuarantineRow, RawRow } from './lake-rows';
import { MAX_ROW_BYTES } from './packing';
import { pseudonymiseEveryValue, pseudonymisePaths } from './pseudonymise';
import type { Pseudonymise } from './pseudonymise';

export interface IngestContext {
  /** Contracts to validate against (`eventRegistry` in production). */
  registry: EventRegistry;
  pseudonymise: Pseudonymise;
  /** When the function received the batch. */
  receivedAt: Date;
}

/** One event's outcome: the row and its serialised line (UTF-8 JSON, no newline). */
export interface IngestedRow {
  row: LakeRow;
  line: Buffer;
}

export interface IngestResult {
  rows: IngestedRow[];
  accepted: number;
  /** Quarantined events by reason code. */
  quarantined: Record<QuarantineCode, number>;
}

const piiPathCache = new WeakMap<AnyEventContract, readonly string[]>();

function contractPiiPaths(contract: AnyEventContract): readonly string[] {
  let paths = piiPathCache.get(contract);
  if (!paths) {
    paths = piiPaths(contract);
    piiPathCache.set(contract, paths);
  }
  return paths;
}

/** Every string in a value, to keep them out of reason texts (messages must never quote personal data). */
function stringsIn(value: unknown, into: Set<string>): Set<string> {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, into);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) stringsIn(item, into);
  return into;
}

/** Field names (and the short words they're made of) are structure, not data; only longer values are redacted. */
const MIN_REDACTED_LENGTH = 4;

/** The strings of `detail` outside `detail.metadata`: where personal data can be (the envelope and metadata hold identifiers only). */
function payloadStrings(raw: unknown): Set<string> {
  const detail = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).detail : undefined;
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return stringsIn(detail, new Set());
  const { metadata: _metadata, ...payload } = detail as Record<string, unknown>;
  return stringsIn(payload, new Set());
}

function redactReason(reason: QuarantineReason, raw: unknown): QuarantineReason {
  const values = [...payloadStrings(raw)].filter((value) => value.length >= MIN_REDACTED_LENGTH).sort((a, b) => b.length - a.length);
  if (values.length === 0) return reason;
  const redact = (text: string) => values.reduce((out, value) => (out.includes(value) ? out.split(value).join('[redacted]') : out), text);
  return { code: reason.code, message: redact(reason.message), issues: reason.issues.map((issue) => ({ path: redact(issue.path), message: redact(issue.message) })) };
}

function encode(row: LakeRow): Buffer {
  return Buffer.from(JSON.stringify(row), 'utf8');
}

function quarantine(raw: unknown, reason: QuarantineReason, context: IngestContext): IngestedRow {
  const eventBytes = Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
  const row: QuarantineRow = {
    zone: 'quarantine',
    ...safeIdentifiers(identifiersOf(raw)),
    receivedAt: context.receivedAt.toISOString(),
    reason: redactReason(reason, raw),
    eventBytes,
    event: pseudonymiseEveryValue(raw, context.pseudonymise),
  };
  let line = encode(row);
  if (line.length > MAX_ROW_BYTES) {
    // Too big to keep even pseudonymised: keep who, when and why.
    row.event = null;
    line = encode(row);
  }
  return { row, line };
}

function label(source: string, detailType: string, version: number | null): string {
  return `${source} ${detailType}${version === null ? '' : ` v${version}`}`;
}

/**
 * Decides what one event becomes in the lake.
 *
 * @example
 * ```ts
 * const { row } = ingestEvent(rawEventBridgeEvent, { registry: eventRegistry, pseudonymise, receivedAt: new Date() });
 * row.zone; // 'raw', or 'quarantine' with row.reason
 * ```
 */
export function ingestEvent(raw: unknown, context: IngestContext): IngestedRow {
  const ids = identifiersOf(raw);
  if (typeof ids.source !== 'string' || typeof ids.detailType !== 'string' || objectMissing(raw, 'detail')) {
    return quarantine(raw, { code: 'not-an-event', message: 'Not an EventBridge event: source, detail-type and detail are required', issues: [] }, context);
  }
  const safe = safeIdentifiers(ids);
  const contract = typeof ids.version === 'number' ? context.registry.get(ids.source, ids.detailType, ids.version) : undefined;
  if (!contract) {
    const known = context.registry.versions(ids.source, ids.detailType);
    const message =
      known.length > 0
        ? `No contract for version ${safe.version ?? '(missing)'} of ${label(safe.source, safe.detailType, null)} (registered: ${known.join(', ')})`
        : `No contract registered for ${label(safe.source, safe.detailType, safe.version)}`;
    return quarantine(raw, { code: 'unknown-contract', message, issues: [{ path: 'detail.metadata.version', message: 'no registered contract' }] }, context);
  }

  const parsed = safeParseEvent(contract, raw);
  if (!parsed.success) {
    return quarantine(
      raw,
      { code: 'contract-violation', message: `Event violates ${contract.key}`, issues: quarantineIssues(parsed.error.issues) },
      context,
    );
  }

  const event = parsed.event;
  const metadata = event.detail.metadata;
  const row: RawRow = {
    zone: 'raw',
    eventId: metadata.eventId,
    source: contract.source,
    detailType: contract.detailType,
    version: contract.version,
    occurredAt: metadata.occurredAt,
    receivedAt: context.receivedAt.toISOString(),
    correlationId: metadata.correlationId,
    causationId: metadata.causationId,
    producer: metadata.producer,
    envelopeId: event.id,
    data: pseudonymisePaths(event.detail.data, contractPiiPaths(contract), context.pseudonymise),
  };
  const line = encode(row);
  if (line.length > MAX_ROW_BYTES) {
    return quarantine(
      raw,
      {
        code: 'oversize',
        message: `Row of ${line.length} bytes exceeds Firehose's ${MAX_ROW_BYTES}-byte record limit; publish a reference (e.g. an S3 key) instead of the payload`,
        issues: [],
      },
      context,
    );
  }
  return { row, line };
}

function objectMissing(raw: unknown, key: string): boolean {
  const value = (raw as Record<string, unknown>)[key];
  return value === null || typeof value !== 'object' || Array.isArray(value);
}

/**
 * Ingests a batch: one row per event, in order, with counts for metrics.
 *
 * @example
 * ```ts
 * const result = ingestEvents(events, { registry: eventRegistry, pseudonymise, receivedAt: new Date() });
 * const records = packRows(result.rows.map((r) => r.line));
 * ```
 */
export function ingestEvents(events: readonly unknown[], context: IngestContext): IngestResult {
  const quarantined: Record<QuarantineCode, number> = { 'not-an-event': 0, 'unknown-contract': 0, 'contract-violation': 0, oversize: 0 };
  let accepted = 0;
  const rows = events.map((event) => {
    const ingested = ingestEvent(event, context);
    if (ingested.row.zone === 'raw') accepted++;
    else quarantined[ingested.row.reason.code]++;
    return ingested;
  });
  return { rows, accepted, quarantined };
}
