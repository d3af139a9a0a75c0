/**
 * Whether a sign-in may go ahead: refused while the account is suspended by
 * support or has used up its one-time-code failures for the current window.
 * Cognito itself locks out repeated wrong passwords and blocks disabled users
 * before any trigger runs; this adds what it cannot know.
 */
import { failureWindow, OTP_POLICY } from './one-time-code';
import { TriggerRejection } from './rejection';

export interface GuardState {
  /** Failed one-time-code answers (reserved slots) in the window starting at `windowStartsAt`. */
  failures?: { windowStartsAt: string; count: number };
  /** Set by support (runbook) for accounts under investigation. */
  suspension?: { reason: string; since: string };
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

/** The decision as the rejection the app shows; the same words whoever the account belongs to. */
export function enforceSignIn(state: GuardState, now: Date): void {
  const decision = checkSignIn(state, now);
  if (decision.allowed) return;
  if (decision.reason === 'suspended') {
    throw new TriggerRejection('This account is suspended. Please contact support.');
  }
  const minutes = Math.max(1, Math.ceil((decision.retryAfterSeconds ?? 60) / 60));
  throw new TriggerRejection(`Too many failed sign-in attempts. Please try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
}
