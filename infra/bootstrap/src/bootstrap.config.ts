/**
 * Where the pipeline runs: the GitHub repository whose workflows may assume
 * the roles this stack creates. OIDC tokens name it in their `sub` claim
 * (`repo:<owner>/<repository>:…`), so a fork or another repository of the
 * same organisation gets nothing.
 */
export const githubRepository = {
  owner: 'kestrel',
  repository: 'kestrel-platform',
} as const;

/** GitHub's OIDC issuer for Actions, and the audience configure-aws-credentials requests. */
export const GITHUB_OIDC = {
  host: 'token.actions.githubusercontent.com',
  audience: 'sts.amazonaws.com',
} as const;

/**
 * The GitHub environment a deploy of one service to one AWS environment runs
 * in, e.g. `customers-production`. Each has its own protection rules (required
 * reviewers on production), and the service's deploy role trusts only tokens
 * issued for that environment.
 *
 * @example
 * ```ts
 * githubEnvironment('customers', 'production'); // 'customers-production'
 * ```
 */
export function githubEnvironment(service: string, env: string): string {
  return `${service}-${env}`;
}

/**
 * Which GitHub runs may assume an environment's plan role (the OIDC `sub`
 * suffix after `repo:<owner>/<repository>:`). Pull-request code plans staging
 * only; production is planned from main (the deploy workflow, before the
 * production approval), so no pull request has a path to production state.
 *
 * @example
 * ```ts
 * planRoleSubject('production'); // 'ref:refs/heads/main'
 * ```
 */
export function planRoleSubject(env: string): string {
  return env === 'production' ? 'ref:refs/heads/main' : 'pull_request';
}
