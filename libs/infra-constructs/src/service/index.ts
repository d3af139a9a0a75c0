export { ServiceStack } from './service-stack';
export type { ServiceStackProps } from './service-stack';
export { ServiceKey } from './service-key';
export { ServiceTables, indexDefinition, streamViewType, tableEnvironmentVariable } from './tables';
export {
  ServiceFunction,
  ServiceFunctions,
  FUNCTION_DEFAULTS,
  LAMBDA_RUNTIME,
  ASYNC_RETRY_ATTEMPTS,
  TABLE_READ_ACTIONS,
  TABLE_WRITE_ACTIONS,
  isEventBridgeInvoked,
  deliveryStreamArn,
} from './functions';
export type { FunctionDefaults } from './functions';
export { BUNDLE_ENTRY, MissingBundleError, bundleFolders } from './bundles';
export { ServiceHttpApi, ACCESS_LOG_FORMAT, STAGE_THROTTLING, httpRoutes, routeSourceArn } from './http-api';
export type { JwtSettings } from './http-api';
export { FunctionRule } from './function-rule';
export type { RetryPolicy } from './function-rule';
export { Subscriptions } from './subscriptions';
export { QueuedSubscription, QUEUE_CONSUMER_ACTIONS, SUBSCRIPTION_QUEUE_RETENTION_SECONDS, defaultVisibilityTimeoutSeconds } from './queued-subscription';
export type { QueuedSubscriptionProps } from './queued-subscription';
export { Schedules, SCHEDULE_RETRY, scheduleTriggers } from './schedules';
export { StreamTriggers, STREAM_RETRY_ATTEMPTS, STREAM_DEFAULT_BATCH_SIZE, streamReadStatements } from './stream-triggers';
export { CognitoTriggers, USER_POOL_LAMBDA_CONFIG_KEYS } from './cognito-triggers';
export type { UserPoolLambdaConfig } from './cognito-triggers';
export { OutboxPipe, OutboxPipes, OUTBOX_ITEM, OUTBOX_TARGET, OUTBOX_RETRY_ATTEMPTS, OUTBOX_BATCH_SIZE, outboxFilterPattern, outboxTables } from './outbox';
export { DatadogInstrumentation, DATADOG_LAYER_ACCOUNT, UNVERSIONED, datadogLayerArns, deploymentVersion } from './datadog';
export type { DatadogInstrumentationProps } from './datadog';
export { DeadLetterQueue, DEAD_LETTER_RETENTION_SECONDS } from './dead-letter-queue';
export { PolicyBuilder, assumeRolePolicy } from './iam';
export type { PolicyDocument, PolicyStatement, ResourcePolicyStatement } from './iam';
export {
  StackGuard,
  GuardViolationError,
  OnFailureDestinationGuard,
  RuleTargetGuard,
  EncryptionGuard,
  PutEventsSourceConditionGuard,
  WildcardDataResourceGuard,
  RoleBoundaryGuard,
  DATA_SERVICES,
  kestrelGuards,
  applyKestrelGuards,
  synthesizedResources,
} from './guards';
export type { GuardViolation, SynthesizedResource } from './guards';
