import type { EnvironmentInput } from './environments';

// Datadog layers (arn:aws:lambda:<region>:464622532012:layer:Datadog-Extension-ARM:<v> and
// Datadog-Node22-x:<v>), one pair for every environment so staging proves what production
// gets. Bump both after reading the release notes of datadog-lambda-extension and datadog-lambda-js.
const DATADOG_EXTENSION_LAYER_VERSION = 103;
const DATADOG_NODE_LAYER_VERSION = 143;

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
    datadog: {
      enabled: true,
      site: 'datadoghq.eu',
      extensionLayerVersion: DATADOG_EXTENSION_LAYER_VERSION,
      nodeLayerVersion: DATADOG_NODE_LAYER_VERSION,
      apiKeySecretName: 'kestrel/datadog/api-key',
    },
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
    datadog: {
      enabled: true,
      site: 'datadoghq.eu',
      extensionLayerVersion: DATADOG_EXTENSION_LAYER_VERSION,
      nodeLayerVersion: DATADOG_NODE_LAYER_VERSION,
      apiKeySecretName: 'kestrel/datadog/api-key',
    },
  },
};
