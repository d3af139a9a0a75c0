import { describe, expect, it } from 'vitest';
import { compileFilterPattern, FilterPatternError } from '../../src/services/logs/filter-pattern';

const json = (value: unknown) => JSON.stringify(value);

describe('CloudWatch Logs filter patterns', () => {
  it.each([
    ['', 'anything', true],
    ['ERROR', 'an ERROR here', true],
    ['ERROR', 'an error here', false],
    ['ERROR Exception', 'ERROR: Exception thrown', true],
    ['ERROR Exception', 'ERROR only', false],
    ['"Task timed out"', 'Task timed out after 3.00 seconds', true],
    ['"Task timed out"', 'Task was timed out', false],
    ['?ERROR ?WARN', 'a WARN line', true],
    ['?ERROR ?WARN', 'an INFO line', false],
    ['ERROR -retry', 'ERROR giving up', true],
    ['ERROR -retry', 'ERROR will retry', false],
    ['"say \\"hi\\""', 'they say "hi" to you', true],
  ])('terms %j on %j → %s', (pattern, message, expected) => {
    expect(compileFilterPattern(pattern)(message)).toBe(expected);
  });

  it.each([
    ['{ $.level = "ERROR" }', { level: 'ERROR' }, true],
    ['{ $.level = "ERROR" }', { level: 'INFO' }, false],
    ['{ $.level = ERROR }', { level: 'ERROR' }, true],
    ['{ $.level != "ERROR" }', { level: 'INFO' }, true],
    ['{ $.message = "*timeout*" }', { message: 'a timeout happened' }, true],
    ['{ $.message = "*timeout*" }', { message: 'fine' }, false],
    ['{ $.durationMs > 100 }', { durationMs: 250 }, true],
    ['{ $.durationMs > 100 }', { durationMs: 50 }, false],
    ['{ $.durationMs >= 50 && $.durationMs <= 50 }', { durationMs: 50 }, true],
    ['{ $.durationMs > 100 }', { durationMs: '250' }, false],
    ['{ $.status = 500 }', { status: 500 }, true],
    ['{ $.user.id = "u-1" }', { user: { id: 'u-1' } }, true],
    ['{ $.items[1].sku = "b" }', { items: [{ sku: 'a' }, { sku: 'b' }] }, true],
    ['{ ($.level = "ERROR" || $.level = "WARN") && $.service = "catalog" }', { level: 'WARN', service: 'catalog' }, true],
    ['{ ($.level = "ERROR" || $.level = "WARN") && $.service = "catalog" }', { level: 'WARN', service: 'identity' }, false],
    ['{ $.error IS NULL }', { error: null }, true],
    ['{ $.ok IS TRUE }', { ok: true }, true],
    ['{ $.ok IS FALSE }', { ok: true }, false],
    ['{ $.traceId NOT EXISTS }', { level: 'INFO' }, true],
    ['{ $.traceId NOT EXISTS }', { traceId: 'x' }, false],
    ['{ $.missing = "x" }', { level: 'INFO' }, false],
  ])('JSON %s on %j → %s', (pattern, document, expected) => {
    expect(compileFilterPattern(pattern)(json(document))).toBe(expected);
  });

  it('a JSON pattern never matches a message that is not a JSON object', () => {
    expect(compileFilterPattern('{ $.level = "ERROR" }')('ERROR plain text')).toBe(false);
    expect(compileFilterPattern('{ $.level = "ERROR" }')('["ERROR"]')).toBe(false);
  });

  it.each([
    ['{ $.level = }', /ends where a value was expected/],
    ['{ $.level = (x) }', /Expected a value after =/],
    ['{ $.level "ERROR" }', /Expected an operator/],
    ['{ level = "ERROR" }', /Expected a selector/],
    ['{ ($.a = 1 }', /Missing \)|ends where/],
    ['{ $.a = 1 ', /must end with '}'/],
    ['{ $.a > "x" }', /compares numbers only/],
    ['[ip, user]', /Space-delimited/],
    ['%ERROR|WARN%', /Regular-expression/],
  ])('refuses %j with a reason', (pattern, reason) => {
    expect(() => compileFilterPattern(pattern)).toThrow(FilterPatternError);
    expect(() => compileFilterPattern(pattern)).toThrow(reason);
  });
});
