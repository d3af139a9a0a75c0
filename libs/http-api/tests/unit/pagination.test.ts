import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { pageQuery, pageRequestOf } from '../../src/pagination';

const query = z.strictObject(pageQuery({ defaultLimit: 20, maxLimit: 100 }));

describe('pageQuery', () => {
  it('defaults the limit and reads digits', () => {
    expect(query.parse({})).toEqual({ limit: 20 });
    expect(query.parse({ limit: '100', cursor: 'abc' })).toEqual({ limit: 100, cursor: 'abc' });
  });

  it.each([
    ['0', 'must be at least 1'],
    ['101', 'must be at most 100'],
    ['1.5', 'must be a whole number from 1 to 100'],
    ['-1', 'must be a whole number from 1 to 100'],
    ['1e2', 'must be a whole number from 1 to 100'],
    ['', 'must be a whole number from 1 to 100'],
  ])('refuses limit=%j: %s', (limit, message) => {
    const result = query.safeParse({ limit });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([message]);
  });

  it('refuses an empty cursor', () => {
    expect(query.safeParse({ cursor: '' }).success).toBe(false);
  });
});

describe('pageRequestOf', () => {
  it('carries the cursor only when there is one', () => {
    expect(pageRequestOf({ limit: 5 })).toEqual({ limit: 5 });
    expect(pageRequestOf({ limit: 5, cursor: undefined })).toEqual({ limit: 5 });
    expect(pageRequestOf({ limit: 5, cursor: 'c' })).toEqual({ limit: 5, cursor: 'c' });
  });
});
