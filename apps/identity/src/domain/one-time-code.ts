/**
 * Passwordless sign-in with a one-time code sent by email, as Cognito's
 * custom authentication flow: define (the sequence), create (the code),
 * verify (the answer).
 *
 * Why brute force cannot work:
 * - a code is 6 random digits, valid for {@link OTP_POLICY.ttlSeconds};
 * - each challenge accepts {@link OTP_POLICY.attemptsPerChallenge} answers, counted atomically in the table
 *   and again by Cognito's session (define fails the sign-in after that many wrong answers);
 * - across sessions, every answer first reserves one of {@link OTP_POLICY.failuresPerWindow} slots per
 *   user name and {@link OTP_POLICY.windowSeconds}-second window (released when the answer is right),
 *   so starting new sessions buys no extra guesses: at most 5 guesses per 15 minutes against a
 *   million codes;
 * - only an HMAC of the code and a random per-challenge salt is stored, keyed
 *   with a secret that is not in the table (an SSM SecureString read at cold
 *   start): someone who can read the table cannot try the million codes
 *   offline; answers are compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const OTP_POLICY = Object.freeze({
  digits: 6,
  ttlSeconds: 180,
  attemptsPerChallenge: 3,
  failuresPerWindow: 5,
  windowSeconds: 900,
});

export const CUSTOM_CHALLENGE = 'CUSTOM_CHALLENGE';
/** `challengeMetadata` of our challenges: `OTP:<challengeId>`, so a retry within a session reuses its code. */
const METADATA_PREFIX = 'OTP:';

/**
 * A code of {@link OTP_POLICY.digits} digits from a uniform random integer source
 * (`crypto.randomInt` in production).
 *
 * @example
 * generateCode((max) => 42); // '000042'
 */
export function generateCode(randomInt: (maxExclusive: number) => number): string {
  const max = 10 ** OTP_POLICY.digits;
  const value = randomInt(max);
  if (!Number.isInteger(value) || value < 0 || value >= max) throw new Error(`random source returned ${value}, outside [0, ${max})`);
  return String(value).padStart(OTP_POLICY.digits, '0');
}

/** At least this many bytes of key: HMAC-SHA-256 gains nothing beyond 64, and loses below 32. */
export const MIN_CODE_KEY_BYTES = 32;

/** HMAC-SHA-256, keyed with the secret code key, of the challenge's salt and the code; hex. */
export function hashCode(code: string, salt: Buffer, key: Uint8Array): string {
  if (key.length < MIN_CODE_KEY_BYTES) throw new Error(`The one-time-code key has ${key.length} bytes; at least ${MIN_CODE_KEY_BYTES} are required`);
  return createHmac('sha256', key).update(salt).update(':').update(code, 'utf8').digest('hex');
}

/** True when `answer` is a well-formed code whose hash equals `expectedHash`; constant time in the hash comparison. */
export function codeMatches(answer: string, salt: Buffer, expectedHash: string, key: Uint8Array): boolean {
  const actual = Buffer.from(hashCode(isWellFormedCode(answer) ? answer : '', salt, key), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return expected.length === actual.length && timingSafeEqual(actual, expected) && isWellFormedCode(answer);
}

/** Exactly {@link OTP_POLICY.digits} ASCII digits. */
export function isWellFormedCode(answer: string): boolean {
  return answer.length === OTP_POLICY.digits && /^\d+$/.test(answer);
}

export function challengeMetadata(challengeId: string): string {
  return `${METADATA_PREFIX}${challengeId}`;
}

/** One entry of Cognito's `request.session`. */
export interface ChallengeResult {
  challengeName: string;
  challengeResult: boolean;
  challengeMetadata?: string | null;
}

/** The challenge id this session already issued, if any (create reuses it rather than mailing a new code). */
export function sessionChallengeId(session: readonly ChallengeResult[]): string | undefined {
  for (let i = session.length - 1; i >= 0; i -= 1) {
    const metadata = session[i]?.challengeMetadata;
    if (session[i]?.challengeName === CUSTOM_CHALLENGE && metadata?.startsWith(METADATA_PREFIX)) return metadata.slice(METADATA_PREFIX.length);
  }
  return undefined;
}

export type DefineDecision =
  | { issueTokens: true; failAuthentication: false }
  | { issueTokens: false; failAuthentication: true }
  | { issueTokens: false; failAuthentication: false; challengeName: typeof CUSTOM_CHALLENGE };

/**
 * Define auth challenge: the next step of a passwordless sign-in.
 * Only one-time-code challenges belong in this flow; anything else in the
 * session (an SRP or password step) fails it. A user who does not exist gets
 * the same sequence (Cognito sets `userNotFound`), so the flow reveals nothing.
 *
 * @example
 * defineNextStep([]); // { issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' }
 * defineNextStep([{ challengeName: 'CUSTOM_CHALLENGE', challengeResult: true }]); // { issueTokens: true, failAuthentication: false }
 */
export function defineNextStep(session: readonly ChallengeResult[], { passwordless = true }: { passwordless?: boolean } = {}): DefineDecision {
  const fail = { issueTokens: false, failAuthentication: true } as const;
  // Where MFA is required, a code by email must not stand in for the second factor.
  if (!passwordless) return fail;
  if (session.some((entry) => entry.challengeName !== CUSTOM_CHALLENGE)) return fail;
  const last = session[session.length - 1];
  if (last?.challengeResult === true) return { issueTokens: true, failAuthentication: false };
  if (session.length >= OTP_POLICY.attemptsPerChallenge) return fail;
  return { issueTokens: false, failAuthentication: false, challengeName: CUSTOM_CHALLENGE };
}

/** The stored state of one challenge. */
export interface OneTimeCodeChallenge {
  challengeId: string;
  /** Hex HMAC of the code; removed once answered so a code works once. */
  codeHash?: string;
  /** Base64 salt of the HMAC. */
  salt: string;
  expiresAt: string;
  attempts: number;
  answeredAt?: string;
}

/**
 * A new challenge for a code: its hash, salt and expiry.
 *
 * @example
 * newChallenge({ challengeId: 'c1', code: '123456', salt: randomBytes(16), now, key });
 */
export function newChallenge(params: { challengeId: string; code: string; salt: Buffer; now: Date; key: Uint8Array }): OneTimeCodeChallenge {
  return {
    challengeId: params.challengeId,
    codeHash: hashCode(params.code, params.salt, params.key),
    salt: params.salt.toString('base64'),
    expiresAt: new Date(params.now.getTime() + OTP_POLICY.ttlSeconds * 1000).toISOString(),
    attempts: 0,
  };
}

/** Why an answer was not even compared (or was, and was wrong). */
export type AnswerOutcome = 'correct' | 'wrong' | 'expired' | 'no-attempts-left' | 'unknown-challenge' | 'already-answered' | 'locked';

/**
 * Judges an answer against a challenge whose attempt counter already counts
 * this answer (the store increments it atomically before calling this).
 */
export function judgeAnswer(challenge: OneTimeCodeChallenge | undefined, challengeId: string, answer: string, now: Date, key: Uint8Array): AnswerOutcome {
  if (challenge === undefined || challenge.challengeId !== challengeId) return 'unknown-challenge';
  if (challenge.answeredAt !== undefined || challenge.codeHash === undefined) return 'already-answered';
  if (Date.parse(challenge.expiresAt) <= now.getTime()) return 'expired';
  if (challenge.attempts > OTP_POLICY.attemptsPerChallenge) return 'no-attempts-left';
  return codeMatches(answer, Buffer.from(challenge.salt, 'base64'), challenge.codeHash, key) ? 'correct' : 'wrong';
}

/**
 * The failure window an instant falls in: windows are fixed, aligned on
 * multiples of {@link OTP_POLICY.windowSeconds} since the epoch.
 *
 * @example
 * failureWindow(new Date('2026-01-15T09:31:00Z')); // { startsAt: '2026-01-15T09:30:00.000Z', endsAt: '2026-01-15T09:45:00.000Z' }
 */
export function failureWindow(now: Date): { startsAt: string; endsAt: string } {
  const size = OTP_POLICY.windowSeconds * 1000;
  const start = Math.floor(now.getTime() / size) * size;
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(start + size).toISOString() };
}

/** A live code's remaining lifetime below which a new session gets a new code rather than one about to expire. */
const REUSE_MARGIN_SECONDS = 30;

/**
 * The challenge a new session may reuse instead of mailing another code: not
 * answered, with attempts left and at least {@link REUSE_MARGIN_SECONDS} to
 * live. Starting sessions therefore sends at most one email per code lifetime,
 * however often someone who knows the address asks.
 *
 * @example
 * reusableChallenge(stored, now)?.challengeId; // the id to hand the new session, or undefined: make a new code
 */
export function reusableChallenge(challenge: OneTimeCodeChallenge | undefined, now: Date): OneTimeCodeChallenge | undefined {
  if (challenge === undefined || challenge.answeredAt !== undefined || challenge.codeHash === undefined) return undefined;
  if (challenge.attempts >= OTP_POLICY.attemptsPerChallenge) return undefined;
  return Date.parse(challenge.expiresAt) - now.getTime() >= REUSE_MARGIN_SECONDS * 1000 ? challenge : undefined;
}
