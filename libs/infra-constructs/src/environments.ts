import * as z from 'zod';
import { environmentInputs } from './environments.config';

/** The environments every stack is synthesized for, in deployment order. */
export const ENVIRONMENT_NAMES = ['staging', 'production'] as const;

export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

// The only values CloudWatch Logs accepts for retention_in_days.
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const positiveInt = z.int().positive();

/** The Datadog sites (regions) an organisation can live on; the extension sends to exactly one. */
export const DATADOG_SITES = ['datadoghq.com', 'us3.datadoghq.com', 'us5.datadoghq.com', 'datadoghq.eu', 'ap1.datadoghq.com', 'ap2.datadoghq.com', 'ddog-gov.com'] as const;

const datadogSchema = z.discriminatedUnion('enabled', [
  z.strictObject({ enabled: z.literal(false) }),
  z.strictObject({
    enabled: z.literal(true),
    site: z.enum(DATADOG_SITES, { error: `must be a Datadog site (${DATADOG_SITES.join(', ')})` }),
    // Layer versions are pinned: a new layer is a deploy we choose, not one that happens to us.
    extensionLayerVersion: positiveInt,
    nodeLayerVersion: positiveInt,
    // Secrets Manager's name alphabet. The secret holds the API key as plain text and is
    // created outside Terraform, so the key is never in code, plan or state.
    apiKeySecretName: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, {
      error: 'must be a Secrets Manager secret name (letters, digits and /_+=.@-)',
    }),
    // Only when the secret is encrypted with a customer managed key (the AWS managed
    // aws/secretsmanager key needs no grant).
    apiKeyKmsKeyArn: z
      .string()
      .regex(/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/, { error: 'must be a KMS key ARN' })
      .optional(),
  }),
]);

const environmentSchema = z.strictObject({
  name: z.enum(ENVIRONMENT_NAMES),
  accountId: z.string().regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' }),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'must be an AWS region such as eu-west-1' }),
  logRetentionDays: z.literal(LOG_RETENTION_DAYS, {
    error: `must be a CloudWatch Logs retention value (${LOG_RETENTION_DAYS.join(', ')})`,
  }),
  // EventBridge archives accept 0 for "keep forever"; we always want a bound.
  archiveRetentionDays: positiveInt,
  alarms: z.strictObject({
    lambdaErrorsThreshold: positiveInt,
    dlqMessagesThreshold: positiveInt,
    periodSeconds: positiveInt.refine((seconds) => seconds % 60 === 0, {
      error: 'must be a multiple of 60 (CloudWatch standard-resolution periods)',
    }),
    evaluationPeriods: positiveInt,
  }),
  // Origins of the browser apps that call the services' HTTP APIs (CORS). The APIs take bearer
  // tokens, never cookies, so '*' exposes nothing a token would not; production names its app.
  webOrigins: z
    .array(
      z.string().regex(/^(\*|[a-z][a-z0-9+.-]*:\/\/[^/\s]+)$/, { error: "must be '*' or an origin such as https://app.example.com (scheme and host, no path)" }),
    )
    .min(1, { error: 'must list at least one origin' }),
  identity: z.strictObject({
    // Placeholder for the identity stack: Cognito's mfa_configuration values.
    mfa: z.enum(['OFF', 'OPTIONAL', 'ON']),
  }),
  // Datadog's Lambda extension and Node library on every function; off unless the environment says so.
  datadog: datadogSchema.default({ enabled: false }),
});

/** The per-environment Datadog switch: off, or on with everything the functions need. */
export type DatadogConfig = z.output<typeof datadogSchema>;

/** Raw per-environment values as written in `environments.config.ts`. */
export type EnvironmentInput = z.input<typeof environmentSchema>;

/** Validated configuration of one environment, plus values derived from it. */
export type EnvironmentConfig = Readonly<
  z.output<typeof environmentSchema> & {
    /** S3 bucket holding every stack's Terraform state for this account. */
    stateBucket: string;
  }
>;

/**
 * Validates raw environment values and derives the rest. Errors name every
 * offending field, e.g. `staging.accountId: must be a 12-digit AWS account id`.
 *
 * @example
 * ```ts
 * const config = parseEnvironment('staging', { ...environmentInputs.staging, archiveRetentionDays: 7 });
 * config.stateBucket; // 'kestrel-terraform-state-111111111111'
 * ```
 */
export function parseEnvironment(key: string, input: unknown): EnvironmentConfig {
  const result = environmentSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${[key, ...issue.path].join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment configuration:\n  ${problems.join('\n  ')}`);
  }
  if (result.data.name !== key) {
    throw new Error(`Invalid environment configuration:\n  ${key}.name: must equal its key "${key}"`);
  }
  return Object.freeze({ ...result.data, stateBucket: `kestrel-terraform-state-${result.data.accountId}` });
}

/**
 * The validated configuration of a named environment.
 *
 * @example
 * ```ts
 * const staging = environment('staging');
 * staging.archiveRetentionDays; // 30
 * ```
 */
export function environment(name: EnvironmentName): EnvironmentConfig {
  const input = environmentInputs[name];
  if (input === undefined) {
    throw new Error(`No configuration for environment "${name}" in environments.config.ts`);
  }
  return parseEnvironment(name, input);
}

/** Every environment's validated configuration, in deployment order. */
export function allEnvironments(): EnvironmentConfig[] {
  return ENVIRONMENT_NAMES.map(environment);
}
