/**
 * Packing rows into Firehose records and records into PutRecordBatch calls.
 *
 * Firehose bills ingestion per record rounded up to the next 5 KB, so a
 * 900-byte event sent alone costs 5 KB. Rows are therefore packed,
 * newline-delimited, into records that fill whole billing units (first-fit
 * decreasing bin packing); Firehose splits them again before partitioning
 * (`RecordDeAggregation`) and ends each row with a newline
 * (`AppendDelimiterToRecord`), so S3 objects stay plain NDJSON.
 */

/** Firehose's documented limits and billing unit. */
export const FIREHOSE_LIMITS = Object.freeze({
  /** Records per PutRecordBatch call. */
  maxRecordsPerCall: 500,
  /** Data bytes per PutRecordBatch call (4 MiB, before base64). */
  maxBytesPerCall: 4 * 1024 * 1024,
  /** Data bytes per record (1,000 KiB, before base64). */
  maxRecordBytes: 1_024_000,
  /** Ingestion is billed per record rounded up to this many bytes (5 KB). */
  billingUnitBytes: 5_120,
});

export type FirehoseLimits = typeof FIREHOSE_LIMITS;

const NEWLINE = Buffer.from('\n');

/** The largest row that fits a record with its newline. */
export const MAX_ROW_BYTES = FIREHOSE_LIMITS.maxRecordBytes - NEWLINE.length;

/** A row larger than a record can hold (the ingest step quarantines these before packing). */
export class RowTooLargeError extends Error {
  override readonly name = 'RowTooLargeError';
}

/** What Firehose bills for one record: its size rounded up to whole billing units. */
export function billedRecordBytes(recordBytes: number, limits: Pick<FirehoseLimits, 'billingUnitBytes'> = FIREHOSE_LIMITS): number {
  return Math.max(1, Math.ceil(recordBytes / limits.billingUnitBytes)) * limits.billingUnitBytes;
}

/**
 * Packs rows (UTF-8 JSON, without newline) into Firehose records, each row
 * followed by a newline. Each record's capacity is the billing units its
 * largest row needs (capped at the record limit), and smaller rows fill the
 * rest, largest first. Row order is not kept: every row carries its own times.
 *
 * @throws {@link RowTooLargeError} for a row over {@link MAX_ROW_BYTES}.
 * @example
 * ```ts
 * const records = packRows(rows.map((r) => Buffer.from(JSON.stringify(r))));
 * // 1,000 rows of ~900 bytes -> ~200 records of ~4.6 KB instead of 1,000 records billed 5 KB each
 * ```
 */
export function packRows(rows: readonly Buffer[], limits: FirehoseLimits = FIREHOSE_LIMITS): Buffer[] {
  return packRowGroups(rows, limits).map((group) => group.record);
}

/** One packed Firehose record and the indexes (into the input) of the rows it carries. */
export interface PackedRecord {
  record: Buffer;
  rows: number[];
}

/**
 * {@link packRows}, keeping which rows went into which record, so a record
 * Firehose keeps refusing can be traced back to the events (and the queue
 * messages) it carries.
 *
 * @example
 * ```ts
 * const groups = packRowGroups(lines);
 * const failed = new Set(error.failed); // records still refused
 * const failedRows = groups.filter((g) => failed.has(g.record)).flatMap((g) => g.rows);
 * ```
 */
export function packRowGroups(rows: readonly Buffer[], limits: FirehoseLimits = FIREHOSE_LIMITS): PackedRecord[] {
  const maxRow = limits.maxRecordBytes - NEWLINE.length;
  const order = rows.map((_, index) => index).sort((a, b) => (rows[b] as Buffer).length - (rows[a] as Buffer).length);
  const bins: Array<{ capacity: number; used: number; parts: Buffer[]; rows: number[] }> = [];
  let open: typeof bins = [];
  const smallest = order.length > 0 ? (rows[order[order.length - 1] as number] as Buffer).length + NEWLINE.length : 0;

  for (const index of order) {
    const row = rows[index] as Buffer;
    if (row.length > maxRow) throw new RowTooLargeError(`A row of ${row.length} bytes exceeds the ${maxRow}-byte limit of a Firehose record`);
    const size = row.length + NEWLINE.length;
    let bin = open.find((candidate) => candidate.used + size <= candidate.capacity);
    if (!bin) {
      bin = { capacity: Math.min(limits.maxRecordBytes, billedRecordBytes(size, limits)), used: 0, parts: [], rows: [] };
      bins.push(bin);
      open.push(bin);
    }
    bin.parts.push(row, NEWLINE);
    bin.rows.push(index);
    bin.used += size;
    // A bin that can't take even the smallest row is done; dropping it keeps the search short.
    if (bin.capacity - bin.used < smallest) open = open.filter((candidate) => candidate !== bin);
  }
  return bins.map((bin) => ({ record: Buffer.concat(bin.parts, bin.used), rows: bin.rows }));
}

/**
 * Groups records into PutRecordBatch calls within Firehose's limits (500
 * records and 4 MiB of data per call), in order.
 *
 * @example
 * ```ts
 * for (const batch of planPutBatches(records)) await firehose.send(new PutRecordBatchCommand({ ..., Records: batch.map((Data) => ({ Data })) }));
 * ```
 */
export function planPutBatches<T extends { length: number }>(records: readonly T[], limits: FirehoseLimits = FIREHOSE_LIMITS): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const record of records) {
    if (record.length > limits.maxRecordBytes) {
      throw new RowTooLargeError(`A record of ${record.length} bytes exceeds Firehose's ${limits.maxRecordBytes}-byte limit`);
    }
    if (current.length === limits.maxRecordsPerCall || bytes + record.length > limits.maxBytesPerCall) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += record.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
