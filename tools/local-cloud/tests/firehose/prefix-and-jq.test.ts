import { describe, expect, it } from 'vitest';
import { compileJq, JqError } from '../../src/services/firehose/jq';
import { evaluatePrefix, formatTime, planPrefixes, PrefixError, timeFields } from '../../src/services/firehose/prefix';
import { buildProcessor, splitJsonObjects } from '../../src/services/firehose/processing';

const at = Date.UTC(2026, 2, 5, 7, 8, 9, 123); // 2026-03-05T07:08:09.123Z

describe('firehose prefixes', () => {
  it('appends yyyy/MM/dd/HH/ to a prefix without expressions and derives the error prefix from it', () => {
    // prepare
    const plan = planPrefixes('raw/', undefined);
    // act
    const prefix = evaluatePrefix(plan.prefix, { oldestArrival: at });
    const errors = evaluatePrefix(plan.errorPrefix, { oldestArrival: at, errorOutputType: 'processing-failed' });
    // assess
    expect(prefix).toBe('raw/2026/03/05/07/');
    expect(errors).toBe('raw/processing-failed/2026/03/05/07/');
  });

  it('uses yyyy/MM/dd/HH/ when no prefix is given', () => {
    expect(evaluatePrefix(planPrefixes(undefined, undefined).prefix, { oldestArrival: at })).toBe('2026/03/05/07/');
  });

  it('evaluates timestamp patterns with quoted literals, random strings and partition keys', () => {
    // prepare
    const plan = planPrefixes(
      "events/source=!{partitionKeyFromQuery:source}/!{timestamp:'year='yyyy'/month='MM'/day='dd}/r=!{firehose:random-string}/",
      'errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/',
      true,
    );
    // act
    const prefix = evaluatePrefix(plan.prefix, { oldestArrival: at, partitionKeys: { source: 'kestrel.customers' } });
    const errors = evaluatePrefix(plan.errorPrefix, { oldestArrival: at, errorOutputType: 'processing-failed' });
    // assess
    expect(prefix).toMatch(/^events\/source=kestrel\.customers\/year=2026\/month=03\/day=05\/r=[a-z0-9]{11}\/$/);
    expect(errors).toBe('errors/processing-failed/2026-03-05/');
    expect(plan.queryKeys).toEqual(['source']);
  });

  it.each([
    ['!{timestamp:yyyy}/', undefined, false, 'ErrorOutputPrefix cannot be null or empty when Prefix contains expressions'],
    ['raw/!{firehose:error-output-type}/', 'e/!{firehose:error-output-type}', false, 'Prefix cannot contain !{firehose:error-output-type}'],
    ['raw/', 'errors/!{timestamp:yyyy}/', false, 'must include at least one instance of !{firehose:error-output-type}'],
    ['raw/!{unknown:x}/', 'e/', false, "unknown namespace 'unknown'"],
    ['raw/!{partitionKeyFromQuery:source}/', 'e/!{firehose:error-output-type}/', false, 'dynamic partitioning is not enabled'],
    ['raw/!{timestamp:yyyy}/', 'e/!{firehose:error-output-type}/', true, 'no partitionKeyFromQuery'],
    ['raw/!{timestamp:yyyy-MMM}/', 'e/!{firehose:error-output-type}/', false, "Text month 'MMM'"],
    ['raw/!{timestamp:yyyy-ww}/', 'e/!{firehose:error-output-type}/', false, "letter 'w'"],
  ])('refuses prefix %s / error prefix %s', (prefix, errorPrefix, dynamic, message) => {
    expect(() => planPrefixes(prefix, errorPrefix, dynamic)).toThrow(PrefixError);
    expect(() => planPrefixes(prefix, errorPrefix, dynamic)).toThrow(message);
  });

  it('formats in a custom time zone', () => {
    // Asia/Tokyo is UTC+9 with no daylight saving.
    expect(formatTime('yyyy-MM-dd HH', timeFields(at, 'Asia/Tokyo'))).toBe('2026-03-05 16');
  });
});

describe('firehose jq subset', () => {
  const event = { source: 'kestrel.customers', 'detail-type': 'CustomerRegistered.v1', detail: { data: { tier: 'gold', ids: [4, 5] } }, time: 1_772_694_489 };

  it.each([
    ['{source:.source,detail_type:."detail-type"}', { source: 'kestrel.customers', detail_type: 'CustomerRegistered.v1' }],
    ['{source, "type": ."detail-type"}', { source: 'kestrel.customers', type: 'CustomerRegistered.v1' }],
    ['.detail.data.tier', 'gold'],
    ['.detail["data"].ids[1]', 5],
    ['.detail.data.ids[-1]', 5],
    ['.missing.deeper', null],
    ['.missing // "unknown"', 'unknown'],
    ['.source | ascii_upcase', 'KESTREL.CUSTOMERS'],
    ['.detail.data.ids | length', 2],
    ['.detail.data.ids[0] | tostring', '4'],
    ['.time | strftime("%Y/%m/%d")', '2026/03/05'],
    ['(.source)', 'kestrel.customers'],
  ])('%s', (query, expected) => {
    expect(compileJq(query).run(event)).toEqual(expected);
  });

  it.each([
    ['.detail.data.ids[]', 'iteration'],
    ['.a + .b', "unsupported character '+'"],
    ['.source | test("x")', "function 'test'"],
    ['.a, .b', "unexpected ','"],
    ['$ENV.x', 'variables'],
    ['"\\(.source)"', 'string interpolation'],
  ])('refuses %s loudly', (query, message) => {
    expect(() => compileJq(query)).toThrow(JqError);
    expect(() => compileJq(query)).toThrow(message);
  });

  it('reports runtime type errors with jq wording', () => {
    expect(() => compileJq('.source.x').run(event)).toThrow('Cannot index string with "x"');
    expect(compileJq('.source.x?').run(event)).toBeNull();
  });
});

describe('firehose processors', () => {
  it('de-aggregates concatenated JSON, extracts partition keys and appends a delimiter', () => {
    // prepare
    const chain = buildProcessor(
      [
        { type: 'RecordDeAggregation', parameters: { SubRecordType: 'JSON' } },
        { type: 'MetadataExtraction', parameters: { MetadataExtractionQuery: '{source:.source}', JsonParsingEngine: 'JQ-1.6' } },
        { type: 'AppendDelimiterToRecord', parameters: {} },
      ],
      ['source'],
    );
    // act
    const results = chain.process(Buffer.from('{"source":"a","n":"}{"}\n{"source":"b"}'));
    // assess
    expect(results).toEqual([
      { ok: true, data: Buffer.from('{"source":"a","n":"}{"}\n'), partitionKeys: { source: 'a' } },
      { ok: true, data: Buffer.from('{"source":"b"}\n'), partitionKeys: { source: 'b' } },
    ]);
  });

  it('fails records that are not JSON or miss a partition key, with the reason', () => {
    const chain = buildProcessor([{ type: 'MetadataExtraction', parameters: { MetadataExtractionQuery: '{source:.source}', JsonParsingEngine: 'JQ-1.6' } }], ['source']);
    expect(chain.process(Buffer.from('not json'))[0]).toMatchObject({ ok: false, errorCode: 'DynamicPartitioning.MetadataExtractionFailed', errorMessage: 'Non JSON record provided' });
    expect(chain.process(Buffer.from('{"other":1}'))[0]).toMatchObject({ ok: false, errorMessage: expect.stringContaining("partition key 'source'") });
  });

  it('refuses processors it cannot run locally and bad delimiters', () => {
    expect(() => buildProcessor([{ type: 'Lambda', parameters: { LambdaArn: 'arn:aws:lambda:eu-west-1:000000000000:function:x' } }], [])).toThrow("Processor type 'Lambda' is not emulated");
    expect(() => buildProcessor([{ type: 'AppendDelimiterToRecord', parameters: { Delimiter: '\n' } }], [])).toThrow('base64');
    expect(() => buildProcessor([], ['source'])).toThrow('no MetadataExtraction processor');
  });

  it('splits JSON objects only when the data is a sequence of objects', () => {
    expect(splitJsonObjects('{"a":1} {"b":"}"}')).toEqual(['{"a":1}', '{"b":"}"}']);
    expect(splitJsonObjects('[1,2]')).toBeUndefined();
    expect(splitJsonObjects('{"a":1')).toBeUndefined();
  });
});
