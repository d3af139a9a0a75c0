import type { EnvironmentInput } from './environments';

/**
 * Datadog where it is on: the layers (`…:464622532012:layer:Datadog-Extension-ARM:<v>` and
 * `Datadog-Node24-x:<v>`) are pinned, the same pair everywhere so staging proves what production
 * gets; bump both after reading the datadog-lambda-extension and datadog-lambda-js release notes.
 * Datadog publishes each datadog-lambda-js release under one version number for all its
 * `Datadog-Node<major>-x` layers (its own Terraform module keeps a single Node layer version), so
 * moving the functions from nodejs22.x to nodejs24.x kept 143; nothing here can reach AWS, so the
 * first staging plan is what proves the ARN exists.
 * The API key is a plain-text Secrets Manager secret of that name in each account, created by
 * hand (never by Terraform, so it is in no plan and no state).
 */
export const DATADOG = Object.freeze({
  enabled: true,
  site: 'datadoghq.eu',
  extensionLayerVersion: 103,
  nodeLayerVersion: 143,
  apiKeySecretName: 'kestrel/datadog/api-key',
} as const);

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
    // Any origin: web and mobile apps under development (localhost dev servers, emulators, phones
    // on the LAN through the local cloud's LOCAL_CLOUD_HOST) call staging's APIs and the local ones.
    webOrigins: ['*'],
    identity: { mfa: 'OPTIONAL' },
    // Staging proves what production gets. The local cloud applies this synth too: it resolves
    // the API-key secret by name (metadata only) and ignores the layers (no extension locally).
    datadog: DATADOG,
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
    // Placeholder until the web app's domain exists, like the account ids above.
    webOrigins: ['https://app.kestrel.example'],
    identity: { mfa: 'ON' },
    datadog: DATADOG,
  },
};
