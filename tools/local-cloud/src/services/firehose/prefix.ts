/**
 * Firehose's S3 key prefixes: `!{namespace:value}` expressions evaluated at
 * delivery time, and the semantic rules Firehose checks when a stream is
 * created (Amazon Data Firehose Developer Guide, "Custom prefixes for Amazon
 * S3 objects").
 *
 * - `!{timestamp:<Java DateTimeFormatter pattern>}`: the approximate arrival
 *   time of the oldest record in the object; text in single quotes is literal.
 * - `!{firehose:random-string}`: 11 random characters, new at each use.
 * - `!{firehose:error-output-type}`: the failure kind, only in ErrorOutputPrefix.
 * - `!{partitionKeyFromQuery:<key>}` / `!{partitionKeyFromLambda:<key>}`: dynamic partitioning keys.
 * - A prefix without any expression gets `yyyy/MM/dd/HH/` appended; no prefix at all is `yyyy/MM/dd/HH/`.
 */
import { randomBytes } from 'node:crypto';

export class PrefixError extends Error {}

export type PrefixPart =
  | { kind: 'text'; text: string }
  | { kind: 'timestamp'; pattern: string }
  | { kind: 'random' }
  | { kind: 'errorType' }
  | { kind: 'partitionKey'; source: 'query' | 'lambda'; key: string };

const EXPRESSION = /!\{([^:}]*):([^}]*)\}/g;
const DEFAULT_TIME_PATTERN = 'yyyy/MM/dd/HH/';

/**
 * Splits a prefix into literal text and expressions.
 *
 * @throws PrefixError for an unknown namespace or value, or a stray `!{`.
 * @example
 * parsePrefix('raw/source=!{partitionKeyFromQuery:source}/!{timestamp:yyyy}/')
 */
export function parsePrefix(prefix: string): PrefixPart[] {
  const parts: PrefixPart[] = [];
  let last = 0;
  for (const match of prefix.matchAll(EXPRESSION)) {
    const index = match.index ?? 0;
    if (index > last) parts.push({ kind: 'text', text: prefix.slice(last, index) });
    const [, namespace, value] = match as unknown as [string, string, string];
    if (namespace === 'timestamp') {
      validateTimePattern(value);
      parts.push({ kind: 'timestamp', pattern: value });
    } else if (namespace === 'firehose') {
      if (value === 'random-string') parts.push({ kind: 'random' });
      else if (value === 'error-output-type') parts.push({ kind: 'errorType' });
      else throw new PrefixError(`The expression !{firehose:${value}} is not valid: the firehose namespace accepts only random-string and error-output-type`);
    } else if (namespace === 'partitionKeyFromQuery' || namespace === 'partitionKeyFromLambda') {
      if (value === '') throw new PrefixError(`The expression !{${namespace}:} names no partition key`);
      parts.push({ kind: 'partitionKey', source: namespace === 'partitionKeyFromQuery' ? 'query' : 'lambda', key: value });
    } else {
      throw new PrefixError(`The expression !{${namespace}:${value}} uses unknown namespace '${namespace}' (valid: firehose, timestamp, partitionKeyFromQuery, partitionKeyFromLambda)`);
    }
    last = index + match[0].length;
  }
  if (last < prefix.length) parts.push({ kind: 'text', text: prefix.slice(last) });
  for (const part of parts) {
    if (part.kind === 'text' && part.text.includes('!{')) throw new PrefixError(`The sequence '!{' can only appear in !{namespace:value} expressions (in '${prefix}')`);
  }
  return parts;
}

const hasExpressions = (parts: PrefixPart[]) => parts.some((part) => part.kind !== 'text');

export interface PrefixPlan {
  prefix: PrefixPart[];
  errorPrefix: PrefixPart[];
  /** Partition keys the prefix needs from MetadataExtraction. */
  queryKeys: string[];
  lambdaKeys: string[];
}

/**
 * Applies Firehose's semantic rules to a Prefix / ErrorOutputPrefix pair and
 * returns the parts to evaluate (with the implicit time prefix added where
 * Firehose adds it).
 *
 * @throws PrefixError with the rule that was broken.
 * @example
 * planPrefixes('raw/', undefined) // prefix 'raw/yyyy/MM/dd/HH/', errors under 'raw/processing-failed/yyyy/MM/dd/HH/'
 */
export function planPrefixes(prefix: string | undefined, errorOutputPrefix: string | undefined, dynamicPartitioning = false): PrefixPlan {
  const given = parsePrefix(prefix ?? '');
  if (given.some((part) => part.kind === 'errorType')) throw new PrefixError('Prefix cannot contain !{firehose:error-output-type}; it is only valid in ErrorOutputPrefix');
  const queryKeys = given.flatMap((part) => (part.kind === 'partitionKey' && part.source === 'query' ? [part.key] : []));
  const lambdaKeys = given.flatMap((part) => (part.kind === 'partitionKey' && part.source === 'lambda' ? [part.key] : []));
  if (!dynamicPartitioning && (queryKeys.length || lambdaKeys.length)) {
    throw new PrefixError('Prefix uses partitionKeyFromQuery/partitionKeyFromLambda expressions but dynamic partitioning is not enabled');
  }
  if (dynamicPartitioning && !queryKeys.length && !lambdaKeys.length) {
    throw new PrefixError('Dynamic partitioning is enabled but Prefix contains no partitionKeyFromQuery or partitionKeyFromLambda expression');
  }
  const expressions = hasExpressions(given);
  const planned: PrefixPart[] = expressions ? given : [...given, { kind: 'timestamp', pattern: DEFAULT_TIME_PATTERN }];

  let errorPrefix: PrefixPart[];
  if (errorOutputPrefix === undefined || errorOutputPrefix === '') {
    if (expressions) throw new PrefixError('ErrorOutputPrefix cannot be null or empty when Prefix contains expressions');
    errorPrefix = [...given, { kind: 'errorType' }, { kind: 'text', text: '/' }, { kind: 'timestamp', pattern: DEFAULT_TIME_PATTERN }];
  } else {
    const parsed = parsePrefix(errorOutputPrefix);
    if (parsed.some((part) => part.kind === 'partitionKey')) throw new PrefixError('ErrorOutputPrefix cannot contain partition key expressions');
    if (hasExpressions(parsed) && !parsed.some((part) => part.kind === 'errorType')) {
      throw new PrefixError('ErrorOutputPrefix must include at least one instance of !{firehose:error-output-type} when it contains expressions');
    }
    errorPrefix = parsed;
  }
  return { prefix: planned, errorPrefix, queryKeys, lambdaKeys };
}

/** Java DateTimeFormatter letters we evaluate; others are refused up front. */
const TIME_LETTERS = new Set(['y', 'u', 'M', 'd', 'H', 'h', 'm', 's', 'S', 'D', 'a']);

function validateTimePattern(pattern: string): void {
  formatTime(pattern, { year: 2000, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0, dayOfYear: 1 });
}

interface TimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  dayOfYear: number;
}

/** The calendar fields of `epochMs` in `timeZone` (IANA name; UTC by default). */
export function timeFields(epochMs: number, timeZone = 'UTC'): TimeFields {
  if (timeZone === 'UTC') {
    const date = new Date(epochMs);
    const start = Date.UTC(date.getUTCFullYear(), 0, 1);
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
      millisecond: date.getUTCMilliseconds(),
      dayOfYear: Math.floor((epochMs - start) / 86_400_000) + 1,
    };
  }
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
      .formatToParts(new Date(epochMs))
      .map((part) => [part.type, part.value]),
  );
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  return {
    year,
    month,
    day,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    millisecond: epochMs % 1000,
    dayOfYear: Math.floor((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86_400_000) + 1,
  };
}

/**
 * Formats time fields with a Java DateTimeFormatter pattern (the letters
 * Firehose prefixes use: y/u, M, d, D, H, h, m, s, S, a; quoted text literal).
 *
 * @throws PrefixError for letters outside that set.
 * @example
 * formatTime("'year='yyyy'/month='MM", timeFields(Date.UTC(2026, 2, 5))) // 'year=2026/month=03'
 */
export function formatTime(pattern: string, fields: TimeFields): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      if (end === -1) throw new PrefixError(`Unterminated quoted text in timestamp pattern '${pattern}'`);
      out += pattern.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      const width = j - i;
      if (!TIME_LETTERS.has(c)) throw new PrefixError(`Timestamp pattern letter '${c}' in '${pattern}' is not supported locally (supported: ${[...TIME_LETTERS].join(' ')})`);
      const pad = (n: number, min: number) => String(n).padStart(min, '0');
      switch (c) {
        case 'y':
        case 'u':
          out += width === 2 ? pad(fields.year % 100, 2) : pad(fields.year, width);
          break;
        case 'M':
          if (width > 2) throw new PrefixError(`Text month 'MMM' in '${pattern}' is not supported locally`);
          out += pad(fields.month, width);
          break;
        case 'd':
          out += pad(fields.day, width);
          break;
        case 'D':
          out += pad(fields.dayOfYear, width);
          break;
        case 'H':
          out += pad(fields.hour, width);
          break;
        case 'h':
          out += pad(fields.hour % 12 === 0 ? 12 : fields.hour % 12, width);
          break;
        case 'm':
          out += pad(fields.minute, width);
          break;
        case 's':
          out += pad(fields.second, width);
          break;
        case 'S':
          out += pad(fields.millisecond, 3).slice(0, width).padEnd(width, '0');
          break;
        case 'a':
          out += fields.hour < 12 ? 'AM' : 'PM';
          break;
      }
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** 11 characters, like Firehose's `random-string` (lower-case letters and digits). */
export function randomString(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(11)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

export interface PrefixValues {
  /** Arrival time of the oldest record in the object (epoch ms). */
  oldestArrival: number;
  timeZone?: string;
  partitionKeys?: Record<string, string>;
  errorOutputType?: string;
}

/**
 * Evaluates planned prefix parts.
 *
 * @example
 * evaluatePrefix(planPrefixes('raw/', undefined).prefix, { oldestArrival: Date.UTC(2026, 0, 2, 3) }) // 'raw/2026/01/02/03/'
 */
export function evaluatePrefix(parts: PrefixPart[], values: PrefixValues): string {
  const fields = timeFields(values.oldestArrival, values.timeZone);
  return parts
    .map((part) => {
      switch (part.kind) {
        case 'text':
          return part.text;
        case 'timestamp':
          return formatTime(part.pattern, fields);
        case 'random':
          return randomString();
        case 'errorType':
          return values.errorOutputType ?? 'processing-failed';
        case 'partitionKey': {
          const value = values.partitionKeys?.[part.key];
          if (value === undefined) throw new PrefixError(`partition key '${part.key}' has no value`);
          return value;
        }
      }
    })
    .join('');
}
