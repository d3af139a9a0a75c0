/**
 * Pre sign-up: refuse what we will not register (invalid or disposable email,
 * denylisted domain, names that are not names) with words the app can show.
 * Never auto-confirms: the email must be verified with a code.
 * Configuration: `BLOCKED_EMAIL_DOMAINS` (comma-separated) on top of the built-in disposable list.
 */
import { withObservability } from '@kestrel/observability';
import { parseDomainList } from '../domain/email';
import { decideSignUp } from '../domain/profile';
import type { SignUpPolicy, SignUpSource } from '../domain/profile';
import { preSignUpEvent } from '../adapters/cognito-events';
import { lazy } from '../adapters/lazy';
import { cognitoTrigger } from '../adapters/trigger-runtime';
import type { TriggerOptions } from '../adapters/trigger-runtime';

const SOURCES = {
  PreSignUp_SignUp: 'sign-up',
  PreSignUp_AdminCreateUser: 'admin-create-user',
  PreSignUp_ExternalProvider: 'external-provider',
} as const satisfies Record<string, SignUpSource>;

export function createHandler(policy: () => SignUpPolicy, options: TriggerOptions = {}) {
  return cognitoTrigger(
    'PreSignUp',
    preSignUpEvent,
    (event) => {
      decideSignUp(SOURCES[event.triggerSource], event.request.userAttributes, policy());
      return { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false };
    },
    options,
  );
}

export const handler = withObservability(
  createHandler(lazy(() => ({ blockedDomains: parseDomainList(process.env.BLOCKED_EMAIL_DOMAINS) }))),
  { service: 'identity', functionName: 'cognito-pre-sign-up' },
);
