/**
 * Whether a sign-in may go ahead. Suspension (set by support) refuses every
 * sign-in. One-time-code failures refuse only new one-time codes
 * ({@link enforceSignIn}, in create auth challenge): an anonymous caller who
 * knows an email can burn the window's code failures, so they never lock the
 * password sign-in ({@link enforceNotSuspended}, in pre authentication),
 * which Cognito guards with its own lockout and threat protection.
 */
import { failureWindow, OTP_POLICY } from './one-time-code';
import type { OneTimeCodeChallenge } from './one-time-code';
import { TriggerRejection } from './rejection';

export interface GuardState {
  /** Failed one-time-code answers (reserved slots) in the window starting at `windowStartsAt`. */
  failures?: { windowStartsAt: string; count: number };
  /** Set by support (runbook) for accounts under investigation. */
  suspension?: { reason: string; since: string };
  /** The user name's current one-time-code challenge, if any. */
  challenge?: OneTimeCodeChallenge;
}

export type GuardDecision = { allowed: true } | { allowed: false; reason: 'suspended' | 'too-many-failures'; retryAfterSeconds?: number };

/**
 * @example
 * checkSignIn({ failures: { windowStartsAt: '2026-01-15T09:30:00.000Z', count: 5 } }, new Date('2026-01-15T09:40:00Z'));
 * // { allowed: false, reason: 'too-many-failures', retryAfterSeconds: 300 }
 */
export function checkSignIn(state: GuardState, now: Date): GuardDecision {
  if (state.suspension) return { allowed: false, reason: 'suspended' };
  const window = failureWindow(now);
  if (state.failures && state.failures.windowStartsAt === window.startsAt && state.failures.count >= OTP_POLICY.failuresPerWindow) {
    return { allowed: false, reason: 'too-many-failures', retryAfterSeconds: Math.ceil((Date.parse(window.endsAt) - now.getTime()) / 1000) };
  }
  return { allowed: true };
}

/** Pre authentication (every flow, passwords included): only a suspension refuses. */
export function enforceNotSuspended(state: GuardState): void {
  if (state.suspension) throw new TriggerRejection('This account is suspended. Please contact support.');
}

/**
 * Before a new one-time code: the decision as the rejection the app shows; the
 * same words whoever the account belongs to. A refused code sends no email;
 * signing in with the password still works.
 */
export function enforceSignIn(state: GuardState, now: Date): void {
  const decision = checkSignIn(state, now);
  if (decision.allowed) return;
  if (decision.reason === 'suspended') {
    throw new TriggerRejection('This account is suspended. Please contact support.');
  }
  const minutes = Math.max(1, Math.ceil((decision.retryAfterSeconds ?? 60) / 60));
  throw new TriggerRejection(`Too many wrong codes. Sign in with your password, or try a code again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
}
