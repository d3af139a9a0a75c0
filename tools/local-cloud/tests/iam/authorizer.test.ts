import { compilePolicy } from '@kestrel/iam';
import { describe, expect, it } from 'vitest';
import { iamModeFrom, LocalIam } from '../../src/iam/authorizer';
import type { IamMode } from '../../src/iam/authorizer';
import type { AwsRequest } from '../../src/core/types';
import { sign } from './support';

const ROLE_ARN = 'arn:aws:iam::000000000000:role/reader';

function iamWithRole(mode: IamMode): LocalIam {
  const iam = new LocalIam({ accountId: '000000000000', region: 'eu-west-1', mode });
  iam.registry.putRole('aws_iam_role.reader', {
    name: 'reader',
    arn: ROLE_ARN,
    trust: compilePolicy({ Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }, 'trust', 'resource'),
    inline: [compilePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:eu-west-1:000000000000:table/${aws:PrincipalTag/team}' }] }, 'reader/inline', 'identity')],
    managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    tags: { team: 'orders' },
  });
  return iam;
}

function getItem(iam: LocalIam, table: string, keyId?: string): { request: AwsRequest; rawUrl: string; protocol: 'awsJson1_0' } {
  const session = iam.sessionForRole(ROLE_ARN, 'reader-fn');
  const body = JSON.stringify({ TableName: table, Key: {} });
  const headers = sign(keyId ?? session.accessKeyId, session.secretAccessKey, body, { 'x-amz-security-token': session.sessionToken });
  return {
    request: { method: 'POST', path: '/', query: new URLSearchParams(), headers, body: Buffer.from(body), service: 'dynamodb', operation: 'GetItem', region: 'eu-west-1', accountId: '000000000000' },
    rawUrl: '/',
    protocol: 'awsJson1_0',
  };
}

describe('LocalIam', () => {
  it('enforce: allows what the role grants (principal tags resolve), refuses the rest with AccessDeniedException', async () => {
    const iam = iamWithRole('enforce');
    await expect(iam.authorize(getItem(iam, 'orders'))).resolves.toBeUndefined();
    await expect(iam.authorize(getItem(iam, 'billing'))).rejects.toMatchObject({ code: 'AccessDeniedException', status: 400 });
    expect(iam.describe()).toMatchObject({
      mode: 'enforce',
      deniedCount: 1,
      roles: [{ name: 'reader', unknownManagedPolicies: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] }],
    });
  });

  it('warn: lets every call through but records and logs what it would deny', async () => {
    const iam = iamWithRole('warn');
    await expect(iam.authorize(getItem(iam, 'billing'))).resolves.toBeUndefined();
    const denials = (iam.describe().denials as Array<Record<string, unknown>>).map((denial) => [denial.mode, denial.action, denial.resource]);
    expect(denials).toEqual([['warn', 'dynamodb:GetItem', 'arn:aws:dynamodb:eu-west-1:000000000000:table/billing']]);
  });

  it('off: decides nothing', async () => {
    const iam = iamWithRole('off');
    await expect(iam.authorize(getItem(iam, 'billing', 'ASIALCUNKNOWN'))).resolves.toBeUndefined();
  });

  it('the developer’s own credentials (and unsigned calls) are the administrator', async () => {
    const iam = iamWithRole('enforce');
    await expect(iam.authorize(getItem(iam, 'billing', 'AKIALOCALDEVELOPER'))).resolves.toBeUndefined();
  });

  it('a session of a role that is not in the applied stacks is denied everything', async () => {
    const iam = new LocalIam({ accountId: '000000000000', region: 'eu-west-1', mode: 'enforce' });
    await expect(iam.authorize(getItem(iam, 'orders'))).rejects.toMatchObject({ code: 'AccessDeniedException' });
  });

  it('LOCAL_CLOUD_IAM: enforce by default; a typo is an error, not silently off', () => {
    expect(iamModeFrom(undefined)).toBe('enforce');
    expect(iamModeFrom('WARN')).toBe('warn');
    expect(() => iamModeFrom('enforced')).toThrow("LOCAL_CLOUD_IAM must be enforce, warn or off (got 'enforced')");
  });
});
