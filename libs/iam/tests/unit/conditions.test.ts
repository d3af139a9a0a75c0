import { describe, expect, it } from 'vitest';
import { compileCondition } from '../../src';
import type { ContextValue } from '../../src';

// Every operator family of AWS's "Condition operators" page, with the missing-key,
// IfExists, negation (NOR over values) and ForAnyValue/ForAllValues rules.

function holds(operator: string, key: string, values: string | string[], context: Record<string, ContextValue>, variables = true): boolean {
  const keys = new Map(Object.entries(context).map(([name, value]) => [name.toLowerCase(), value] as const));
  return compileCondition(operator, key, Array.isArray(values) ? values : [values]).test(keys, variables);
}

describe('string operators', () => {
  it('StringEquals is exact and case-sensitive; values are OR-ed', () => {
    expect(holds('StringEquals', 'events:source', 'kestrel.orders', { 'events:source': 'kestrel.orders' })).toBe(true);
    expect(holds('StringEquals', 'events:source', 'kestrel.orders', { 'events:source': 'Kestrel.Orders' })).toBe(false);
    expect(holds('StringEquals', 'events:source', ['a', 'kestrel.orders'], { 'events:source': 'kestrel.orders' })).toBe(true);
  });

  it('condition key names are case-insensitive', () => {
    expect(holds('StringEquals', 'AWS:SourceAccount', '1', { 'aws:sourceaccount': '1' })).toBe(true);
  });

  it('StringNotEquals NORs its values', () => {
    expect(holds('StringNotEquals', 'k', ['a', 'b'], { k: 'a' })).toBe(false);
    expect(holds('StringNotEquals', 'k', ['a', 'b'], { k: 'c' })).toBe(true);
  });

  it('IgnoreCase variants', () => {
    expect(holds('StringEqualsIgnoreCase', 'k', 'ABC', { k: 'abc' })).toBe(true);
    expect(holds('StringNotEqualsIgnoreCase', 'k', 'ABC', { k: 'abc' })).toBe(false);
  });

  it('StringLike takes * and ? (case-sensitive); StringNotLike negates', () => {
    expect(holds('StringLike', 'k', 'kestrel.*', { k: 'kestrel.orders' })).toBe(true);
    expect(holds('StringLike', 'k', 'kestrel.?rders', { k: 'kestrel.orders' })).toBe(true);
    expect(holds('StringLike', 'k', 'Kestrel.*', { k: 'kestrel.orders' })).toBe(false);
    expect(holds('StringNotLike', 'k', ['kestrel.*', 'x'], { k: 'kestrel.orders' })).toBe(false);
    expect(holds('StringNotLike', 'k', 'kestrel.*', { k: 'other' })).toBe(true);
  });

  it('StringEquals treats * literally', () => {
    expect(holds('StringEquals', 'k', 'a*', { k: 'abc' })).toBe(false);
    expect(holds('StringEquals', 'k', 'a*', { k: 'a*' })).toBe(true);
  });
});

describe('missing keys', () => {
  it('make positive operators false and negated operators true', () => {
    for (const operator of ['StringEquals', 'StringLike', 'NumericEquals', 'DateLessThan', 'Bool', 'IpAddress', 'ArnLike', 'BinaryEquals']) {
      expect(holds(operator, 'k', '1', {}), operator).toBe(false);
    }
    for (const operator of ['StringNotEquals', 'StringNotLike', 'NumericNotEquals', 'DateNotEquals', 'NotIpAddress', 'ArnNotLike', 'ArnNotEquals']) {
      expect(holds(operator, 'k', '1', {}), operator).toBe(true);
    }
  });

  it('…IfExists is true when the key is missing and tests the value when present', () => {
    expect(holds('StringEqualsIfExists', 'k', 'a', {})).toBe(true);
    expect(holds('StringEqualsIfExists', 'k', 'a', { k: 'a' })).toBe(true);
    expect(holds('StringEqualsIfExists', 'k', 'a', { k: 'b' })).toBe(false);
    expect(holds('ArnLikeIfExists', 'aws:SourceArn', 'arn:aws:events:*:*:rule/*', { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:1:t' })).toBe(false);
  });

  it('Null tests presence: "true" means absent, "false" present', () => {
    expect(holds('Null', 'aws:TokenIssueTime', 'true', {})).toBe(true);
    expect(holds('Null', 'aws:TokenIssueTime', 'true', { 'aws:TokenIssueTime': 'x' })).toBe(false);
    expect(holds('Null', 'aws:TokenIssueTime', 'false', { 'aws:TokenIssueTime': 'x' })).toBe(true);
    expect(holds('Null', 'aws:TokenIssueTime', 'false', {})).toBe(false);
  });
});

describe('numeric, date, bool, binary', () => {
  it('Numeric* compare numbers; non-numbers never match', () => {
    expect(holds('NumericEquals', 'k', '10', { k: '10.0' })).toBe(true);
    expect(holds('NumericLessThan', 'k', '10', { k: '9' })).toBe(true);
    expect(holds('NumericLessThan', 'k', '10', { k: '10' })).toBe(false);
    expect(holds('NumericLessThanEquals', 'k', '10', { k: '10' })).toBe(true);
    expect(holds('NumericGreaterThan', 'k', '10', { k: '11' })).toBe(true);
    expect(holds('NumericGreaterThanEquals', 'k', '10', { k: '9' })).toBe(false);
    expect(holds('NumericNotEquals', 'k', '10', { k: '9' })).toBe(true);
    expect(holds('NumericEquals', 'k', '10', { k: 'ten' })).toBe(false);
  });

  it('Date* accept ISO 8601 and epoch seconds', () => {
    const now = { 'aws:CurrentTime': '2026-12-07T06:00:00Z' };
    expect(holds('DateLessThan', 'aws:CurrentTime', '2027-01-01T00:00:00Z', now)).toBe(true);
    expect(holds('DateGreaterThan', 'aws:CurrentTime', '2027-01-01T00:00:00Z', now)).toBe(false);
    expect(holds('DateEquals', 'aws:CurrentTime', String(Date.parse('2026-12-07T06:00:00Z') / 1000), now)).toBe(true);
    expect(holds('DateNotEquals', 'aws:CurrentTime', '2026-12-07T06:00:00Z', now)).toBe(false);
    expect(holds('DateLessThanEquals', 'aws:CurrentTime', '2026-12-07T06:00:00Z', now)).toBe(true);
    expect(holds('DateGreaterThanEquals', 'aws:CurrentTime', '2026-12-07T06:00:01Z', now)).toBe(false);
  });

  it('Bool compares true/false case-insensitively', () => {
    expect(holds('Bool', 'aws:SecureTransport', 'false', { 'aws:SecureTransport': 'false' })).toBe(true);
    expect(holds('Bool', 'aws:SecureTransport', 'TRUE', { 'aws:SecureTransport': 'true' })).toBe(true);
    expect(holds('Bool', 'aws:SecureTransport', 'true', { 'aws:SecureTransport': 'false' })).toBe(false);
  });

  it('BinaryEquals compares base64 text exactly', () => {
    expect(holds('BinaryEquals', 'k', 'QmluYXJ5', { k: 'QmluYXJ5' })).toBe(true);
    expect(holds('BinaryEquals', 'k', 'QmluYXJ5', { k: 'qmluyxj5' })).toBe(false);
  });
});

describe('IP addresses', () => {
  it('IpAddress matches CIDR ranges (IPv4 and IPv6); NotIpAddress negates', () => {
    expect(holds('IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '203.0.113.7' })).toBe(true);
    expect(holds('IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '203.0.114.7' })).toBe(false);
    expect(holds('IpAddress', 'aws:SourceIp', '203.0.113.7', { 'aws:SourceIp': '203.0.113.7' })).toBe(true);
    expect(holds('IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '2001:db8:0:1::5' })).toBe(true);
    expect(holds('IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '2001:db9::5' })).toBe(false);
    expect(holds('IpAddress', 'aws:SourceIp', '::ffff:10.0.0.0/104', { 'aws:SourceIp': '::ffff:10.1.2.3' })).toBe(true);
    expect(holds('NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8', '192.168.0.0/16'], { 'aws:SourceIp': '192.168.1.1' })).toBe(false);
    expect(holds('NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8'], { 'aws:SourceIp': '127.0.0.1' })).toBe(true);
  });

  it('never matches malformed addresses or mixes families', () => {
    expect(holds('IpAddress', 'aws:SourceIp', '10.0.0.0/8', { 'aws:SourceIp': '10.0.0.256' })).toBe(false);
    expect(holds('IpAddress', 'aws:SourceIp', '10.0.0.0/33', { 'aws:SourceIp': '10.0.0.1' })).toBe(false);
    expect(holds('IpAddress', 'aws:SourceIp', '::/0', { 'aws:SourceIp': '10.0.0.1' })).toBe(false);
  });
});

describe('ARN operators', () => {
  const rule = 'arn:aws:events:eu-west-1:111111111111:rule/kestrel-staging-bus/orders';
  it('ArnEquals and ArnLike match part by part with wildcards; the Not forms negate', () => {
    expect(holds('ArnEquals', 'aws:SourceArn', rule, { 'aws:SourceArn': rule })).toBe(true);
    expect(holds('ArnLike', 'aws:SourceArn', 'arn:aws:events:eu-west-1:111111111111:rule/kestrel-staging-*', { 'aws:SourceArn': rule })).toBe(true);
    expect(holds('ArnEquals', 'aws:SourceArn', 'arn:aws:events:*:*:rule/*', { 'aws:SourceArn': rule })).toBe(true);
    expect(holds('ArnLike', 'aws:SourceArn', 'arn:aws:events:*:222222222222:*', { 'aws:SourceArn': rule })).toBe(false);
    expect(holds('ArnNotLike', 'aws:SourceArn', 'arn:aws:events:*:222222222222:*', { 'aws:SourceArn': rule })).toBe(true);
    expect(holds('ArnNotEquals', 'aws:SourceArn', rule, { 'aws:SourceArn': rule })).toBe(false);
  });
});

describe('set operators', () => {
  const tags = { 'aws:TagKeys': ['team', 'cost-center'] };
  it('ForAllValues: every request value is among the policy values; true for a missing or empty key', () => {
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['team', 'cost-center', 'owner'], tags)).toBe(true);
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['team'], tags)).toBe(false);
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['team'], {})).toBe(true);
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['team'], { 'aws:TagKeys': [] })).toBe(true);
  });

  it('ForAnyValue: at least one request value is among the policy values; false for a missing or empty key', () => {
    expect(holds('ForAnyValue:StringEquals', 'aws:TagKeys', ['team'], tags)).toBe(true);
    expect(holds('ForAnyValue:StringEquals', 'aws:TagKeys', ['owner'], tags)).toBe(false);
    expect(holds('ForAnyValue:StringEquals', 'aws:TagKeys', ['team'], {})).toBe(false);
    expect(holds('ForAnyValue:StringEquals', 'aws:TagKeys', ['team'], { 'aws:TagKeys': [] })).toBe(false);
  });

  it('combine with negated and wildcard operators', () => {
    expect(holds('ForAllValues:StringNotEquals', 'aws:TagKeys', ['secret'], tags)).toBe(true);
    expect(holds('ForAllValues:StringNotEquals', 'aws:TagKeys', ['team'], tags)).toBe(false);
    expect(holds('ForAnyValue:StringNotEquals', 'aws:TagKeys', ['team'], tags)).toBe(true);
    expect(holds('ForAnyValue:StringLike', 'aws:TagKeys', ['cost-*'], tags)).toBe(true);
    expect(holds('ForAllValues:StringLike', 'aws:TagKeys', ['cost-*'], tags)).toBe(false);
  });

  it('a multi-valued key without a set operator: any value matches (NOR for negated operators)', () => {
    expect(holds('StringEquals', 'aws:TagKeys', 'team', tags)).toBe(true);
    expect(holds('StringNotEquals', 'aws:TagKeys', 'team', tags)).toBe(false);
  });
});

describe('policy variables in condition values', () => {
  it('resolve in string and ARN operators', () => {
    const context = { 'aws:PrincipalTag/team': 'orders', 's3:prefix': 'orders/2026' };
    expect(holds('StringLike', 's3:prefix', '${aws:PrincipalTag/team}/*', context)).toBe(true);
    expect(holds('StringLike', 's3:prefix', '${aws:PrincipalTag/other}/*', context)).toBe(false);
  });

  it('are literal text when the policy is not 2012-10-17', () => {
    expect(holds('StringEquals', 'k', '${aws:username}', { k: '${aws:username}', 'aws:username': 'x' }, false)).toBe(true);
  });
});

describe('unknown operators', () => {
  it('fail when compiled, naming the operator', () => {
    expect(() => compileCondition('StringEqualz', 'k', ['a'])).toThrow('unknown condition operator "StringEqualz"');
    expect(() => compileCondition('NullIfExists', 'k', ['true'])).toThrow('unknown condition operator "NullIfExists"');
  });
});
