import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, InvalidCursorError } from '../../src/cursor';

const scope = { attributes: ['PK', 'SK', 'GSI1PK', 'GSI1SK'], fixed: { GSI1PK: 'TAG#tea' } };
const item = { PK: 'PRODUCT#1', SK: 'PRODUCT', GSI1PK: 'TAG#tea', GSI1SK: '2026-03-01T08:00:00.000Z#1', name: 'Chamomile', price: 695 };
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('encodeCursor / decodeCursor', () => {
  it('round-trips the key attributes only, as an opaque base64url token', () => {
    // Act
    const cursor = encodeCursor(item, scope.attributes);

    // Assess
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(cursor, 'base64url').toString()).not.toContain('Chamomile');
    expect(decodeCursor(cursor, scope)).toEqual({ PK: 'PRODUCT#1', SK: 'PRODUCT', GSI1PK: 'TAG#tea', GSI1SK: '2026-03-01T08:00:00.000Z#1' });
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc+/='],
    ['not JSON', b64('{"PK":')],
    ['an array', b64(['PK'])],
    ['a string', b64('"PK"')],
    ['too long', 'A'.repeat(20_000)],
  ])('refuses a cursor that is %s', (_, cursor) => {
    expect(() => decodeCursor(cursor, scope)).toThrow(InvalidCursorError);
    expect(() => decodeCursor(cursor, scope)).toThrow('Invalid cursor: not a cursor issued by this API');
  });

  it.each([
    ['a missing attribute', { PK: 'PRODUCT#1', SK: 'PRODUCT', GSI1PK: 'TAG#tea' }],
    ['an extra attribute', { ...scope.fixed, PK: 'a', SK: 'b', GSI1SK: 'c', admin: 'yes' }],
    ['a number value', { PK: 'a', SK: 1, GSI1PK: 'TAG#tea', GSI1SK: 'c' }],
    ['an empty value', { PK: 'a', SK: '', GSI1PK: 'TAG#tea', GSI1SK: 'c' }],
    ['a value over 1 KB', { PK: 'a', SK: 'x'.repeat(1025), GSI1PK: 'TAG#tea', GSI1SK: 'c' }],
    ['a lone surrogate', { PK: 'a', SK: '\ud800', GSI1PK: 'TAG#tea', GSI1SK: 'c' }],
    ['another partition', { PK: 'a', SK: 'b', GSI1PK: 'TAG#coffee', GSI1SK: 'c' }],
  ])('refuses a cursor with %s as belonging to another query', (_, key) => {
    expect(() => decodeCursor(b64(key), scope)).toThrow('Invalid cursor: it belongs to another query');
  });

  it('runs the query\'s own check and reports its reason', () => {
    // Prepare
    const cursor = encodeCursor(item, scope.attributes);
    const check = (key: Readonly<Record<string, string>>) => (key.PK?.startsWith('CUSTOMER#') ? undefined : 'it does not point at a customer');

    // Act
    const act = () => decodeCursor(cursor, { ...scope, check });

    // Assess
    expect(act).toThrow('Invalid cursor: it does not point at a customer');
  });

  it('never throws anything but InvalidCursorError, whatever the client sends', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map(b64), fc.dictionary(fc.constantFrom('PK', 'SK', 'GSI1PK', 'GSI1SK', 'x'), fc.jsonValue()).map(b64)), (cursor) => {
        try {
          decodeCursor(cursor, scope);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidCursorError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
