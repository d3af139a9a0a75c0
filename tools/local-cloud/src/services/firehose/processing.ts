/**
 * Firehose's built-in record processors, in the order Firehose applies them:
 * `RecordDeAggregation` (JSON or DELIMITED sub-records), `MetadataExtraction`
 * (jq partition keys for dynamic partitioning) and `AppendDelimiterToRecord`.
 * Processors that need code we do not run locally (`Lambda`,
 * `Decompression`, `CloudWatchLogProcessing`) are refused when the stream is
 * created rather than silently skipped.
 */
import { compileJq, JqError } from './jq';
import type { CompiledJq } from './jq';

export interface ProcessorConfig {
  type: string;
  parameters: Record<string, string>;
}

export class ProcessingConfigError extends Error {}

/** A record after processing, or why it could not be processed. */
export type ProcessedRecord =
  | { ok: true; data: Buffer; partitionKeys?: Record<string, string> }
  | { ok: false; errorCode: string; errorMessage: string; raw: Buffer };

export interface RecordProcessor {
  /** Processes one record as it was put (de-aggregation may turn it into several). */
  process(record: Buffer): ProcessedRecord[];
}

const SUPPORTED = ['RecordDeAggregation', 'MetadataExtraction', 'AppendDelimiterToRecord'];

/**
 * Splits concatenated JSON objects (`{…}{…}` or one per line) the way JSON
 * de-aggregation does; whitespace between objects is dropped.
 */
export function splitJsonObjects(data: string): string[] | undefined {
  const objects: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      if (depth === 0) return undefined;
      inString = true;
    } else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) objects.push(data.slice(start, i + 1));
    } else if (depth === 0 && !/\s/.test(c as string)) {
      return undefined;
    }
  }
  return depth === 0 ? objects : undefined;
}

function decodeDelimiter(value: string | undefined, fallback: string, what: string): Buffer {
  if (value === undefined || value === '') return Buffer.from(fallback);
  const decoded = Buffer.from(value, 'base64');
  if (decoded.length === 0 || decoded.toString('base64').replace(/=+$/, '') !== value.replace(/=+$/, '')) {
    throw new ProcessingConfigError(`${what} Delimiter must be base64-encoded (e.g. 'Cg==' for a newline), got '${value}'`);
  }
  return decoded;
}

function scalarToKey(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * Builds the processing chain for a stream.
 *
 * @param queryKeys partition keys the prefix reads with `!{partitionKeyFromQuery:…}`.
 * @throws ProcessingConfigError for unsupported processors or parameters (and jq outside the local subset).
 * @example
 * const chain = buildProcessor([{ type: 'MetadataExtraction', parameters: { MetadataExtractionQuery: '{source:.source}', JsonParsingEngine: 'JQ-1.6' } }], ['source']);
 * chain.process(Buffer.from('{"source":"a"}')) // [{ ok: true, data, partitionKeys: { source: 'a' } }]
 */
export function buildProcessor(processors: ProcessorConfig[], queryKeys: string[]): RecordProcessor {
  for (const processor of processors) {
    if (!SUPPORTED.includes(processor.type)) {
      throw new ProcessingConfigError(
        `Processor type '${processor.type}' is not emulated by the local Firehose (supported: ${SUPPORTED.join(', ')}); a Lambda transform would need a local Lambda integration`,
      );
    }
  }
  const find = (type: string) => processors.find((processor) => processor.type === type);

  const deaggregation = find('RecordDeAggregation');
  let split: ((record: Buffer) => Buffer[] | undefined) | undefined;
  if (deaggregation) {
    const subRecordType = deaggregation.parameters.SubRecordType ?? 'JSON';
    if (subRecordType === 'JSON') {
      split = (record) => splitJsonObjects(record.toString('utf8'))?.map((text) => Buffer.from(text));
    } else if (subRecordType === 'DELIMITED') {
      const delimiter = decodeDelimiter(deaggregation.parameters.Delimiter, '\n', 'RecordDeAggregation');
      split = (record) => {
        const parts: Buffer[] = [];
        let offset = 0;
        for (let index = record.indexOf(delimiter); index !== -1; index = record.indexOf(delimiter, offset)) {
          parts.push(record.subarray(offset, index));
          offset = index + delimiter.length;
        }
        if (offset < record.length) parts.push(record.subarray(offset));
        return parts;
      };
    } else {
      throw new ProcessingConfigError(`RecordDeAggregation SubRecordType must be JSON or DELIMITED, got '${subRecordType}'`);
    }
  }

  const extraction = find('MetadataExtraction');
  let query: CompiledJq | undefined;
  if (extraction) {
    const engine = extraction.parameters.JsonParsingEngine ?? 'JQ-1.6';
    if (engine !== 'JQ-1.6') throw new ProcessingConfigError(`MetadataExtraction JsonParsingEngine must be JQ-1.6, got '${engine}'`);
    const source = extraction.parameters.MetadataExtractionQuery;
    if (!source) throw new ProcessingConfigError('MetadataExtraction needs a MetadataExtractionQuery parameter');
    try {
      query = compileJq(source);
    } catch (error) {
      throw new ProcessingConfigError(`MetadataExtractionQuery '${source}': ${(error as Error).message}`);
    }
  }
  if (queryKeys.length && !query) {
    throw new ProcessingConfigError(`Prefix uses !{partitionKeyFromQuery:${queryKeys[0]}} but no MetadataExtraction processor is configured`);
  }

  const append = find('AppendDelimiterToRecord');
  const delimiter = append ? decodeDelimiter(append.parameters.Delimiter, '\n', 'AppendDelimiterToRecord') : undefined;

  return {
    process(record) {
      let records: Buffer[] = [record];
      if (split) {
        const parts = split(record);
        if (!parts) {
          return [{ ok: false, errorCode: 'DynamicPartitioning.MetadataExtractionFailed', errorMessage: 'Non JSON record provided', raw: record }];
        }
        records = parts;
      }
      return records.map((data): ProcessedRecord => {
        let partitionKeys: Record<string, string> | undefined;
        if (query) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(data.toString('utf8'));
          } catch {
            return { ok: false, errorCode: 'DynamicPartitioning.MetadataExtractionFailed', errorMessage: 'Non JSON record provided', raw: data };
          }
          let result: unknown;
          try {
            result = query.run(parsed);
          } catch (error) {
            const message = error instanceof JqError ? error.message : String(error);
            return { ok: false, errorCode: 'DynamicPartitioning.MetadataExtractionFailed', errorMessage: `jq query failed: ${message}`, raw: data };
          }
          if (typeof result !== 'object' || result === null || Array.isArray(result)) {
            return { ok: false, errorCode: 'DynamicPartitioning.MetadataExtractionFailed', errorMessage: 'The metadata extraction query must produce a JSON object', raw: data };
          }
          partitionKeys = {};
          for (const key of queryKeys) {
            const value = scalarToKey((result as Record<string, unknown>)[key]);
            if (value === undefined) {
              return {
                ok: false,
                errorCode: 'DynamicPartitioning.MetadataExtractionFailed',
                errorMessage: `The partition key '${key}' is missing or not a scalar in the metadata extraction result`,
                raw: data,
              };
            }
            partitionKeys[key] = value;
          }
        }
        return { ok: true, data: delimiter ? Buffer.concat([data, delimiter]) : data, partitionKeys };
      });
    },
  };
}
