/**
 * The secret the one-time codes' HMAC is keyed with: an SSM SecureString
 * (`/kestrel/<env>/identity/one-time-code-key`, base64 of at least 32 random
 * bytes) that an operator creates outside Terraform, so it is neither in the
 * table beside the hashes nor in Terraform state (README runbook). Read once
 * per execution environment, with decryption.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { MIN_CODE_KEY_BYTES } from '../domain/one-time-code';
import { SDK_RETRY } from './aws-clients';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decodes the parameter's value, refusing anything shorter than {@link MIN_CODE_KEY_BYTES}.
 *
 * @throws Error naming the parameter and how to set it (the trigger answers "try again"; the log says why).
 */
export function decodeCodeKey(value: string | undefined, parameterName: string): Uint8Array {
  const text = (value ?? '').trim();
  const key = BASE64.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length < MIN_CODE_KEY_BYTES) {
    throw new Error(
      `Parameter ${parameterName} does not hold a base64 key of at least ${MIN_CODE_KEY_BYTES} bytes; set it with: aws ssm put-parameter --name ${parameterName} --type SecureString --key-id alias/kestrel-<env>-identity --overwrite --value "$(openssl rand -base64 32)"`,
    );
  }
  return key;
}

/**
 * Reads the key once per execution environment (a failed read is retried on the next call).
 *
 * @example
 * ```ts
 * const codeKey = codeKeyFromSsm(process.env.ONE_TIME_CODE_KEY_PARAMETER!);
 * const key = await codeKey();
 * ```
 */
export function codeKeyFromSsm(parameterName: string, ssm: Pick<SSMClient, 'send'> = new SSMClient({ ...SDK_RETRY })): () => Promise<Uint8Array> {
  let loaded: Promise<Uint8Array> | undefined;
  return () => {
    loaded ??= ssm
      .send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }))
      .then((output) => decodeCodeKey(output.Parameter?.Value, parameterName))
      .catch((error: unknown) => {
        loaded = undefined;
        throw error;
      });
    return loaded;
  };
}
