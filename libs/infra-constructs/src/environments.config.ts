import type { EnvironmentInput } from './environments';

/**
 * Per-environment values. One code path builds every environment; only these
 * values differ. Account ids are placeholders until the real accounts exist:
 * the provider's `allowed_account_ids` makes a plan against the wrong account
 * fail instead of touching it.
 */
export const environmentInputs: Record<string, EnvironmentInput> = {
  staging: {
    name: 'staging',
    accountId: '111111111111',
    region: 'eu-west-1',
    logRetentionDays: 14,
    archiveRetentionDays: 30,
    alarms: {
      lambdaErrorsThreshold: 5,
      dlqMessagesThreshold: 1,
      periodSeconds: 300,
      evaluationPeriods: 1,
    },
    identity: { mfa: 'OPTIONAL' },
  },
  production: {
    name: 'production',
    accountId: '222222222222',
    region: 'eu-west-1',
    logRetentionDays: 90,
    archiveRetentionDays: 365,
    alarms: {
      lambdaErrorsThreshold: 1,
      dlqMessagesThreshold: 1,
      periodSeconds: 60,
      evaluationPeriods: 3,
    },
    identity: { mfa: 'ON' },
  },
};
