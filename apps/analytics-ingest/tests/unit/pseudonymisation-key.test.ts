import { describe, expect, it } from 'vitest';
import { ParameterNotFound } from '@aws-sdk/client-ssm';
import type { GetParameterCommand } from '@aws-sdk/client-ssm';
import { decodeKey, loadPseudonymisationKey, PseudonymisationKeyUnavailableError } from '../../src/adapters/pseudonymisation-key';

const NAME = '/kestrel/staging/analytics-ingest/pseudonymisation-key';

describe('decodeKey', () => {
  it('accepts base64 and base64url keys of at least 32 bytes', () => {
    // prepare
    const key = Buffer.alloc(32, 0xfb);

    // act + assess
    expect(Buffer.from(decodeKey(key.toString('base64'), NAME))).toEqual(key);
    expect(Buffer.from(decodeKey(key.toString('base64url'), NAME))).toEqual(key);
  });

  it.each([
    ['missing', undefined, /does not hold a base64 key/],
    ['a placeholder', 'set me later!', /does not hold a base64 key/],
    ['too short', Buffer.alloc(16).toString('base64'), /holds a 16-byte key; at least 32/],
  ])('refuses a value that is %s, saying how to set it', (_, value, message) => {
    // act
    const decode = () => decodeKey(value, NAME);

    // assess
    expect(decode).toThrow(PseudonymisationKeyUnavailableError);
    expect(decode).toThrow(message);
    expect(decode).toThrow(`aws ssm put-parameter --name ${NAME} --type SecureString`);
  });
});

describe('loadPseudonymisationKey', () => {
  it('reads the parameter with decryption', async () => {
    // prepare
    const sent: GetParameterCommand[] = [];
    const ssm = {
      async send(command: GetParameterCommand) {
        sent.push(command);
        return { Parameter: { Value: Buffer.alloc(32, 1).toString('base64') }, $metadata: {} };
      },
    };

    // act
    const key = await loadPseudonymisationKey(ssm as never, NAME);

    // assess
    expect(key.byteLength).toBe(32);
    expect(sent[0]?.input).toEqual({ Name: NAME, WithDecryption: true });
  });

  it('explains a missing parameter', async () => {
    // prepare
    const ssm = {
      async send(): Promise<never> {
        throw new ParameterNotFound({ message: '', $metadata: {} });
      },
    };

    // act
    const failure = await loadPseudonymisationKey(ssm as never, NAME).catch((error: unknown) => error);

    // assess
    expect(failure).toBeInstanceOf(PseudonymisationKeyUnavailableError);
    expect((failure as Error).message).toMatch(/does not exist; set it with/);
  });
});
