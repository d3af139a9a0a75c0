import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arnMatches, compilePolicy, evaluate, globMatches, ipInCidr } from '../../src';
import type { ApplicablePolicies, Principal, RequestContext } from '../../src';
import { ACCOUNT, OTHER_ACCOUNT, ROLE_ARN } from './support';

// Properties of the evaluation logic that hold for any policies and requests.

const services = ['sqs', 'dynamodb', 'events'];
const verbs = ['SendMessage', 'GetItem', 'PutItem', 'PutEvents', 'DeleteItem'];
const names = ['orders', 'orders-dlq', 'customers', 'bus'];

const action = fc.tuple(fc.constantFrom(...services), fc.constantFrom(...verbs)).map(([service, verb]) => `${service}:${verb}`);
const actionPattern = fc.oneof(
  action,
  fc.constantFrom(...services).map((service) => `${service}:*`),
  fc.constant('*'),
  action.map((name) => name.replace(/[a-z]$/, '?')),
);
const resource = fc
  .tuple(fc.constantFrom(...services), fc.constantFrom(ACCOUNT, OTHER_ACCOUNT), fc.constantFrom(...names))
  .map(([service, account, name]) => `arn:aws:${service}:eu-west-1:${account}:${name}`);
const resourcePattern = fc.oneof(resource, fc.constant('*'), resource.map((arn) => arn.replace(/:[^:]*$/, ':*')), resource.map((arn) => arn.replace(/^(arn:aws:[^:]+):eu-west-1/, '$1:*')));
const condition = fc.option(
  fc.constantFrom(
    { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } },
    { StringNotEquals: { 'aws:PrincipalAccount': ACCOUNT } },
    { StringLike: { 'events:source': 'kestrel.*' } },
    { Null: { 'events:source': 'true' } },
    { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/orders-*' } },
  ),
  { nil: undefined },
);
const statement = (effect: 'Allow' | 'Deny' | undefined = undefined) =>
  fc
    .record({
      Effect: effect ? fc.constant(effect) : fc.constantFrom('Allow', 'Deny'),
      not: fc.boolean(),
      actions: fc.array(actionPattern, { minLength: 1, maxLength: 3 }),
      resources: fc.array(resourcePattern, { minLength: 1, maxLength: 2 }),
      Condition: condition,
    })
    .map(({ Effect, not, actions, resources, Condition }) => ({
      Effect,
      [not ? 'NotAction' : 'Action']: actions,
      Resource: resources,
      ...(Condition ? { Condition } : {}),
    }));
const statements = fc.array(statement(), { maxLength: 5 });
const principal: fc.Arbitrary<Principal> = fc.constantFrom<Principal>(
  { kind: 'role-session', accountId: ACCOUNT, roleArn: ROLE_ARN, sessionName: 's' },
  { kind: 'role-session', accountId: OTHER_ACCOUNT, roleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/partner`, sessionName: 's' },
);
const request: fc.Arbitrary<RequestContext> = fc.record({
  principal,
  action,
  resource,
  keys: fc.record({ 'events:source': fc.option(fc.constantFrom('kestrel.orders', 'forged'), { nil: undefined }) }),
});
const resourceStatements = fc.array(
  fc.tuple(statement(), fc.constantFrom<unknown>('*', { AWS: ROLE_ARN }, { AWS: OTHER_ACCOUNT }, { AWS: ACCOUNT })).map(([s, Principal]) => ({ ...s, Principal })),
  { maxLength: 3 },
);

function policies(identity: object[], resourcePolicy: object[], boundary?: object[]): ApplicablePolicies {
  const document = (statementList: object[]) => ({ Version: '2012-10-17', Statement: statementList });
  return {
    identity: [compilePolicy(document(identity), 'identity')],
    ...(resourcePolicy.length > 0 ? { resource: compilePolicy(document(resourcePolicy), 'resource') } : {}),
    ...(boundary ? { boundary: compilePolicy(document(boundary), 'boundary') } : {}),
  };
}

describe('evaluation properties', () => {
  it('adding a Deny statement never turns a denial into an allow', () => {
    fc.assert(
      fc.property(statements, resourceStatements, statement('Deny'), request, (identity, resourcePolicy, extraDeny, req) => {
        const before = evaluate(req, policies(identity, resourcePolicy));
        const after = evaluate(req, policies([...identity, extraDeny], resourcePolicy));
        if (!before.allowed) expect(after.allowed).toBe(false);
      }),
    );
  });

  it('adding an Allow statement never turns an allow into a denial', () => {
    fc.assert(
      fc.property(statements, resourceStatements, statement('Allow'), request, (identity, resourcePolicy, extraAllow, req) => {
        const before = evaluate(req, policies(identity, resourcePolicy));
        const after = evaluate(req, policies([...identity, extraAllow], resourcePolicy));
        if (before.allowed) expect(after.allowed).toBe(true);
      }),
    );
  });

  it('a matching explicit Deny always wins', () => {
    fc.assert(
      fc.property(statements, resourceStatements, request, (identity, resourcePolicy, req) => {
        const decision = evaluate(req, policies([...identity, { Effect: 'Deny', Action: req.action, Resource: req.resource }], resourcePolicy));
        expect(decision.outcome).toBe('ExplicitDeny');
      }),
    );
  });

  it('Allow * with no Deny allows every same-account request', () => {
    fc.assert(
      fc.property(request, (req) => {
        const sameAccount = { ...req, principal: { kind: 'role-session', accountId: ACCOUNT, roleArn: ROLE_ARN, sessionName: 's' } as Principal, resourceAccount: ACCOUNT };
        expect(evaluate(sameAccount, policies([{ Effect: 'Allow', Action: '*', Resource: '*' }], [])).outcome).toBe('Allow');
      }),
    );
  });

  it('the order of statements does not matter', () => {
    fc.assert(
      fc.property(statements, resourceStatements, request, fc.integer(), (identity, resourcePolicy, req, seed) => {
        const shuffle = <T>(list: T[]): T[] => list.map((item, index) => ({ item, key: (index * 7919 + seed) % 101 })).sort((a, b) => a.key - b.key).map(({ item }) => item);
        const a = evaluate(req, policies(identity, resourcePolicy));
        const b = evaluate(req, policies(shuffle([...identity]).reverse(), shuffle([...resourcePolicy])));
        expect(b.outcome).toBe(a.outcome);
      }),
    );
  });

  it('a permissions boundary only ever takes permissions away', () => {
    fc.assert(
      fc.property(statements, statements, request, (identity, boundary, req) => {
        const without = evaluate(req, policies(identity, []));
        const withBoundary = evaluate(req, policies(identity, [], boundary));
        if (withBoundary.allowed) expect(without.allowed).toBe(true);
      }),
    );
  });
});

describe('matcher properties', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'b', ':', '/', '.', '*', '?'), maxLength: 8 });
  const plain = fc.string({ unit: fc.constantFrom('a', 'b', ':', '/', '.'), maxLength: 8 });

  /** A reference glob matcher written differently (recursion, no RegExp). */
  function reference(pattern: string, value: string): boolean {
    if (pattern === '') return value === '';
    const [head, rest] = [pattern[0], pattern.slice(1)];
    if (head === '*') return reference(rest, value) || (value !== '' && reference(pattern, value.slice(1)));
    if (value === '') return false;
    return (head === '?' || head === value[0]) && reference(rest, value.slice(1));
  }

  it('globMatches agrees with a reference matcher', () => {
    fc.assert(
      fc.property(text, plain, (pattern, value) => {
        expect(globMatches(pattern, value)).toBe(reference(pattern, value));
      }),
    );
  });

  it('an ARN matches itself and "*"; replacing its last part by * still matches', () => {
    fc.assert(
      fc.property(resource, plain, (arn, suffix) => {
        const full = `${arn}${suffix}`;
        expect(arnMatches(full, full)).toBe(true);
        expect(arnMatches('*', full)).toBe(true);
        expect(arnMatches(full.replace(/:[^:]*$/, ':*'), full)).toBe(true);
      }),
    );
  });

  it('every IPv4 address is in its own /32 and in 0.0.0.0/0, and in its /24 network', () => {
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        expect(ipInCidr(address, `${address}/32`)).toBe(true);
        expect(ipInCidr(address, '0.0.0.0/0')).toBe(true);
        expect(ipInCidr(address, `${address.replace(/\.\d+$/, '.0')}/24`)).toBe(true);
      }),
    );
  });
});
