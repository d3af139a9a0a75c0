import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalIam } from '../../src/iam/authorizer';
import type { LocalCloudContext, ResolvedResource } from '../../src/core/types';
import { createStsModule } from '../../src/services/sts';

const context = { accountId: '000000000000', region: 'eu-west-1', endpoint: 'http://127.0.0.1:0', dataDir: '/tmp', log: () => undefined } as unknown as LocalCloudContext;
const resource = (type: string, name: string, config: Record<string, unknown>): ResolvedResource => ({ stack: 's', type, name, address: `${type}.${name}`, config, stackDir: '/tmp' });

describe('IAM resources in the sts module', () => {
  it('a malformed policy fails the apply naming the resource, attribute and statement', async () => {
    const sts = createStsModule(context);
    const rolePolicy = sts.provisioners.find((provisioner) => provisioner.type === 'aws_iam_role_policy')!;
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Broken', Effect: 'Allow', Action: 'sqs:SendMessage' }] });
    await expect(rolePolicy.apply(resource('aws_iam_role_policy', 'grants', { role: 'r', name: 'grants', policy }))).rejects.toThrow(
      'Policy aws_iam_role_policy.grants (policy) is malformed:\n  - Statement[0] (Broken) needs Resource or NotResource',
    );
  });

  it('a role exports what Terraform would, and its policies are compiled once into the registry', async () => {
    const sts = createStsModule(context);
    const apply = (type: string, name: string, config: Record<string, unknown>) => sts.provisioners.find((provisioner) => provisioner.type === type)!.apply(resource(type, name, config));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    expect(await apply('aws_iam_role', 'fn', { name: 'fn-role', assume_role_policy: trust })).toMatchObject({ id: 'fn-role', name: 'fn-role', arn: 'arn:aws:iam::000000000000:role/fn-role' });
    await apply('aws_iam_policy', 'shared', { name: 'shared', policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }) });
    await apply('aws_iam_role_policy_attachment', 'shared', { role: 'fn-role', policy_arn: 'arn:aws:iam::000000000000:policy/shared' });
    const state = sts.state[0]!.describe() as { roles: Array<{ name: string; policies: string[] }> };
    expect(state.roles).toEqual([{ name: 'fn-role', arn: 'arn:aws:iam::000000000000:role/fn-role', policies: ['aws_iam_policy.shared (policy)'] }]);
  });
});

describe('ARNs in the stack’s own region and account', () => {
  it('are read as the local cloud’s, where the resources live; other accounts stay as written', async () => {
    const stackDir = mkdtempSync(join(tmpdir(), 'iam-stack-'));
    writeFileSync(join(stackDir, 'cdk.tf.json'), JSON.stringify({ provider: { aws: [{ region: 'eu-west-1', allowed_account_ids: ['111111111111'] }] } }));
    const iam = new LocalIam({ accountId: '000000000000', region: 'eu-west-1', mode: 'enforce' });
    const sts = createStsModule({ ...context, iam } as LocalCloudContext);
    const apply = (type: string, name: string, config: Record<string, unknown>) =>
      sts.provisioners.find((provisioner) => provisioner.type === type)!.apply({ ...resource(type, name, config), stackDir });
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await apply('aws_iam_role', 'fn', { name: 'fn', assume_role_policy: trust });
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: ['arn:aws:ssm:eu-west-1:111111111111:parameter/own', 'arn:aws:ssm:eu-west-1:222222222222:parameter/theirs'] }],
    };
    await apply('aws_iam_role_policy', 'fn', { role: 'fn', name: 'p', policy: JSON.stringify(policy) });
    const session = iam.sessionForRole('arn:aws:iam::000000000000:role/fn', 'fn');
    const allowed = (resourceArn: string) => iam.decide(session, { action: 'ssm:GetParameter', resource: resourceArn }, { region: 'eu-west-1' }).decision.allowed;
    expect(allowed('arn:aws:ssm:eu-west-1:000000000000:parameter/own')).toBe(true);
    expect(allowed('arn:aws:ssm:eu-west-1:000000000000:parameter/theirs')).toBe(false);
    rmSync(stackDir, { recursive: true, force: true });
  });
});
