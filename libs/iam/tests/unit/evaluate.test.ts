import { describe, expect, it } from 'vitest';
import { compilePolicy, evaluate, smallestAllowingStatement } from '../../src';
import type { RequestContext } from '../../src';
import { ACCOUNT, OTHER_ACCOUNT, QUEUE_ARN, ROLE_ARN, TABLE_ARN, allow, deny, eventsService, policy, roleSession } from './support';

// One case per rule of AWS's "Policy evaluation logic" pages (single account, cross-account,
// permissions boundaries, session policies, service principals).

const getItem = (extra: Partial<RequestContext> = {}): RequestContext => ({
  principal: roleSession(),
  action: 'dynamodb:GetItem',
  resource: TABLE_ARN,
  ...extra,
});

describe('single account', () => {
  it('denies by default: no policy allows the action', () => {
    const decision = evaluate(getItem(), {});
    expect(decision).toMatchObject({ outcome: 'ImplicitDeny', allowed: false });
    expect(decision.reason).toBe('no identity-based policy allows the action');
  });

  it('an identity-based Allow allows', () => {
    const identity = policy(allow('dynamodb:GetItem', TABLE_ARN), 'identity', 'role/orders-handler/inline');
    expect(evaluate(getItem(), { identity: [identity] })).toMatchObject({
      outcome: 'Allow',
      decidingStatements: [{ policy: 'role/orders-handler/inline', statement: 'Statement[0]' }],
    });
  });

  it('an explicit Deny overrides any Allow, in any policy, whatever the order', () => {
    const allowing = policy(allow('dynamodb:*', '*'));
    const denying = policy({ Sid: 'NoReads', ...deny('dynamodb:GetItem', TABLE_ARN) });
    for (const identity of [[allowing, denying], [denying, allowing]]) {
      expect(evaluate(getItem(), { identity })).toMatchObject({ outcome: 'ExplicitDeny', decidingStatements: [{ statement: 'Sid "NoReads"' }] });
    }
  });

  it('an explicit Deny in the resource policy overrides an identity Allow', () => {
    const resource = policy({ ...deny('dynamodb:GetItem', TABLE_ARN), Principal: '*' }, 'resource');
    expect(evaluate(getItem(), { identity: [policy(allow('dynamodb:GetItem'))], resource }).outcome).toBe('ExplicitDeny');
  });

  it('a resource-based Allow for the role allows without an identity policy (same account)', () => {
    const resource = policy({ ...allow('dynamodb:GetItem', TABLE_ARN), Principal: { AWS: ROLE_ARN } }, 'resource');
    expect(evaluate(getItem(), { resource }).outcome).toBe('Allow');
  });

  it('a resource policy that names only the account delegates to identity policies', () => {
    const resource = policy({ ...allow('dynamodb:GetItem', TABLE_ARN), Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }, 'resource');
    expect(evaluate(getItem(), { resource }).outcome).toBe('ImplicitDeny');
    expect(evaluate(getItem(), { resource, identity: [policy(allow('dynamodb:GetItem'))] }).outcome).toBe('Allow');
    const byId = policy({ ...allow('dynamodb:GetItem', TABLE_ARN), Principal: { AWS: ACCOUNT } }, 'resource');
    expect(evaluate(getItem(), { resource: byId }).outcome).toBe('ImplicitDeny');
  });

  it('a resource policy for another principal does not apply, neither its Allow nor its Deny', () => {
    const other = `arn:aws:iam::${ACCOUNT}:role/someone-else`;
    const resource = policy(
      [
        { ...allow('dynamodb:GetItem', TABLE_ARN), Principal: { AWS: other } },
        { ...deny('dynamodb:GetItem', TABLE_ARN), Principal: { AWS: other } },
      ],
      'resource',
    );
    expect(evaluate(getItem(), { resource }).outcome).toBe('ImplicitDeny');
    expect(evaluate(getItem(), { resource, identity: [policy(allow('dynamodb:GetItem'))] }).outcome).toBe('Allow');
  });

  it('Principal "*" and {"AWS": "*"} admit every caller', () => {
    for (const principal of ['*', { AWS: '*' }]) {
      const resource = policy({ ...allow('dynamodb:GetItem', TABLE_ARN), Principal: principal }, 'resource');
      expect(evaluate(getItem(), { resource }).outcome).toBe('Allow');
    }
  });
});

describe('permissions boundaries', () => {
  const identity = [policy(allow(['dynamodb:GetItem', 'dynamodb:PutItem'], TABLE_ARN))];

  it('the effective permissions are the intersection of identity policies and the boundary', () => {
    const boundary = policy(allow('dynamodb:GetItem', '*'), 'identity', 'boundary');
    expect(evaluate(getItem(), { identity, boundary }).outcome).toBe('Allow');
    const put = evaluate(getItem({ action: 'dynamodb:PutItem' }), { identity, boundary });
    expect(put).toMatchObject({ outcome: 'ImplicitDeny', reason: 'the permissions boundary boundary does not allow the action' });
  });

  it('a boundary alone grants nothing', () => {
    expect(evaluate(getItem(), { boundary: policy(allow('*')) }).outcome).toBe('ImplicitDeny');
  });

  it('an explicit Deny in the boundary denies', () => {
    expect(evaluate(getItem(), { identity, boundary: policy([allow('*'), deny('dynamodb:GetItem')]) }).outcome).toBe('ExplicitDeny');
  });

  it('a resource policy naming the role ARN is limited by the boundary; naming the session ARN is not', () => {
    const boundary = policy(allow('s3:*'));
    const forRole = policy({ ...allow('dynamodb:GetItem', TABLE_ARN), Principal: { AWS: ROLE_ARN } }, 'resource');
    expect(evaluate(getItem(), { resource: forRole, boundary }).outcome).toBe('ImplicitDeny');
    const sessionArn = `arn:aws:sts::${ACCOUNT}:assumed-role/orders-handler/orders-handler`;
    const forSession = policy({ ...allow('dynamodb:GetItem', TABLE_ARN), Principal: { AWS: sessionArn } }, 'resource');
    expect(evaluate(getItem(), { resource: forSession, boundary }).outcome).toBe('Allow');
  });
});

describe('session policies', () => {
  const identity = [policy(allow('dynamodb:*'))];

  it('limit the role session to the intersection', () => {
    const session = [policy(allow('dynamodb:GetItem'))];
    expect(evaluate(getItem(), { identity, session }).outcome).toBe('Allow');
    expect(evaluate(getItem({ action: 'dynamodb:DeleteItem' }), { identity, session })).toMatchObject({
      outcome: 'ImplicitDeny',
      reason: 'the session policy does not allow the action',
    });
  });

  it('never grant on their own', () => {
    expect(evaluate(getItem(), { session: [policy(allow('*'))] }).outcome).toBe('ImplicitDeny');
  });
});

describe('cross account', () => {
  const foreign = roleSession(`arn:aws:iam::${OTHER_ACCOUNT}:role/partner`, OTHER_ACCOUNT, 'partner');
  const send = (extra: Partial<RequestContext> = {}): RequestContext => ({ principal: foreign, action: 'sqs:SendMessage', resource: QUEUE_ARN, ...extra });
  const identity = [policy(allow('sqs:SendMessage', QUEUE_ARN))];

  it('needs the identity policy and the resource policy to allow', () => {
    const resource = policy({ ...allow('sqs:SendMessage', QUEUE_ARN), Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:role/partner` } }, 'resource');
    expect(evaluate(send(), { identity, resource }).outcome).toBe('Allow');
    expect(evaluate(send(), { resource }).outcome).toBe('ImplicitDeny');
    const noResource = evaluate(send(), { identity });
    expect(noResource.outcome).toBe('ImplicitDeny');
    expect(noResource.reason).toMatch(/^cross-account request/);
  });

  it('a resource policy trusting the whole other account is enough on the resource side', () => {
    const resource = policy({ ...allow('sqs:SendMessage', QUEUE_ARN), Principal: { AWS: OTHER_ACCOUNT } }, 'resource');
    expect(evaluate(send(), { identity, resource }).outcome).toBe('Allow');
  });

  it('the resource account comes from the ARN, or from resourceAccount for ARNs without one (S3)', () => {
    const bucket = 'arn:aws:s3:::raw-zone/file.json';
    const s3 = [policy(allow('s3:GetObject'))];
    expect(evaluate({ principal: foreign, action: 's3:GetObject', resource: bucket }, { identity: s3 }).outcome).toBe('Allow');
    expect(evaluate({ principal: foreign, action: 's3:GetObject', resource: bucket, resourceAccount: ACCOUNT }, { identity: s3 }).outcome).toBe('ImplicitDeny');
  });
});

describe('service principals', () => {
  const delivery = (sourceArn: string): RequestContext => ({
    principal: eventsService,
    action: 'sqs:SendMessage',
    resource: QUEUE_ARN,
    keys: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': ACCOUNT },
  });
  const rule = `arn:aws:events:eu-west-1:${ACCOUNT}:rule/kestrel/orders`;
  const queuePolicy = policy(
    {
      Sid: 'OnlyItsRule',
      ...allow('sqs:SendMessage', QUEUE_ARN),
      Principal: { Service: 'events.amazonaws.com' },
      Condition: { ArnEquals: { 'aws:SourceArn': rule } },
    },
    'resource',
    'queue/orders',
  );

  it('are judged by the resource policy and its conditions', () => {
    expect(evaluate(delivery(rule), { resource: queuePolicy }).outcome).toBe('Allow');
    const other = evaluate(delivery(`${rule}-other`), { resource: queuePolicy });
    expect(other).toMatchObject({ outcome: 'ImplicitDeny', reason: 'no statement in queue/orders allows events.amazonaws.com' });
    expect(smallestAllowingStatement(delivery('x'), other)).toEqual({
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: QUEUE_ARN,
      Principal: { Service: 'events.amazonaws.com' },
    });
  });

  it('are denied when the resource has no policy, and never matched by an AWS principal entry', () => {
    expect(evaluate(delivery(rule), {}).outcome).toBe('ImplicitDeny');
    const forAccount = policy({ ...allow('sqs:SendMessage'), Principal: { AWS: ACCOUNT } }, 'resource');
    expect(evaluate(delivery(rule), { resource: forAccount }).outcome).toBe('ImplicitDeny');
  });
});

describe('NotAction, NotResource, NotPrincipal', () => {
  it('NotAction allows everything but the listed actions', () => {
    const identity = [policy({ Effect: 'Allow', NotAction: 'dynamodb:Delete*', Resource: '*' })];
    expect(evaluate(getItem(), { identity }).outcome).toBe('Allow');
    expect(evaluate(getItem({ action: 'dynamodb:DeleteItem' }), { identity }).outcome).toBe('ImplicitDeny');
  });

  it('NotResource allows everything but the listed resources', () => {
    const identity = [policy({ Effect: 'Allow', Action: 'dynamodb:GetItem', NotResource: `${TABLE_ARN}-audit` })];
    expect(evaluate(getItem(), { identity }).outcome).toBe('Allow');
    expect(evaluate(getItem({ resource: `${TABLE_ARN}-audit` }), { identity }).outcome).toBe('ImplicitDeny');
  });

  it('Deny with NotPrincipal denies everyone except the listed principals', () => {
    const resource = policy(
      [
        { ...allow('dynamodb:GetItem'), Principal: '*' },
        { ...deny('dynamodb:GetItem'), NotPrincipal: { AWS: ROLE_ARN } },
      ],
      'resource',
    );
    expect(evaluate(getItem(), { resource }).outcome).toBe('Allow');
    const stranger = roleSession(`arn:aws:iam::${ACCOUNT}:role/stranger`, ACCOUNT, 's');
    expect(evaluate(getItem({ principal: stranger }), { resource }).outcome).toBe('ExplicitDeny');
  });
});

describe('actions and resources', () => {
  it('action names are case-insensitive and take * and ? wildcards', () => {
    for (const pattern of ['DYNAMODB:getitem', 'dynamodb:Get*', 'dynamodb:?etItem', '*']) {
      expect(evaluate(getItem(), { identity: [policy(allow(pattern))] }).outcome, pattern).toBe('Allow');
    }
    for (const pattern of ['dynamodb:Get', 'dynamodb:?Item', 'sqs:GetItem', 'dynamodb:GetItems']) {
      expect(evaluate(getItem(), { identity: [policy(allow(pattern))] }).outcome, pattern).toBe('ImplicitDeny');
    }
  });

  it('resource ARNs are case-sensitive and matched part by part', () => {
    const cases: Array<[string, boolean]> = [
      [TABLE_ARN, true],
      [TABLE_ARN.toUpperCase(), false],
      ['arn:aws:dynamodb:*:*:table/orders', true],
      ['arn:aws:dynamodb:eu-west-?:111111111111:table/*', true],
      ['arn:aws:dynamodb:*', true],
      ['arn:aws:*:eu-west-1:111111111111:table/orders', true],
      ['arn:aws:dynamodb:eu-west-1:111111111111:table/order', false],
      ['arn:aws:dynamodb:eu-west-1:111111111111:table/orders/index/*', false],
      // A wildcard stays inside its part: `*` in the region does not swallow the account.
      ['arn:aws:dynamodb:*:table/orders', false],
    ];
    for (const [pattern, allowed] of cases) {
      expect(evaluate(getItem(), { identity: [policy(allow('dynamodb:GetItem', pattern))] }).allowed, pattern).toBe(allowed);
    }
  });

  it('a wildcard in the last part spans colons (log streams of a group)', () => {
    const stream = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/orders:log-stream:2026/12/07`;
    const identity = [policy(allow('logs:PutLogEvents', `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/orders:*`))];
    expect(evaluate({ principal: roleSession(), action: 'logs:PutLogEvents', resource: stream }, { identity }).outcome).toBe('Allow');
  });
});

describe('policy variables', () => {
  it('resolve in Resource from the request context', () => {
    const identity = [policy(allow('dynamodb:GetItem', 'arn:aws:dynamodb:eu-west-1:111111111111:table/${aws:PrincipalTag/team}'))];
    expect(evaluate(getItem({ keys: { 'aws:PrincipalTag/team': 'orders' } }), { identity }).outcome).toBe('Allow');
    expect(evaluate(getItem({ keys: { 'aws:PrincipalTag/team': 'billing' } }), { identity }).outcome).toBe('ImplicitDeny');
  });

  it('a missing key makes the value match nothing; a default value stands in', () => {
    const missing = [policy(allow('dynamodb:GetItem', 'arn:aws:dynamodb:eu-west-1:111111111111:table/${aws:PrincipalTag/team}'))];
    expect(evaluate(getItem(), { identity: missing }).outcome).toBe('ImplicitDeny');
    const withDefault = [policy(allow('dynamodb:GetItem', "arn:aws:dynamodb:eu-west-1:111111111111:table/${aws:PrincipalTag/team, 'orders'}"))];
    expect(evaluate(getItem(), { identity: withDefault }).outcome).toBe('Allow');
  });

  it('a substituted value is literal: a * in the tag does not act as a wildcard', () => {
    const identity = [policy(allow('dynamodb:GetItem', 'arn:aws:dynamodb:eu-west-1:111111111111:table/${aws:PrincipalTag/team}'))];
    expect(evaluate(getItem({ keys: { 'aws:PrincipalTag/team': '*' } }), { identity }).outcome).toBe('ImplicitDeny');
  });

  it('${*}, ${?} and ${$} are the literal characters', () => {
    const identity = [policy(allow('s3:GetObject', 'arn:aws:s3:::bucket/${*}${?}${$}'))];
    expect(evaluate({ principal: roleSession(), action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/*?$' }, { identity }).outcome).toBe('Allow');
    expect(evaluate({ principal: roleSession(), action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/ab$' }, { identity }).outcome).toBe('ImplicitDeny');
  });

  it('derived keys: aws:PrincipalArn is the role, aws:userid the role and session', () => {
    const identity = [policy(allow('dynamodb:GetItem', '*', { Condition: { StringEquals: { 'aws:userid': '${aws:PrincipalArn}' } } }))];
    expect(evaluate(getItem(), { identity }).outcome).toBe('ImplicitDeny');
    const arn = [policy(allow('dynamodb:GetItem', '*', { Condition: { ArnEquals: { 'aws:PrincipalArn': ROLE_ARN }, StringEquals: { 'aws:PrincipalType': 'AssumedRole' } } }))];
    expect(evaluate(getItem(), { identity: arn }).outcome).toBe('Allow');
  });

  it('are read literally in a 2008-10-17 policy', () => {
    const literal = `arn:aws:dynamodb:eu-west-1:111111111111:table/\${aws:PrincipalTag/team}`;
    const old = { Version: '2008-10-17', Statement: [allow('dynamodb:GetItem', literal)] };
    const identity = [compilePolicy(old, 'old')];
    expect(evaluate(getItem({ keys: { 'aws:PrincipalTag/team': 'orders' } }), { identity }).outcome).toBe('ImplicitDeny');
    expect(evaluate(getItem({ resource: literal }), { identity }).outcome).toBe('Allow');
  });
});

describe('smallestAllowingStatement', () => {
  it('names the action and resource for an implicit deny, nothing for an explicit one', () => {
    const request = getItem();
    expect(smallestAllowingStatement(request, evaluate(request, {}))).toEqual({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE_ARN });
    expect(smallestAllowingStatement(request, evaluate(request, { identity: [policy(deny('*'))] }))).toBeUndefined();
  });
});
