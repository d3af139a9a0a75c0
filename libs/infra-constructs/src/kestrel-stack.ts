import { S3Backend, TerraformStack } from 'cdktn';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { EnvironmentConfig } from './environments';
import { resourceName } from './naming';
import { applyRoleBoundary, serviceRoleBoundaryArn } from './role-boundary';

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export interface KestrelStackProps {
  /** Short stack name, e.g. `platform` or `customers`; part of the stack id and state key. */
  stackName: string;
  /** The environment this instance of the stack deploys to. */
  env: EnvironmentConfig;
  /** Service that owns the resources (the `service` tag and the name prefix). */
  service: string;
  /** Team accountable for the resources (the `owner` tag). */
  owner: string;
}

/**
 * The base of every Kestrel Terraform stack: one AWS provider pinned to the
 * environment's account and region with default tags, and its own S3 state
 * (`<env>/<stack>/terraform.tfstate`, encrypted, S3 native locking) so each
 * stack plans and applies alone. The stack id is `<stack>-<env>`.
 *
 * @example
 * ```ts
 * class CustomersStack extends KestrelStack {
 *   constructor(scope: Construct, env: EnvironmentConfig) {
 *     super(scope, { stackName: 'customers', env, service: 'customers', owner: 'team-customers' });
 *     new DynamodbTable(this, 'table', { name: this.resourceName('table'), ... });
 *   }
 * }
 * ```
 */
export class KestrelStack extends TerraformStack {
  readonly stackName: string;
  readonly environment: EnvironmentConfig;
  readonly service: string;
  readonly owner: string;
  readonly provider: AwsProvider;
  readonly backend: S3Backend;

  constructor(scope: Construct, props: KestrelStackProps) {
    assertStackProps(props);
    super(scope, `${props.stackName}-${props.env.name}`);
    this.stackName = props.stackName;
    this.environment = props.env;
    this.service = props.service;
    this.owner = props.owner;

    this.provider = new AwsProvider(this, 'aws', {
      region: props.env.region,
      // A plan run with another environment's credentials fails instead of
      // creating staging resources in production (or the reverse).
      allowedAccountIds: [props.env.accountId],
      defaultTags: [{ tags: defaultTags(props) }],
    });

    this.backend = new S3Backend(this, {
      bucket: props.env.stateBucket,
      key: stateKey(props.env.name, props.stackName),
      region: props.env.region,
      encrypt: true,
      // S3 native locking (Terraform/OpenTofu >= 1.10): no DynamoDB lock table.
      useLockfile: true,
    });

    // Every role the stack creates carries the service's boundary (created by
    // bootstrap): the deploy role may create or change roles only with it.
    applyRoleBoundary(this, serviceRoleBoundaryArn(props.env, props.service));
  }

  /**
   * `kestrel-<env>-<service>-<thing>` for this stack's environment and service.
   *
   * @example
   * ```ts
   * stack.resourceName('dlq'); // 'kestrel-staging-customers-dlq'
   * ```
   */
  resourceName(thing: string, maxLength?: number): string {
    return resourceName({ env: this.environment.name, service: this.service, thing, maxLength });
  }
}

/** The state object key of a stack in an environment. */
export function stateKey(env: string, stackName: string): string {
  return `${env}/${stackName}/terraform.tfstate`;
}

/** Tags every resource of the stack carries through the provider's `default_tags`. */
export function defaultTags({ env, service, owner }: Pick<KestrelStackProps, 'env' | 'service' | 'owner'>) {
  return { service, owner, env: env.name, 'managed-by': 'cdktn' };
}

function assertStackProps({ stackName, service, owner }: KestrelStackProps): void {
  const problems = Object.entries({ stackName, service, owner })
    .filter(([, value]) => typeof value !== 'string' || !KEBAB.test(value))
    .map(([field, value]) => `${field}: ${JSON.stringify(value)} must be lower-case kebab-case`);
  if (problems.length > 0) {
    throw new Error(`Invalid KestrelStack props:\n  ${problems.join('\n  ')}`);
  }
}
