import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { OPERATOR_SECRETS_OUTPUT } from '@kestrel/service-manifest';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createSsmModule } from '../../src/services/ssm';

/** A stack that only names two operator secrets, the way ServiceStack's output does. */
function stackNaming(dir: string, names: string[]): string {
  const stackDir = join(dir, 'stacks', 'orders-staging');
  mkdirSync(stackDir, { recursive: true });
  const document = {
    '//': { metadata: { stackName: 'orders-staging' } },
    output: { [OPERATOR_SECRETS_OUTPUT]: { value: names } },
  };
  writeFileSync(join(stackDir, 'cdk.tf.json'), JSON.stringify(document));
  return stackDir;
}

describe('operator secrets (a stack output naming SecureStrings an operator creates by hand in AWS)', () => {
  const folders: string[] = [];
  let cloud: LocalCloud | undefined;
  afterEach(async () => {
    await cloud?.stop();
    cloud = undefined;
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  const start = async (dataDir: string) => {
    cloud = await startLocalCloud({ dataDir, modules: [createSsmModule] });
    return new SSMClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } });
  };
  const valueOf = async (ssm: SSMClient, name: string) => (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter;

  it('generates each missing one on the first apply (32 random bytes, base64), keeps it across a graceful stop and start, and keeps one put by hand', async () => {
    // prepare
    const root = mkdtempSync(join(tmpdir(), 'operator-secrets-'));
    folders.push(root);
    const dataDir = join(root, 'data');
    const stackDir = stackNaming(root, ['/kestrel/staging/orders/signing-key', '/kestrel/staging/orders/api-key']);

    // act: first start generates both
    let ssm = await start(dataDir);
    await ssm.send(new PutParameterCommand({ Name: '/kestrel/staging/orders/api-key', Value: 'put-by-hand', Type: 'SecureString' }));
    await cloud?.applyStacks([stackDir]);
    const generated = await valueOf(ssm, '/kestrel/staging/orders/signing-key');
    await cloud?.stop();

    // act: a restart applies the same stack again
    ssm = await start(dataDir);
    await cloud?.applyStacks([stackDir]);
    const afterRestart = await valueOf(ssm, '/kestrel/staging/orders/signing-key');
    const byHand = await valueOf(ssm, '/kestrel/staging/orders/api-key');

    // assess
    expect(generated?.Type).toBe('SecureString');
    expect(Buffer.from(generated?.Value ?? '', 'base64')).toHaveLength(32);
    expect(afterRestart?.Value).toBe(generated?.Value);
    expect(afterRestart?.Version).toBe(1);
    expect(byHand?.Value).toBe('put-by-hand');
  });

  it('gives every environment its own value (two clouds never share a generated secret)', async () => {
    // prepare
    const root = mkdtempSync(join(tmpdir(), 'operator-secrets-'));
    folders.push(root);
    const stackDir = stackNaming(root, ['/kestrel/staging/orders/signing-key']);

    // act
    let ssm = await start(join(root, 'one'));
    await cloud?.applyStacks([stackDir]);
    const first = (await valueOf(ssm, '/kestrel/staging/orders/signing-key'))?.Value;
    await cloud?.stop();
    ssm = await start(join(root, 'two'));
    await cloud?.applyStacks([stackDir]);
    const second = (await valueOf(ssm, '/kestrel/staging/orders/signing-key'))?.Value;

    // assess
    expect(first).toBeTruthy();
    expect(second).not.toBe(first);
  });
});
