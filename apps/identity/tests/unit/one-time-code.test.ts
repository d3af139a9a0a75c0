import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  codeMatches,
  defineNextStep,
  failureWindow,
  generateCode,
  hashCode,
  judgeAnswer,
  newChallenge,
  OTP_POLICY,
  sessionChallengeId,
} from '../../src/domain/one-time-code';
import { checkSignIn, enforceSignIn } from '../../src/domain/sign-in-guard';

const NOW = new Date('2026-01-15T09:31:00.000Z');

const KEY = randomBytes(32);

describe('one-time codes', () => {
  it('generates six digits from the random source, zero-padded', () => {
    expect(generateCode(() => 42)).toBe('000042');
    expect(generateCode(() => 999_999)).toBe('999999');
    expect(() => generateCode(() => 1_000_000)).toThrow(/outside/);
  });

  it('matches only the exact code (property: any other string fails)', () => {
    const salt = randomBytes(16);
    const hash = hashCode('123456', salt, KEY);
    expect(codeMatches('123456', salt, hash, KEY)).toBe(true);
    fc.assert(fc.property(fc.string({ maxLength: 12 }).filter((s) => s !== '123456'), (answer) => !codeMatches(answer, salt, hash, KEY)));
  });

  it('keys the hash with a secret that is not stored beside it: a table reader with salt and hash cannot find the code', () => {
    // prepare: what the table holds
    const challenge = newChallenge({ challengeId: 'c1', code: '004242', salt: randomBytes(16), now: NOW, key: KEY });
    const salt = Buffer.from(challenge.salt, 'base64');
    // act: try codes (the right one among them) keyed by what the reader has: the salt, as the old scheme did
    const recovered = [];
    for (let n = 0; n < 10_000; n += 1) {
      const code = String(n).padStart(6, '0');
      if (createHmac('sha256', salt).update(code).digest('hex') === challenge.codeHash) recovered.push(code);
    }
    // assess
    expect(recovered).toEqual([]);
    expect(codeMatches('004242', salt, challenge.codeHash as string, KEY)).toBe(true);
    expect(codeMatches('004242', salt, challenge.codeHash as string, randomBytes(32))).toBe(false);
    expect(() => hashCode('004242', salt, randomBytes(16))).toThrow('at least 32 are required');
  });

  it('stores no code, only its salted hash', () => {
    const challenge = newChallenge({ challengeId: 'c1', code: '654321', salt: randomBytes(16), now: NOW, key: KEY });
    expect(JSON.stringify(challenge)).not.toContain('654321');
    expect(challenge.expiresAt).toBe('2026-01-15T09:34:00.000Z');
    expect(challenge.attempts).toBe(0);
  });

  it('judges answers: right, wrong, expired, spent, replaced, used', () => {
    const challenge = { ...newChallenge({ challengeId: 'c1', code: '111111', salt: randomBytes(16), now: NOW, key: KEY }), attempts: 1 };
    expect(judgeAnswer(challenge, 'c1', '111111', NOW, KEY)).toBe('correct');
    expect(judgeAnswer(challenge, 'c1', '111112', NOW, KEY)).toBe('wrong');
    expect(judgeAnswer(challenge, 'c1', '111111', new Date('2026-01-15T09:34:00.000Z'), KEY)).toBe('expired');
    expect(judgeAnswer({ ...challenge, attempts: OTP_POLICY.attemptsPerChallenge + 1 }, 'c1', '111111', NOW, KEY)).toBe('no-attempts-left');
    expect(judgeAnswer(challenge, 'c2', '111111', NOW, KEY)).toBe('unknown-challenge');
    expect(judgeAnswer(undefined, 'c1', '111111', NOW, KEY)).toBe('unknown-challenge');
    const { codeHash: _gone, ...used } = challenge;
    expect(judgeAnswer({ ...used, answeredAt: NOW.toISOString() }, 'c1', '111111', NOW, KEY)).toBe('already-answered');
  });

  it('defines the passwordless sequence', () => {
    const wrong = { challengeName: 'CUSTOM_CHALLENGE', challengeResult: false };
    expect(defineNextStep([])).toEqual({ issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' });
    expect(defineNextStep([wrong])).toEqual({ issueTokens: false, failAuthentication: false, challengeName: 'CUSTOM_CHALLENGE' });
    expect(defineNextStep([wrong, { challengeName: 'CUSTOM_CHALLENGE', challengeResult: true }])).toEqual({ issueTokens: true, failAuthentication: false });
    expect(defineNextStep([wrong, wrong, wrong])).toEqual({ issueTokens: false, failAuthentication: true });
    expect(defineNextStep([{ challengeName: 'SRP_A', challengeResult: true }])).toEqual({ issueTokens: false, failAuthentication: true });
  });

  it('finds the session’s challenge id in the metadata', () => {
    expect(sessionChallengeId([])).toBeUndefined();
    expect(sessionChallengeId([{ challengeName: 'CUSTOM_CHALLENGE', challengeResult: false, challengeMetadata: 'OTP:abc' }])).toBe('abc');
    expect(sessionChallengeId([{ challengeName: 'CUSTOM_CHALLENGE', challengeResult: false, challengeMetadata: 'other' }])).toBeUndefined();
  });

  it('aligns failure windows on fixed 15-minute boundaries', () => {
    expect(failureWindow(NOW)).toEqual({ startsAt: '2026-01-15T09:30:00.000Z', endsAt: '2026-01-15T09:45:00.000Z' });
  });
});

describe('sign-in guard', () => {
  const window = failureWindow(NOW).startsAt;

  it('allows sign-in below the failure limit and in a new window', () => {
    expect(checkSignIn({}, NOW)).toEqual({ allowed: true });
    expect(checkSignIn({ failures: { windowStartsAt: window, count: OTP_POLICY.failuresPerWindow - 1 } }, NOW)).toEqual({ allowed: true });
    expect(checkSignIn({ failures: { windowStartsAt: '2026-01-15T09:15:00.000Z', count: 99 } }, NOW)).toEqual({ allowed: true });
  });

  it('refuses at the limit until the window ends, and while suspended', () => {
    expect(checkSignIn({ failures: { windowStartsAt: window, count: 5 } }, NOW)).toEqual({ allowed: false, reason: 'too-many-failures', retryAfterSeconds: 840 });
    expect(() => enforceSignIn({ failures: { windowStartsAt: window, count: 5 } }, NOW)).toThrow('Too many wrong codes. Sign in with your password, or try a code again in 14 minutes.');
    expect(() => enforceSignIn({ suspension: { reason: 'fraud review', since: '2026-01-01T00:00:00Z' } }, NOW)).toThrow('This account is suspended. Please contact support.');
  });
});

describe('passwordless where MFA is required', () => {
  it('fails every custom sign-in, even a right answer, when passwordless is off', () => {
    expect(defineNextStep([], { passwordless: false })).toEqual({ issueTokens: false, failAuthentication: true });
    expect(defineNextStep([{ challengeName: 'CUSTOM_CHALLENGE', challengeResult: true }], { passwordless: false })).toEqual({ issueTokens: false, failAuthentication: true });
    expect(defineNextStep([])).toMatchObject({ challengeName: 'CUSTOM_CHALLENGE' });
  });
});
