/**
 * Session credentials the local cloud issues (STS AssumeRole, each Lambda
 * function's execution role). Access key ids start with `ASIALC` so a key from
 * an earlier run (or a typo) is recognised as ours and refused, never taken
 * for the developer's own credentials, which act as the local administrator.
 */
import { randomBytes } from 'node:crypto';
import type { CompiledPolicy, Principal } from '@kestrel/iam';

export const ISSUED_KEY_PREFIX = 'ASIALC';

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO time; sessions are not expired locally (documented difference), the field is for SDKs that read it. */
  expiration: string;
}

export interface IssuedSession extends SessionCredentials {
  principal: Extract<Principal, { kind: 'role-session' }>;
  /** The `Policy` passed to AssumeRole: limits the session to its intersection with the role's policies. */
  sessionPolicy?: CompiledPolicy;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomKeyPart(length: number): string {
  return [...randomBytes(length)].map((byte) => ALPHABET[byte % ALPHABET.length]).join('');
}

/** The 12-digit account of an IAM role ARN (`arn:aws:iam::<account>:role/…`). */
export function accountOfRole(roleArn: string): string | undefined {
  return /^arn:aws[\w-]*:iam::(\d{12}):role\//.exec(roleArn)?.[1];
}

export class CredentialStore {
  private readonly byKey = new Map<string, IssuedSession>();

  constructor(private readonly accountId: string) {}

  /**
   * New credentials acting as `sessionName` of the role, a session of the role's
   * account: the local one unless told (another account's caller, see `sts` AssumeRole).
   */
  issue(roleArn: string, sessionName: string, lifetimeSeconds = 3600, sessionPolicy?: CompiledPolicy, accountId = this.accountId): IssuedSession {
    const session: IssuedSession = {
      accessKeyId: `${ISSUED_KEY_PREFIX}${randomKeyPart(14)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `LocalCloudSession${randomBytes(48).toString('base64')}`,
      expiration: new Date(Date.now() + lifetimeSeconds * 1000).toISOString(),
      principal: { kind: 'role-session', accountId, roleArn, sessionName },
      ...(sessionPolicy ? { sessionPolicy } : {}),
    };
    this.byKey.set(session.accessKeyId, session);
    return session;
  }

  lookup(accessKeyId: string): IssuedSession | undefined {
    return this.byKey.get(accessKeyId);
  }

  /** Ours (issued now or by an earlier run): such keys are verified, never treated as the administrator. */
  static isIssuedKey(accessKeyId: string): boolean {
    return accessKeyId.startsWith(ISSUED_KEY_PREFIX);
  }

  get size(): number {
    return this.byKey.size;
  }
}
