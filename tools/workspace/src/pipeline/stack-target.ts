import { environment, ENVIRONMENT_NAMES } from '@kestrel/infra-constructs/environments';
import { stateKey } from '@kestrel/infra-constructs/kestrel-stack';
import type { EnvironmentName } from '@kestrel/infra-constructs/environments';
import { pipelineRoleArn } from '@kestrel/bootstrap-infra';

/** Everything a workflow needs to plan or apply one stack in one environment. */
export interface StackTarget {
  project: string;
  env: EnvironmentName;
  roleArn: string;
  region: string;
  accountId: string;
  stateBucket: string;
  stateKey: string;
  /** Synthesized stack folder, relative to the workspace root. */
  stackDir: string;
}

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Derives the role, region, state location and stack folder of a project in
 * an environment from the same config the stacks are synthesized from, so the
 * workflows hold no account ids or ARNs of their own.
 *
 * @example
 * ```ts
 * stackTarget({ project: 'customers', projectRoot: 'apps/customers', env: 'staging', role: 'plan' }).roleArn;
 * // 'arn:aws:iam::111111111111:role/kestrel-pipeline/kestrel-staging-customers-plan'
 * ```
 */
export function stackTarget(input: { project: string; projectRoot: string; env: string; role: 'plan' | 'deploy' }): StackTarget {
  const problems = [
    ...(KEBAB.test(input.project) ? [] : [`project: "${input.project}" must be a kebab-case Nx project name`]),
    ...((ENVIRONMENT_NAMES as readonly string[]).includes(input.env) ? [] : [`env: "${input.env}" must be one of ${ENVIRONMENT_NAMES.join(', ')}`]),
    ...(input.role === 'plan' || input.role === 'deploy' ? [] : [`role: "${String(input.role)}" must be plan or deploy`]),
    ...(/^[a-z0-9._/-]+$/.test(input.projectRoot) && !input.projectRoot.includes('..') ? [] : [`project-root: "${input.projectRoot}" must be a folder inside the workspace`]),
  ];
  if (problems.length > 0) throw new Error(`Invalid stack target:\n  ${problems.join('\n  ')}`);
  const env = environment(input.env as EnvironmentName);
  return {
    project: input.project,
    env: env.name,
    roleArn: pipelineRoleArn(env, input.project, input.role),
    region: env.region,
    accountId: env.accountId,
    stateBucket: env.stateBucket,
    stateKey: stateKey(env.name, input.project),
    stackDir: `${input.projectRoot}/cdktf.out/stacks/${input.project}-${env.name}`,
  };
}

/** `key=value` lines for `$GITHUB_OUTPUT`. */
export function toGithubOutput(target: StackTarget): string {
  const fields: Record<string, string> = {
    'role-arn': target.roleArn,
    region: target.region,
    'account-id': target.accountId,
    'state-bucket': target.stateBucket,
    'state-key': target.stateKey,
    'stack-dir': target.stackDir,
  };
  return Object.entries(fields).map(([key, value]) => `${key}=${value}\n`).join('');
}
