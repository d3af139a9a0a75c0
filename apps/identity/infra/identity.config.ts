import type { EnvironmentName } from '@kestrel/infra-constructs/environments';

/**
 * Per-environment settings of the user pool, beside the shared environment
 * values (`environment(name).identity.mfa`). Staging watches, production acts:
 * threat protection audits risky sign-ins in staging and blocks them in
 * production. Sender addresses are placeholders until the SES identities
 * (verified domains) exist in each account.
 */
export interface IdentitySettings {
  /** Cognito threat protection (advanced security): AUDIT logs risk, ENFORCED acts on it. */
  advancedSecurityMode: 'AUDIT' | 'ENFORCED';
  /** A pool with deletion protection cannot be deleted by a plan that forgot it holds every account. */
  deletionProtection: 'ACTIVE' | 'INACTIVE';
  /** SES identity (verified domain) Cognito and the one-time-code mail send from. */
  mailDomain: string;
  fromAddress: string;
  /** Extra domains refused at sign-up, on top of the built-in disposable list. */
  blockedEmailDomains: string[];
}

export const IDENTITY_SETTINGS: Record<EnvironmentName, IdentitySettings> = {
  staging: {
    advancedSecurityMode: 'AUDIT',
    deletionProtection: 'ACTIVE',
    mailDomain: 'staging.kestrel.example',
    fromAddress: 'Kestrel <no-reply@staging.kestrel.example>',
    blockedEmailDomains: [],
  },
  production: {
    advancedSecurityMode: 'ENFORCED',
    deletionProtection: 'ACTIVE',
    mailDomain: 'kestrel.example',
    fromAddress: 'Kestrel <no-reply@kestrel.example>',
    blockedEmailDomains: [],
  },
};

/** Password rules: length over complexity (NIST SP 800-63B), with Cognito's character classes kept modest. */
export const PASSWORD_POLICY = {
  minimumLength: 12,
  requireLowercase: true,
  requireUppercase: false,
  requireNumbers: true,
  requireSymbols: false,
  passwordHistorySize: 5,
  temporaryPasswordValidityDays: 3,
} as const;

/** Group name → precedence (lower wins when Cognito picks a preferred role). */
export const USER_GROUPS = { staff: 1, customers: 10 } as const;
