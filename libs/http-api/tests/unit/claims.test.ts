import { describe, expect, it } from 'vitest';
import { callerOf, claimGroups } from '../../src/claims';
import { HttpProblem } from '../../src/problem';
import { httpEvent } from '../support/events';

describe('claimGroups', () => {
  it.each<[unknown, string[]]>([
    ['[staff]', ['staff']],
    ['[staff admins]', ['staff', 'admins']],
    ['["staff","admins"]', ['staff', 'admins']],
    [['staff', 'admins', 3], ['staff', 'admins']],
    ['staff,admins', ['staff', 'admins']],
    ['[]', []],
    ['', []],
    [undefined, []],
    [42, []],
  ])('reads %j as %j', (claim, groups) => {
    expect(claimGroups(claim)).toEqual(groups);
  });
});

describe('callerOf', () => {
  it('reads sub, customerId and the groups API Gateway rendered as "[a b]"', () => {
    // Prepare
    const event = httpEvent({ claims: { sub: 'user-1', customerId: 'customer-1', 'cognito:groups': '[staff admins]', token_use: 'access' } });

    // Act
    const caller = callerOf(event);

    // Assess
    expect(caller).toMatchObject({ userId: 'user-1', customerId: 'customer-1', groups: ['staff', 'admins'] });
    expect(caller.claim('token_use')).toBe('access');
    expect(caller.claim('missing')).toBeUndefined();
  });

  it('leaves out empty sub and customerId claims', () => {
    const caller = callerOf(httpEvent({ claims: { sub: '', customerId: '' } }));

    expect(caller.userId).toBeUndefined();
    expect(caller.customerId).toBeUndefined();
    expect(caller.groups).toEqual([]);
  });

  it('answers 401 when the request carries no verified claims', () => {
    const act = () => callerOf(httpEvent({ claims: null }));

    expect(act).toThrow(HttpProblem);
    expect(act).toThrow(expect.objectContaining({ status: 401, code: 'unauthenticated' }));
  });
});
