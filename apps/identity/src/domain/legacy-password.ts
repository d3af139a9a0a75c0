/**
 * Password hashes of the legacy user store, in the PHC-like form it used:
 * `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>`. Verification runs
 * node:crypto's scrypt with the stored parameters and compares in constant
 * time. A lookup that finds no user verifies against a fixed dummy hash with
 * the same parameters, so "no such user" and "wrong password" take the same
 * time and give the same answer.
 */
import { scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

export class LegacyHashFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LegacyHashFormatError';
  }
}

// Bounds a stored hash may ask for: enough for any sane legacy setting, never a memory bomb.
const MAX_N = 2 ** 17;
const MAX_RP = 32;

/**
 * @example
 * parseScryptHash('scrypt$16384$8$1$c2FsdA==$aGFzaA=='); // { N: 16384, r: 8, p: 1, salt, hash }
 */
export function parseScryptHash(text: string): ScryptHash {
  const parts = text.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') throw new LegacyHashFormatError('expected scrypt$N$r$p$salt$hash');
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (!Number.isInteger(N) || N < 2 || N > MAX_N || (N & (N - 1)) !== 0) throw new LegacyHashFormatError(`N must be a power of two up to ${MAX_N}`);
  if (!Number.isInteger(r) || r < 1 || r > MAX_RP || !Number.isInteger(p) || p < 1 || p > MAX_RP) throw new LegacyHashFormatError('r and p must be small positive integers');
  const salt = Buffer.from(parts[4] as string, 'base64');
  const hash = Buffer.from(parts[5] as string, 'base64');
  if (salt.length < 8 || hash.length < 16 || hash.length > 128) throw new LegacyHashFormatError('salt or hash has an implausible length');
  return { N, r, p, salt, hash };
}

function derive(password: string, params: ScryptHash): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: scrypt needs 128 * N * r bytes; allow that plus headroom.
    scrypt(password.normalize('NFC'), params.salt, params.hash.length, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** True when `password` hashes to the stored value. */
export async function verifyScryptPassword(password: string, stored: ScryptHash): Promise<boolean> {
  const derived = await derive(password, stored);
  return derived.length === stored.hash.length && timingSafeEqual(derived, stored.hash);
}

/**
 * Builds a hash string in the legacy format (seeding the legacy table in tests and scripts).
 *
 * @example
 * await hashLegacyPassword('correct horse', randomBytes(16)); // 'scrypt$16384$8$1$…$…'
 */
export async function hashLegacyPassword(password: string, salt: Buffer, params: { N: number; r: number; p: number } = { N: 16384, r: 8, p: 1 }): Promise<string> {
  const shape: ScryptHash = { ...params, salt, hash: Buffer.alloc(32) };
  const hash = await derive(password, shape);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Same cost as a real user's verification, for the "no such user" path. */
export const DUMMY_SCRYPT_HASH: ScryptHash = Object.freeze({
  N: 16384,
  r: 8,
  p: 1,
  salt: Buffer.from('a2VzdHJlbC1kdW1teS1zYWx0', 'base64'),
  hash: Buffer.alloc(32, 7),
}) as ScryptHash;
