/**
 * Finding 4 of issue #19 through the edge, with the real SDK: a caller of
 * another account (AssumeRole of a role ARN naming that account) publishes on
 * the platform bus only as its bus policy allows. The policy below has the
 * shape `infra/platform`'s `busPolicy` synthesizes: each external account may
 * put its own sources, and no account but the bus's own may put `kestrel.*`
 * (without `aws:PrincipalOrgID`: the local cloud knows no organization).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createEventBridgeModule } from '../../src/services/eventbridge';
import { createStsModule } from '../../src/services/sts';

const ADMIN = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCAL_ACCOUNT = '000000000000';
/** An account of the organization with its own source on the bus. */
const PARTNER_ACCOUNT = '333333333333';
/** Any other account. */
const STRANGER_ACCOUNT = '444444444444';
const BUS = 'kestrel-staging-bus';

function writePlatformStack(stackDir: string): void {
  const busArn = '${aws_cloudwatch_event_bus.bus.arn}';
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: `PutOwnSourcesFrom${PARTNER_ACCOUNT}`,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${PARTNER_ACCOUNT}:root` },
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: { StringEquals: { 'events:source': ['partner.billing'] } },
      },
      {
        Sid: 'OnlyThisAccountPublishesKestrelSources',
        Effect: 'Deny',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': LOCAL_ACCOUNT }, StringLike: { 'events:source': 'kestrel.*' } },
      },
    ],
  };
  const terraform = {
    resource: {
      aws_cloudwatch_event_bus: { bus: { name: BUS } },
      aws_cloudwatch_event_bus_policy: { 'bus-policy': { event_bus_name: '${aws_cloudwatch_event_bus.bus.name}', policy: JSON.stringify(policy) } },
    },
  };
  writeFileSync(join(stackDir, 'cdk.tf.json'), JSON.stringify(terraform));
}

describe('a bus policy judges callers of other accounts at the edge', () => {
  let root: string;
  let cloud: LocalCloud;
  const client = <T>(Client: new (config: object) => T, credentials: AwsCredentialIdentity): T =>
    new Client({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials, maxAttempts: 1 });

  /** Credentials of a role session in another account, as the developer (local administrator) gets them. */
  async function sessionOf(account: string): Promise<AwsCredentialIdentity> {
    const assumed = await client(STSClient, ADMIN).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/publisher`, RoleSessionName: 'forger' }));
    const credentials = assumed.Credentials!;
    return { accessKeyId: credentials.AccessKeyId!, secretAccessKey: credentials.SecretAccessKey!, sessionToken: credentials.SessionToken! };
  }

  const put = async (credentials: AwsCredentialIdentity, source: string) =>
    client(EventBridgeClient, credentials).send(
      new PutEventsCommand({ Entries: [{ EventBusName: BUS, Source: source, DetailType: 'UserRegistered', Detail: JSON.stringify({ userId: 'u-forged', email: 'victim@example.com' }) }] }),
    );

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cross-account-'));
    writePlatformStack(root);
    cloud = await startLocalCloud({ inMemory: true, dataDir: join(root, 'data'), iam: 'enforce', modules: [createEventBridgeModule, createStsModule] });
    await cloud.applyStacks([root]);
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('issues sessions of the named account', async () => {
    // act
    const identity = await client(STSClient, await sessionOf(STRANGER_ACCOUNT)).send(new GetCallerIdentityCommand({}));

    // assess
    expect(identity).toMatchObject({ Account: STRANGER_ACCOUNT, Arn: `arn:aws:sts::${STRANGER_ACCOUNT}:assumed-role/publisher/forger` });
  });

  it('gives such sessions to the developer only: a session cannot assume a role of another account', async () => {
    // act
    const attempt = client(STSClient, await sessionOf(STRANGER_ACCOUNT)).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${PARTNER_ACCOUNT}:role/publisher`, RoleSessionName: 'hop' }));

    // assess
    await expect(attempt).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringContaining(`knows no trust policy of account ${PARTNER_ACCOUNT}`) });
  });

  it('refuses a forged kestrel.identity event from another account, with the bus policy’s explicit deny', async () => {
    // act
    const attempt = put(await sessionOf(PARTNER_ACCOUNT), 'kestrel.identity');

    // assess
    await expect(attempt).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`assumed-role/publisher/forger is not authorized to perform: events:PutEvents on resource: arn:aws:events:eu-west-1:${LOCAL_ACCOUNT}:event-bus/${BUS} with an explicit deny`),
    });
    expect(cloud.iamDenials().at(-1)).toMatchObject({ outcome: 'ExplicitDeny', decidingStatements: [{ statement: 'Sid "OnlyThisAccountPublishesKestrelSources"' }] });
  });

  it('lets the partner account put its own source, and nothing else', async () => {
    // prepare
    const partner = await sessionOf(PARTNER_ACCOUNT);

    // act
    const own = await put(partner, 'partner.billing');

    // assess
    expect(own.FailedEntryCount).toBe(0);
    await expect(put(partner, 'partner.shipping')).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('because no resource-based policy allows') });
  });

  it('refuses an account the policy does not name, whatever the source', async () => {
    // act
    const attempt = put(await sessionOf(STRANGER_ACCOUNT), 'partner.billing');

    // assess
    await expect(attempt).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('leaves callers of its own account to their identity policies (the developer publishes kestrel.identity)', async () => {
    // act
    const result = await put(ADMIN, 'kestrel.identity');

    // assess
    expect(result.FailedEntryCount).toBe(0);
  });
});
