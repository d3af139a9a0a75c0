export { pipelineRoleArn, pipelineRoleName, PIPELINE_ROLE_PATH, planPolicy, deployPolicy, serviceRoleBoundary, ownedResourceArns } from './access';
export type { PolicyDocument, PolicyStatement, ServiceAccessContext } from './access';
export { githubEnvironment, githubRepository, GITHUB_OIDC, planRoleSubject } from './bootstrap.config';
export { BootstrapStack, BOOTSTRAP_STATE_KEY, LOCAL_STATE_PATH } from './bootstrap.stack';
export type { BootstrapBackend, BootstrapStackProps } from './bootstrap.stack';
export { discoverServices, PLATFORM_SERVICE } from './services';
export type { DeployableService } from './services';
