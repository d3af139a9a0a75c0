/**
 * @kestrel/local-cloud — the platform offline behind one AWS-compatible endpoint.
 *
 * @example
 * import { startLocalCloud } from '@kestrel/local-cloud';
 * const cloud = await startLocalCloud({ inMemory: true });
 * await cloud.applyStacks(['infra/platform/cdktf.out/stacks/platform-staging']);
 * // SDK clients: new DynamoDBClient({ endpoint: cloud.endpoint }) …
 * await cloud.stop();
 */
export { startLocalCloud, DEFAULT_MODULES, summarizeStacks } from './cloud';
export type { LocalCloud, LocalCloudOptions, Readiness, StackProgress, StackStatus } from './cloud';
export * from './core/types';
export { parseJsonBody, jsonResponse, renderError, detectProtocol } from './core/protocol';
export type { AwsProtocol } from './core/protocol';
export { forward } from './core/forward';
export { startEdgeServer } from './edge/server';
export type { EdgeServer, EdgeServerOptions } from './edge/server';
export { resolveRoute, TARGET_PREFIXES } from './edge/routing';
export { TerraformEngine, StackApplyError, loadStack } from './terraform/engine';
export type { ApplyReport, StackState, ResourceState, ResourceStatus } from './terraform/engine';
export { discoverStacks, discoverWorkspaceStacks, findSynthProjects } from './terraform/discovery';
export { NO_LOCAL_EFFECT } from './terraform/no-local-effect';
export { SupervisedProcess, findFreePort, answersHttp } from './processes/supervisor';
export { descendants, processes } from './processes/process-tree';
export type { ProcessInfo } from './processes/process-tree';
export { Shutdown, STOP_SIGNALS } from './processes/shutdown';
export { createSsmModule } from './services/ssm';
export { createDynamoDbModule, dynamoDbModuleFactory } from './services/dynamodb';
export { createS3Module } from './services/s3';
export { createCognitoModule } from './services/cognito';
export { startWatchMode } from './watch';
export type { WatchMode, WatchModeOptions, WatchOutcome } from './watch';
export { createLocalUser, curlLines, exportLines, readLocalState } from './dev/local-user';
export type { LocalState, LocalUser, LocalUserOptions } from './dev/local-user';
export { seedCatalog, seedCatalogOnce } from './dev/seed';
export type { CodeDelivery } from './services/cognito/code-deliveries';
export { createSesModule } from './services/ses';
export type { SentEmail } from './services/ses';
export { createStsModule } from './services/sts';
export { LocalIam, iamModeFrom } from './iam/authorizer';
export type { DenialRecord, IamMode } from './iam/authorizer';
