import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { billedRecordBytes, FIREHOSE_LIMITS, MAX_ROW_BYTES, packRows, planPutBatches, RowTooLargeError } from '../../src/domain';

/** A JSON row of exactly `bytes` bytes. */
function row(bytes: number, id = 0): Buffer {
  const skeleton = JSON.stringify({ id, pad: '' });
  return Buffer.from(JSON.stringify({ id, pad: 'x'.repeat(Math.max(0, bytes - skeleton.length)) }));
}

function rowsOf(records: Buffer[]): string[] {
  return records.flatMap((record) => record.toString('utf8').split('\n').slice(0, -1));
}

const total = (buffers: Buffer[]) => buffers.reduce((sum, b) => sum + b.length, 0);

describe('billedRecordBytes', () => {
  it('rounds up to whole 5 KB units, at least one', () => {
    // act + assess
    expect(billedRecordBytes(1)).toBe(5_120);
    expect(billedRecordBytes(5_120)).toBe(5_120);
    expect(billedRecordBytes(5_121)).toBe(10_240);
    expect(billedRecordBytes(0)).toBe(5_120);
  });
});

describe('packRows', () => {
  it('puts every row in exactly one record, each ending with a newline', () => {
    // prepare
    const rows = Array.from({ length: 300 }, (_, i) => row(200 + ((i * 37) % 1_500), i));

    // act
    const records = packRows(rows);

    // assess
    expect(rowsOf(records).sort()).toEqual(rows.map((r) => r.toString()).sort());
    for (const record of records) expect(record.at(-1)).toBe(0x0a);
  });

  it('fills whole billing units: small rows share records of at most 5,120 bytes', () => {
    // prepare
    const rows = Array.from({ length: 1_000 }, (_, i) => row(900, i));

    // act
    const records = packRows(rows);

    // assess
    expect(records.every((r) => r.length <= 5_120)).toBe(true);
    expect(records).toHaveLength(Math.ceil(1_000 / 5)); // 5 x 901 bytes fit in 5,120; 6 do not
    const billed = records.reduce((sum, r) => sum + billedRecordBytes(r.length), 0);
    expect(billed / total(records)).toBeLessThan(1.14);
  });

  it('fills the unused part of a large row\'s last billing unit with small rows', () => {
    // prepare
    const large = row(6_000, 1);
    const small = Array.from({ length: 4 }, (_, i) => row(1_000, 10 + i));

    // act
    const records = packRows([large, ...small]);

    // assess
    expect(records).toHaveLength(1);
    expect(records[0]?.length).toBe(6_001 + 4 * 1_001);
    expect(billedRecordBytes(records[0]?.length ?? 0)).toBe(10_240);
  });

  it('keeps a maximum-size row alone in its record and refuses a larger one', () => {
    // prepare
    const largest = row(MAX_ROW_BYTES, 1);

    // act
    const records = packRows([largest, row(100, 2)]);

    // assess
    expect(records.map((r) => r.length)).toEqual([FIREHOSE_LIMITS.maxRecordBytes, 101]);
    expect(() => packRows([row(MAX_ROW_BYTES + 1)])).toThrow(RowTooLargeError);
  });

  it('returns no records for no rows', () => {
    expect(packRows([])).toEqual([]);
  });

  it('never produces a record over the limit or loses a row (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 20, max: 3_000 }), fc.integer({ min: 3_000, max: 60_000 })), { maxLength: 200 }), (sizes) => {
        // prepare
        const rows = sizes.map((size, i) => row(size, i));

        // act
        const records = packRows(rows);

        // assess
        expect(records.every((r) => r.length <= FIREHOSE_LIMITS.maxRecordBytes)).toBe(true);
        expect(rowsOf(records).length).toBe(rows.length);
        expect(total(records)).toBe(total(rows) + rows.length);
      }),
      { numRuns: 100 },
    );
  });
});

describe('planPutBatches', () => {
  it('splits at 500 records per call', () => {
    // prepare
    const records = Array.from({ length: 1_200 }, (_, i) => row(100, i));

    // act
    const batches = planPutBatches(records);

    // assess
    expect(batches.map((b) => b.length)).toEqual([500, 500, 200]);
  });

  it('splits at 4 MiB of data per call', () => {
    // prepare: five records of 1,000,000 bytes; only four fit in 4,194,304
    const records = Array.from({ length: 5 }, (_, i) => row(1_000_000, i));

    // act
    const batches = planPutBatches(records);

    // assess
    expect(batches.map((b) => b.length)).toEqual([4, 1]);
  });

  it('keeps every record once, in order, within both limits (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: FIREHOSE_LIMITS.maxRecordBytes }), { maxLength: 40 }), fc.integer({ min: 0, max: 1_500 }), (large, smallCount) => {
        // prepare: lengths only matter, so plain objects stand in for buffers
        const records = [...large, ...Array.from({ length: smallCount }, () => 10)].map((length, id) => ({ length, id }));

        // act
        const batches = planPutBatches(records);

        // assess
        expect(batches.flat()).toEqual(records);
        for (const batch of batches) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(500);
          expect(batch.reduce((sum, r) => sum + r.length, 0)).toBeLessThanOrEqual(FIREHOSE_LIMITS.maxBytesPerCall);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a record over the per-record limit', () => {
    expect(() => planPutBatches([{ length: FIREHOSE_LIMITS.maxRecordBytes + 1 }])).toThrow(RowTooLargeError);
  });
});
