// What-if for the bundle benchmark only: Lambda hands a function its credentials in environment
// variables, so the SDK's default provider chain (SSO, INI files, IMDS, STS…) is dead weight there.
// Aliasing the chain to the environment provider shows what it costs in every bundle.
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
