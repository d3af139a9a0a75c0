import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { claimGroups, fieldErrors, HttpProblem } from '@kestrel/http-api';
import { etagOf, parseIfMatch } from '../../../src/adapters/http/etag';

describe('claimGroups', () => {
  it.each<[unknown, string[]]>([
    ['[staff]', ['staff']],
    ['[staff admins]', ['staff', 'admins']],
    ['["staff","admins"]', ['staff', 'admins']],
    [['staff', 'admins'], ['staff', 'admins']],
    ['staff,admins', ['staff', 'admins']],
    ['[]', []],
    [undefined, []],
    [42, []],
  ])('reads %j as %j', (claim, groups) => {
    expect(claimGroups(claim)).toEqual(groups);
  });
});

describe('parseIfMatch', () => {
  it('reads *, one ETag or a list, ignoring weak tags (If-Match compares strongly)', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch(' * ')).toEqual({ kind: 'any' });
    expect(parseIfMatch(etagOf(7))).toEqual({ kind: 'versions', versions: [7] });
    expect(parseIfMatch('"3", W/"4" ,"5"')).toEqual({ kind: 'versions', versions: [3, 5] });
  });

  it.each(['3', '"abc"', '', '"1",', '*, "1"'])('refuses %j as a 400 naming the header', (header) => {
    expect(() => parseIfMatch(header)).toThrow(HttpProblem);
    try {
      parseIfMatch(header);
    } catch (error) {
      expect((error as HttpProblem).extensions.errors).toEqual([{ field: 'header.if-match', message: expect.any(String) }]);
    }
  });
});

describe('fieldErrors', () => {
  it('names every unknown field, says "is required" for missing ones, and keeps other messages', () => {
    const schema = z.strictObject({ locale: z.string(), address: z.strictObject({ city: z.string().min(1, 'must not be empty') }) });
    const input = { nickname: 'x', extra: 1, address: { city: '' } };

    const result = schema.safeParse(input);

    expect(result.success).toBe(false);
    expect(fieldErrors('body', result.error!.issues, input)).toEqual(
      expect.arrayContaining([
        { field: 'body.nickname', message: 'is not a known field' },
        { field: 'body.extra', message: 'is not a known field' },
        { field: 'body.locale', message: 'is required' },
        { field: 'body.address.city', message: 'must not be empty' },
      ]),
    );
  });
});
