import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startLocalCloud } from '../../src/cloud';
import { createSsmModule } from '../../src/services/ssm';
import { secretParametersIn } from '../../src/services/ssm/hand-set-secrets';

const KEY = '/kestrel/test/ingest/pseudonymisation-key';

/** A function policy as the stacks write it: read a parameter, decrypt through SSM (a SecureString). */
const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const READ_KEY = { Sid: 'ReadParameters', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: [`arn:aws:ssm:eu-west-1:111111111111:parameter${KEY}`] };
const DECRYPT_VIA_SSM = { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: ['${aws_kms_key.key.arn}'], Condition: { StringEquals: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' } } };

function stackDir(root: string): string {
  const dir = join(root, 'stacks', 'ingest');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'cdk.tf.json'),
    JSON.stringify({
      '//': { metadata: { stackName: 'ingest' } },
      resource: {
        aws_kms_key: { key: { description: 'k' } },
        aws_iam_role_policy: { ingest: { name: 'ingest', role: 'ingest', policy: policy([READ_KEY, DECRYPT_VIA_SSM]) } },
      },
    }),
  );
  return dir;
}

describe('secrets a person sets by hand in AWS', () => {
  it('reads them from policies that allow reading a parameter and decrypting through SSM, and only those', () => {
    expect(secretParametersIn(policy([READ_KEY, DECRYPT_VIA_SSM]))).toEqual([KEY]);
    // a plain parameter (no decrypt through SSM), a wildcard, a policy that is not JSON
    expect(secretParametersIn(policy([READ_KEY]))).toEqual([]);
    expect(secretParametersIn(policy([{ ...READ_KEY, Resource: 'arn:aws:ssm:eu-west-1:1:parameter/kestrel/*' }, DECRYPT_VIA_SSM]))).toEqual([]);
    expect(secretParametersIn('not json')).toEqual([]);
  });

  it('are generated when a stack is applied, kept across restarts, and a value put by hand is never replaced', async () => {
    // prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'hand-set-secrets-'));
    const dir = stackDir(dataDir);
    const valueAfterStart = async () => {
      const cloud = await startLocalCloud({ dataDir, modules: [createSsmModule] });
      const ssm = new SSMClient({ endpoint: cloud.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      try {
        await cloud.applyStacks([dir]);
        return { ssm, cloud, parameter: (await ssm.send(new GetParameterCommand({ Name: KEY, WithDecryption: true }))).Parameter };
      } catch (error) {
        await cloud.stop();
        throw error;
      }
    };
    // act
    const first = await valueAfterStart();
    await first.cloud.stop();
    const second = await valueAfterStart();
    await second.ssm.send(new PutParameterCommand({ Name: KEY, Value: 'b3BlcmF0b3Itc2V0LWtleS1vZi0zMi1ieXRlcy1sb25nIQ==', Type: 'SecureString', Overwrite: true }));
    await second.cloud.stop();
    const third = await valueAfterStart();
    await third.cloud.stop();
    // assess
    expect(first.parameter?.Type).toBe('SecureString');
    expect(Buffer.from(first.parameter?.Value ?? '', 'base64')).toHaveLength(32);
    expect(second.parameter?.Value).toBe(first.parameter?.Value);
    expect(third.parameter?.Value).toBe('b3BlcmF0b3Itc2V0LWtleS1vZi0zMi1ieXRlcy1sb25nIQ==');
  });
});
