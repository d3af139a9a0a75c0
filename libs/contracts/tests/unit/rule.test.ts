import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rule';

const oneOf = (q: { category?: string; tag?: string }) => (q.category === undefined) !== (q.tag === undefined);
const query = z.strictObject({ category: z.optional(z.string()), tag: z.optional(z.string()) });

describe('rule', () => {
  it('reports the very issue z.refine reports: code, message and path', () => {
    // Prepare
    const withRule = query.check(rule(oneOf, 'give exactly one of category or tag', ['category']));
    const withRefine = query.check(z.refine(oneOf, { message: 'give exactly one of category or tag', path: ['category'] }));

    // Act
    const ruled = z.safeParse(withRule, { category: 'desks', tag: 'oak' });
    const refined = z.safeParse(withRefine, { category: 'desks', tag: 'oak' });

    // Assess
    expect(ruled.success).toBe(false);
    expect(ruled.error?.issues).toEqual(refined.error?.issues);
    expect(ruled.error?.issues).toEqual([{ code: 'custom', message: 'give exactly one of category or tag', path: ['category'] }]);
  });

  it('adds no issue when the test holds, and reports at the value itself without a path', () => {
    const letters = z.string().check(rule((name: string) => /\p{L}/u.test(name), 'must contain letters'));

    expect(z.safeParse(letters, 'Ada').success).toBe(true);
    expect(z.safeParse(letters, '42').error?.issues).toEqual(z.safeParse(z.string().check(z.refine((name: string) => /\p{L}/u.test(name), 'must contain letters')), '42').error?.issues);
    expect(z.safeParse(letters, '42').error?.issues).toMatchObject([{ code: 'custom', message: 'must contain letters', path: [] }]);
  });
});
