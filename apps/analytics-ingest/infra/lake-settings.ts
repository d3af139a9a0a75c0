import type { EnvironmentName } from '@kestrel/infra-constructs/environments';

/** What differs between environments in the analytics lake. */
export interface LakeSettings {
  /** Raw objects move to S3 Glacier Flexible Retrieval this many days after landing (kept forever). */
  rawToGlacierDays: number;
  /** Overwritten (noncurrent) raw object versions are deleted after this many days. */
  noncurrentVersionExpiryDays: number;
  /** Quarantined events are deleted this many days after landing: long enough to fix the producer and replay from the archive. */
  quarantineExpiryDays: number;
  /** Athena query results are deleted after this many days. */
  athenaResultsExpiryDays: number;
  /** Firehose flushes at least this often (60–900 s); longer means fewer, larger objects. */
  bufferingIntervalSeconds: number;
  /** A query scanning more than this is cancelled (Athena bills per byte scanned). */
  bytesScannedCutoffPerQuery: number;
  /** First day partition projection covers (`yyyy-MM-dd`). */
  firstPartitionDate: string;
}

const GIB = 1024 ** 3;

export const LAKE_SETTINGS: Readonly<Record<EnvironmentName, LakeSettings>> = Object.freeze({
  staging: {
    rawToGlacierDays: 30,
    noncurrentVersionExpiryDays: 7,
    quarantineExpiryDays: 14,
    athenaResultsExpiryDays: 7,
    bufferingIntervalSeconds: 60,
    bytesScannedCutoffPerQuery: 10 * GIB,
    firstPartitionDate: '2026-01-01',
  },
  production: {
    rawToGlacierDays: 90,
    noncurrentVersionExpiryDays: 30,
    quarantineExpiryDays: 30,
    athenaResultsExpiryDays: 30,
    bufferingIntervalSeconds: 300,
    bytesScannedCutoffPerQuery: 100 * GIB,
    firstPartitionDate: '2026-01-01',
  },
});
