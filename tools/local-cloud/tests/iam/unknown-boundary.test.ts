import { compilePolicy } from '@kestrel/iam';
import { describe, expect, it } from 'vitest';
import { LocalIam } from '../../src/iam/authorizer';

const ACCOUNT = '000000000000';
const TABLE = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/kestrel-staging-orders-table`;
/** What the service stacks name: the boundary bootstrap creates, which the local cloud never applies. */
const BOOTSTRAP_BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/kestrel-pipeline/kestrel-staging-orders-boundary`;
const APPLIED_BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/reads-only`;

function iamWithRoles(): LocalIam {
  const iam = new LocalIam({ accountId: ACCOUNT, region: 'eu-west-1', mode: 'enforce' });
  const trust = compilePolicy({ Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }, 'trust', 'resource');
  const writes = compilePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:DeleteItem'], Resource: TABLE }] }, 'writes', 'identity');
  for (const [name, boundary] of [['bootstrapped', BOOTSTRAP_BOUNDARY], ['bounded', APPLIED_BOUNDARY]] as const) {
    iam.registry.putRole(`aws_iam_role.${name}`, { name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, trust, inline: [writes], managedPolicyArns: [], permissionsBoundaryArn: boundary, tags: {} });
  }
  iam.registry.putManagedPolicy('aws_iam_policy.reads-only', APPLIED_BOUNDARY, compilePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }] }, 'reads-only', 'identity'));
  return iam;
}

const deleteItem = { action: 'dynamodb:DeleteItem', resource: TABLE };

describe('permissions boundaries the local cloud does not have', () => {
  it('lists a role whose boundary no applied policy has as unknownBoundary, and no other', () => {
    // act
    const roles = iamWithRoles().describe().roles as Array<Record<string, unknown>>;

    // assess
    expect(roles).toEqual([
      expect.objectContaining({ name: 'bootstrapped', permissionsBoundary: BOOTSTRAP_BOUNDARY, unknownBoundary: BOOTSTRAP_BOUNDARY }),
      expect.objectContaining({ name: 'bounded', permissionsBoundary: APPLIED_BOUNDARY }),
    ]);
    expect(roles[1]).not.toHaveProperty('unknownBoundary');
  });

  it('evaluates an applied boundary, and none for an unknown one (what the listing warns of)', () => {
    // prepare
    const iam = iamWithRoles();
    const session = (role: string) => iam.sessionForRole(`arn:aws:iam::${ACCOUNT}:role/${role}`, role);

    // act
    const bounded = iam.decide(session('bounded'), deleteItem, { region: 'eu-west-1' }).decision;
    const bootstrapped = iam.decide(session('bootstrapped'), deleteItem, { region: 'eu-west-1' }).decision;

    // assess
    expect(bounded).toMatchObject({ allowed: false, reason: expect.stringContaining('permissions boundary reads-only') });
    expect(bootstrapped.allowed).toBe(true);
  });
});
