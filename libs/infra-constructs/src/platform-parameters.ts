import { Construct } from 'constructs';
import { DataAwsSsmParameter } from '@cdktn/provider-aws/lib/data-aws-ssm-parameter';
import type { EnvironmentName } from './environments';

/** SSM parameter names the platform stack publishes for an environment. */
export interface PlatformParameterNames {
  eventBusName: string;
  eventBusArn: string;
}

/**
 * Where the platform stack publishes its shared values. Service stacks read
 * these by name (never through cross-stack references), so each service plans
 * and deploys without the platform stack in the same app.
 *
 * @example
 * ```ts
 * platformParameters('staging').eventBusArn; // '/kestrel/staging/platform/event-bus-arn'
 * ```
 */
export function platformParameters(env: EnvironmentName): PlatformParameterNames {
  return {
    eventBusName: `/kestrel/${env}/platform/event-bus-name`,
    eventBusArn: `/kestrel/${env}/platform/event-bus-arn`,
  };
}

/** SSM parameter names the identity context publishes for an environment. */
export interface IdentityParameterNames {
  /** The user pool's JWT issuer URL (`https://cognito-idp.<region>.amazonaws.com/<pool id>`), a String. */
  userPoolIssuer: string;
  /** The app client ids a token's audience may name, a StringList (comma-separated). */
  userPoolClientIds: string;
}

/**
 * Where the identity stack publishes what HTTP APIs need to verify its JWTs.
 * Service stacks read these by name, like the platform bus.
 *
 * @example
 * ```ts
 * identityParameters('staging').userPoolIssuer; // '/kestrel/staging/identity/user-pool-issuer'
 * ```
 */
export function identityParameters(env: EnvironmentName): IdentityParameterNames {
  return {
    userPoolIssuer: `/kestrel/${env}/identity/user-pool-issuer`,
    userPoolClientIds: `/kestrel/${env}/identity/user-pool-client-ids`,
  };
}

/**
 * The physical name of an environment's shared EventBridge bus.
 *
 * @example
 * ```ts
 * platformBusName('production'); // 'kestrel-production-bus'
 * ```
 */
export function platformBusName(env: EnvironmentName): string {
  return `kestrel-${env}-bus`;
}

export interface PlatformBusReferenceProps {
  env: EnvironmentName;
}

/**
 * The platform bus as seen from a service stack: two `aws_ssm_parameter` data
 * sources resolved at plan time. Values are read through `insecure_value`
 * because `value` is always marked sensitive, which would hide the bus name in
 * plans and force every output derived from it to be sensitive; the bus name
 * and ARN are not secrets.
 *
 * @example
 * ```ts
 * const bus = new PlatformBusReference(this, 'platform-bus', { env: 'staging' });
 * new CloudwatchEventRule(this, 'rule', { eventBusName: bus.busName, ... });
 * ```
 */
export class PlatformBusReference extends Construct {
  /** Token for the bus name (for rules and targets). */
  readonly busName: string;
  /** Token for the bus ARN (for IAM policies and Pipes targets). */
  readonly busArn: string;

  constructor(scope: Construct, id: string, { env }: PlatformBusReferenceProps) {
    super(scope, id);
    const names = platformParameters(env);
    this.busName = new DataAwsSsmParameter(this, 'event-bus-name', { name: names.eventBusName }).insecureValue;
    this.busArn = new DataAwsSsmParameter(this, 'event-bus-arn', { name: names.eventBusArn }).insecureValue;
  }
}
