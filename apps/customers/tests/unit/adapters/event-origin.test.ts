import { describe, expect, it } from 'vitest';
import { accountOfFunction, assertPublishedByOwnAccount, ForeignEventError } from '../../../src/adapters/event-origin';

const arn = 'arn:aws:lambda:eu-west-1:111111111111:function:kestrel-staging-customers-on-user-registered';

describe('event origin', () => {
  it('reads the account from a function ARN, qualified or not, and refuses anything else', () => {
    // assess
    expect(accountOfFunction(arn)).toBe('111111111111');
    expect(accountOfFunction(`${arn}:$LATEST`)).toBe('111111111111');
    expect(() => accountOfFunction('customers-test')).toThrow('Cannot read the account id from the function ARN "customers-test"');
  });

  it('accepts an event of the own account and refuses one put by another, or with no account at all', () => {
    // act
    const check = (event: unknown) => () => assertPublishedByOwnAccount(event, arn);

    // assess
    expect(check({ id: 'e1', source: 'kestrel.identity', account: '111111111111' })).not.toThrow();
    expect(check({ id: 'e2', source: 'kestrel.identity', account: '222222222222' })).toThrow(ForeignEventError);
    expect(check({ id: 'e3', source: 'kestrel.identity' })).toThrow('Event e3 (source kestrel.identity) was put by account undefined, not by this account (111111111111): refused');
  });
});
