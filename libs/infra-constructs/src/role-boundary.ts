import { Aspects, TerraformStack } from 'cdktn';
import type { IAspect } from 'cdktn';
import type { IConstruct } from 'constructs';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import type { EnvironmentConfig } from './environments';

/**
 * The IAM path of everything the pipeline itself owns (its roles and the
 * service-role boundaries). Service resources are named `kestrel-<env>-<service>-*`
 * at the root path, so no deploy role (which manages roles and policies under
 * its prefix) can touch anything under this path.
 */
export const PIPELINE_PATH = '/kestrel-pipeline/';

/** `kestrel-<env>-<service>-boundary`: the permissions boundary bootstrap creates for one service's roles. */
export function serviceRoleBoundaryName(env: string, service: string): string {
  return `kestrel-${env}-${service}-boundary`;
}

/**
 * The ARN of a service's role boundary, e.g.
 * `arn:aws:iam::111111111111:policy/kestrel-pipeline/kestrel-staging-customers-boundary`.
 * Bootstrap creates the policy; every role a service stack creates carries it,
 * and the service's deploy role may create or change a role only with it.
 *
 * @example
 * ```ts
 * serviceRoleBoundaryArn(environment('staging'), 'customers');
 * ```
 */
export function serviceRoleBoundaryArn(env: Pick<EnvironmentConfig, 'accountId' | 'name'>, service: string): string {
  return `arn:aws:iam::${env.accountId}:policy${PIPELINE_PATH}${serviceRoleBoundaryName(env.name, service)}`;
}

/**
 * Sets the service's permissions boundary on every IAM role of a stack that
 * doesn't name one, whichever construct created it (the stack's functions and
 * pipes, a service's own Firehose role). A role that names another boundary
 * fails the synth: the deploy role could not create it anyway.
 */
export class RoleBoundaryAspect implements IAspect {
  constructor(private readonly boundaryArn: string) {}

  visit(node: IConstruct): void {
    // From the stack node, before the guards (added later) read the resolved stack.
    if (!TerraformStack.isStack(node)) return;
    for (const child of node.node.findAll()) {
      if (!(child instanceof IamRole)) continue;
      const current = child.permissionsBoundaryInput;
      if (current === undefined) child.permissionsBoundary = this.boundaryArn;
      else if (current !== this.boundaryArn) {
        throw new Error(`${child.node.path}: permissions_boundary must be ${this.boundaryArn} (the service's boundary), not ${current}`);
      }
    }
  }
}

/**
 * Gives every role of the stack the service's permissions boundary. Call it
 * before any other aspect that reads roles (the guards).
 *
 * @example
 * ```ts
 * applyRoleBoundary(this, serviceRoleBoundaryArn(env, 'customers')); // in a KestrelStack constructor
 * ```
 */
export function applyRoleBoundary(stack: TerraformStack, boundaryArn: string): void {
  Aspects.of(stack).add(new RoleBoundaryAspect(boundaryArn));
}
