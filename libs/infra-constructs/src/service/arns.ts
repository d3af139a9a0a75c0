import type { EnvironmentConfig } from '../environments';

/**
 * ARNs we can spell without a lookup: the account and region of every
 * environment are in its configuration, so policies name them exactly.
 */
export function ssmParameterArn(env: EnvironmentConfig, name: string): string {
  // Parameter names start with '/', and the ARN joins them without another one.
  return `arn:aws:ssm:${env.region}:${env.accountId}:parameter${name}`;
}

/** The ARN pattern of every EventBridge rule named with `prefix`, on the default bus or a custom one. */
export function eventRuleArnPatterns(env: EnvironmentConfig, prefix: string): string[] {
  return [
    `arn:aws:events:${env.region}:${env.accountId}:rule/${prefix}*`,
    `arn:aws:events:${env.region}:${env.accountId}:rule/*/${prefix}*`,
  ];
}

/** `dynamodb.<region>.amazonaws.com`: scopes KMS use to calls a service makes on the caller's behalf. */
export function viaService(env: EnvironmentConfig, service: 'dynamodb' | 'sqs'): Record<string, Record<string, string>> {
  return { StringEquals: { 'kms:ViaService': `${service}.${env.region}.amazonaws.com` } };
}
