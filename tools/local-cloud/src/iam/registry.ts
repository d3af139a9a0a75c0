/**
 * The IAM model of the applied stacks: roles with their trust policies, inline
 * policies (`inline_policy` blocks and `aws_iam_role_policy`), customer managed
 * policies and their attachments, permissions boundaries. Every policy is
 * compiled once, when its resource is applied; a malformed one fails the apply.
 */
import { compilePolicy } from '@kestrel/iam';
import type { CompiledPolicy } from '@kestrel/iam';

export interface LocalRole {
  name: string;
  arn: string;
  trust: CompiledPolicy;
  /** Inline policies declared on the role itself (`inline_policy` blocks). */
  inline: CompiledPolicy[];
  /** Managed policy ARNs from the role's own `managed_policy_arns`. */
  managedPolicyArns: string[];
  permissionsBoundaryArn?: string;
  /** The role's tags: `aws:PrincipalTag/<key>` of its sessions. */
  tags: Record<string, string>;
}

export interface RolePolicies {
  identity: CompiledPolicy[];
  boundary?: CompiledPolicy;
  /** Managed policies named by the role that the local cloud does not know (AWS managed ones): they grant nothing here. */
  unknownManagedPolicies: string[];
  /**
   * The role's permissions boundary when no applied policy has that ARN (the service boundaries only bootstrap
   * creates, and bootstrap is never applied locally): no boundary is evaluated for the role.
   */
  unknownBoundary?: string;
}

export class IamRegistry {
  private readonly roles = new Map<string, { address: string; role: LocalRole }>();
  /** `aws_iam_role_policy` by address: role name → policy. */
  private readonly rolePolicies = new Map<string, { roleName: string; policy: CompiledPolicy }>();
  private readonly managedPolicies = new Map<string, { arn: string; policy: CompiledPolicy }>();
  private readonly attachments = new Map<string, { roleName: string; policyArn: string }>();

  constructor(readonly accountId: string) {}

  roleArn(name: string, path = '/'): string {
    return `arn:aws:iam::${this.accountId}:role${path}${name}`;
  }

  putRole(address: string, role: LocalRole): void {
    this.roles.set(role.name, { address, role });
  }

  removeRole(address: string): void {
    for (const [name, entry] of this.roles) if (entry.address === address) this.roles.delete(name);
  }

  putRolePolicy(address: string, roleName: string, policy: CompiledPolicy): void {
    this.rolePolicies.set(address, { roleName, policy });
  }

  putManagedPolicy(address: string, arn: string, policy: CompiledPolicy): void {
    this.managedPolicies.set(address, { arn, policy });
  }

  attach(address: string, roleName: string, policyArn: string): void {
    this.attachments.set(address, { roleName, policyArn });
  }

  /** Forgets whatever the resource at `address` contributed. */
  remove(address: string): void {
    this.removeRole(address);
    this.rolePolicies.delete(address);
    this.managedPolicies.delete(address);
    this.attachments.delete(address);
  }

  /** By name or ARN. */
  role(nameOrArn: string): LocalRole | undefined {
    const name = nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
    return this.roles.get(name)?.role;
  }

  allRoles(): LocalRole[] {
    return [...this.roles.values()].map((entry) => entry.role);
  }

  private managedPolicy(arn: string): CompiledPolicy | undefined {
    for (const entry of this.managedPolicies.values()) if (entry.arn === arn) return entry.policy;
    return undefined;
  }

  /** Everything that decides what a session of the role may do. */
  policiesOf(role: LocalRole): RolePolicies {
    const managedArns = [
      ...role.managedPolicyArns,
      ...[...this.attachments.values()].filter((attachment) => attachment.roleName === role.name).map((attachment) => attachment.policyArn),
    ];
    const identity = [...role.inline, ...[...this.rolePolicies.values()].filter((entry) => entry.roleName === role.name).map((entry) => entry.policy)];
    const unknownManagedPolicies: string[] = [];
    for (const arn of managedArns) {
      const policy = this.managedPolicy(arn);
      if (policy) identity.push(policy);
      else unknownManagedPolicies.push(arn);
    }
    const boundary = role.permissionsBoundaryArn ? this.managedPolicy(role.permissionsBoundaryArn) : undefined;
    const unknownBoundary = role.permissionsBoundaryArn && !boundary ? role.permissionsBoundaryArn : undefined;
    return { identity, ...(boundary ? { boundary } : {}), unknownManagedPolicies, ...(unknownBoundary ? { unknownBoundary } : {}) };
  }
}

/** Compiles a policy of a Terraform resource, naming the resource in errors. */
export function compileResourcePolicy(source: unknown, address: string, attribute: string, kind: 'identity' | 'resource'): CompiledPolicy {
  return compilePolicy(source, `${address} (${attribute})`, kind);
}
