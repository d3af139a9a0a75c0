/**
 * Reads the pseudonymisation key from SSM Parameter Store (a SecureString
 * holding base64 of at least 32 random bytes). The key never leaves the
 * function's memory; rotating it changes every pseudonym from then on, so
 * it is a deliberate, documented operation (see the README's runbook).
 */
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { MIN_KEY_BYTES } from '../domain/pseudonymise';

/** The key parameter is missing, still a placeholder, or too short. */
export class PseudonymisationKeyUnavailableError extends Error {
  override readonly name = 'PseudonymisationKeyUnavailableError';
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function howTo(parameterName: string): string {
  return `set it with: aws ssm put-parameter --name ${parameterName} --type SecureString --overwrite --value "$(openssl rand -base64 32)"`;
}

/**
 * Decodes a key parameter's value.
 *
 * @throws {@link PseudonymisationKeyUnavailableError} naming the parameter and how to set it.
 * @example
 * ```ts
 * decodeKey('3q2+7w…', '/kestrel/staging/analytics-ingest/pseudonymisation-key'); // Uint8Array(32)
 * ```
 */
export function decodeKey(value: string | undefined, parameterName: string): Uint8Array {
  const text = (value ?? '').trim();
  if (!BASE64.test(text)) throw new PseudonymisationKeyUnavailableError(`Parameter ${parameterName} does not hold a base64 key; ${howTo(parameterName)}`);
  const key = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  if (key.length < MIN_KEY_BYTES) {
    throw new PseudonymisationKeyUnavailableError(`Parameter ${parameterName} holds a ${key.length}-byte key; at least ${MIN_KEY_BYTES} bytes are required; ${howTo(parameterName)}`);
  }
  return key;
}

/**
 * Reads and decodes the key with decryption.
 *
 * @example
 * ```ts
 * const key = await loadPseudonymisationKey(new SSMClient({}), process.env.PSEUDONYMISATION_KEY_PARAMETER!);
 * ```
 */
export async function loadPseudonymisationKey(ssm: Pick<SSMClient, 'send'>, parameterName: string): Promise<Uint8Array> {
  try {
    const output = await ssm.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
    return decodeKey(output.Parameter?.Value, parameterName);
  } catch (error) {
    if ((error as Error).name === 'ParameterNotFound') {
      throw new PseudonymisationKeyUnavailableError(`Parameter ${parameterName} does not exist; ${howTo(parameterName)}`);
    }
    throw error;
  }
}

