export { ingestEvent, ingestEvents } from './ingest';
export type { IngestContext, IngestResult, IngestedRow } from './ingest';
export { identifiersOf, safeIdentifiers } from './lake-rows';
export type { LakeRow, QuarantineCode, QuarantineReason, QuarantineRow, RawRow } from './lake-rows';
export { FIREHOSE_LIMITS, MAX_ROW_BYTES, RowTooLargeError, billedRecordBytes, packRowGroups, packRows, planPutBatches } from './packing';
export type { FirehoseLimits, PackedRecord } from './packing';
export {
  MIN_KEY_BYTES,
  PSEUDONYM_PREFIX,
  PseudonymisationKeyError,
  createPseudonymiser,
  parsePiiPath,
  pseudonymiseEveryValue,
  pseudonymisePaths,
} from './pseudonymise';
export type { Pseudonymise } from './pseudonymise';
