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
