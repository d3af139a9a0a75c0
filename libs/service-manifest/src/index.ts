export {
  COGNITO_TRIGGERS,
  HTTP_METHODS,
  ManifestError,
  defineService,
  functionTriggers,
  subscriptionPattern,
} from './manifest';
export type {
  CognitoTrigger,
  EventPattern,
  EventRef,
  FunctionDeclaration,
  Publication,
  ServiceManifest,
  Subscription,
  TableAccess,
  TableDeclaration,
  Trigger,
} from './manifest';
