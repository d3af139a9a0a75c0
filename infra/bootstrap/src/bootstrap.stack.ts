import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktn';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { IamOpenidConnectProvider } from '@cdktn/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktn/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { defaultTags, serviceRoleBoundaryName, stateKey } from '@kestrel/infra-constructs';
import type { EnvironmentConfig } from '@kestrel/infra-constructs';
import { deployPolicy, PIPELINE_ROLE_PATH, pipelineRoleName, planPolicy, serviceRoleBoundary } from './access';
import { GITHUB_OIDC, githubEnvironment, githubRepository, planRoleSubject } from './bootstrap.config';
import type { DeployableService } from './services';
import { StateBucket } from './state-bucket';

/**
 * Where the bootstrap stack keeps its own state. It creates the state bucket,
 * so its first apply cannot use it: `local` (`infra/bootstrap/.state/`, kept
 * by the operator) until the bucket exists, then `s3` under
 * `<env>/bootstrap/terraform.tfstate` after `terraform init -migrate-state`.
 */
export type BootstrapBackend = 'local' | 's3';

export interface BootstrapStackProps {
  env: EnvironmentConfig;
  /** Every stack the pipeline plans and deploys (`discoverServices()`). */
  services: readonly DeployableService[];
  backend?: BootstrapBackend;
  repository?: { owner: string; repository: string };
}

/** The bootstrap stack's first state file, relative to its synthesized stack folder. */
export const LOCAL_STATE_PATH = (env: string) => `../../../.state/bootstrap-${env}.tfstate`;

/** The bootstrap stack's own state key once it lives in the bucket. */
export const BOOTSTRAP_STATE_KEY = (env: string) => stateKey(env, 'bootstrap');

/**
 * bootstrap-<env>: what must exist in an account before any pipeline can
 * run, applied once per account with administrator credentials: the state
 * bucket, GitHub's OIDC provider, and per service a read-only plan role
 * (trusted for pull requests) and a deploy role (trusted only for the
 * service's GitHub environment), each limited to its own state key and its
 * own resources, and the permissions boundary every role of the service
 * must carry.
 *
 * @example
 * ```ts
 * const app = createKestrelApp();
 * new BootstrapStack(app, { env: environment('staging'), services: await discoverServices(repoRoot) });
 * app.synth();
 * ```
 */
export class BootstrapStack extends TerraformStack {
  readonly state: StateBucket;
  readonly oidc: IamOpenidConnectProvider;
  readonly planRoles = new Map<string, IamRole>();
  readonly deployRoles = new Map<string, IamRole>();
  readonly roleBoundaries = new Map<string, IamPolicy>();

  constructor(scope: Construct, { env, services, backend = 'local', repository = githubRepository }: BootstrapStackProps) {
    super(scope, `bootstrap-${env.name}`);
    assertServices(services);

    new AwsProvider(this, 'aws', {
      region: env.region,
      allowedAccountIds: [env.accountId],
      defaultTags: [{ tags: defaultTags({ env, service: 'bootstrap', owner: 'team-platform' }) }],
    });
    if (backend === 's3') {
      new S3Backend(this, { bucket: env.stateBucket, key: BOOTSTRAP_STATE_KEY(env.name), region: env.region, encrypt: true, useLockfile: true });
    } else {
      // Relative to cdktf.out/stacks/bootstrap-<env>/, which synth rewrites: keep the
      // state outside it, in infra/bootstrap/.state/ (git-ignored).
      new LocalBackend(this, { path: LOCAL_STATE_PATH(env.name) });
    }

    this.state = new StateBucket(this, 'state', { env });
    this.oidc = new IamOpenidConnectProvider(this, 'github-oidc', {
      url: `https://${GITHUB_OIDC.host}`,
      clientIdList: [GITHUB_OIDC.audience],
      // No thumbprint_list: AWS verifies GitHub's certificate against its own CA store.
    });

    const repo = `repo:${repository.owner}/${repository.repository}`;
    for (const service of services) {
      const ctx = { env, service: service.name, stateKeyArn: this.state.key.arn };
      const tags = { service: service.name, owner: service.owner };
      const plan = new IamRole(this, `${service.name}-plan`, {
        name: pipelineRoleName(env.name, service.name, 'plan'),
        path: PIPELINE_ROLE_PATH,
        description: `terraform plan of ${service.name}-${env.name} (read-only), trusted for ${planRoleSubject(env.name)}`,
        maxSessionDuration: 3600,
        assumeRolePolicy: this.trust(`${repo}:${planRoleSubject(env.name)}`),
        tags,
      });
      new IamRolePolicy(this, `${service.name}-plan-policy`, { role: plan.id, name: 'plan', policy: JSON.stringify(planPolicy(ctx)) });
      const deploy = new IamRole(this, `${service.name}-deploy`, {
        name: pipelineRoleName(env.name, service.name, 'deploy'),
        path: PIPELINE_ROLE_PATH,
        description: `terraform apply of ${service.name}-${env.name}, only from the GitHub environment ${githubEnvironment(service.name, env.name)}`,
        maxSessionDuration: 3600,
        assumeRolePolicy: this.trust(`${repo}:environment:${githubEnvironment(service.name, env.name)}`),
        tags,
      });
      new IamRolePolicy(this, `${service.name}-deploy-policy`, { role: deploy.id, name: 'deploy', policy: JSON.stringify(deployPolicy(ctx)) });
      // Under the pipeline path, so no deploy role can edit or replace it.
      const boundary = new IamPolicy(this, `${service.name}-role-boundary`, {
        name: serviceRoleBoundaryName(env.name, service.name),
        path: PIPELINE_ROLE_PATH,
        description: `The most any role of ${service.name}-${env.name} may do; its deploy role creates and changes roles only with it`,
        policy: JSON.stringify(serviceRoleBoundary(ctx)),
        tags,
      });
      this.roleBoundaries.set(service.name, boundary);
      this.planRoles.set(service.name, plan);
      this.deployRoles.set(service.name, deploy);
    }

    new TerraformOutput(this, 'state-bucket', { value: this.state.bucket.bucket, description: 'Terraform state bucket of this account' });
    new TerraformOutput(this, 'oidc-provider-arn', { value: this.oidc.arn, description: 'GitHub Actions OIDC provider' });
  }

  /** Web-identity trust for GitHub tokens of exactly this subject, for the STS audience. */
  private trust(subject: string): string {
    return JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: this.oidc.arn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: { [`${GITHUB_OIDC.host}:aud`]: GITHUB_OIDC.audience, [`${GITHUB_OIDC.host}:sub`]: subject },
          },
        },
      ],
    });
  }
}

function assertServices(services: readonly DeployableService[]): void {
  const names = services.map((service) => service.name);
  const duplicates = names.filter((name, index) => names.indexOf(name) !== index);
  const problems = [
    ...(services.length === 0 ? ['services: at least one service is needed'] : []),
    ...duplicates.map((name) => `services: "${name}" appears more than once`),
    ...names.filter((name) => name === 'bootstrap').map(() => 'services: "bootstrap" is this stack, not a service'),
  ];
  if (problems.length > 0) throw new Error(`Invalid BootstrapStack props:\n  ${problems.join('\n  ')}`);
}
