import { describe, expect, it } from 'vitest';
import { ttlAfter, ttlAt } from '../../src/index';

describe('ttl helpers', () => {
  it('computes epoch seconds after a duration', () => {
    expect(ttlAfter(3600, new Date('2025-01-01T00:00:00Z'))).toBe(1_735_693_200);
  });

  it('rounds up so an item never expires early', () => {
    expect(ttlAt(new Date('2025-01-01T00:00:00.250Z'))).toBe(1_735_689_601);
  });

  it.each([-1, Number.NaN])('rejects %s seconds', (seconds) => {
    expect(() => ttlAfter(seconds)).toThrow(RangeError);
  });

  it('rejects an invalid date', () => {
    expect(() => ttlAt(new Date('nope'))).toThrow('invalid date');
  });
});
