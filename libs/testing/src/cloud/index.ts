// Test-only helpers for cloud tests: real SDK v3 clients against one endpoint (the local cloud, or
// anything serving the same APIs). Kept apart from `@kestrel/testing` so that entry never loads the SDK.
export { busListener, type BusListener, type BusListenerOptions } from './bus-listener';
export { cloudClientConfig, type CloudTarget } from './config';
export { standInIdentity, type StandInIdentity, type StandInIdentityOptions, type StandInUser } from './identity';
export { allObjects, type BucketObject } from './objects';
