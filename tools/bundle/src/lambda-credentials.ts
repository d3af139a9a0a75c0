// Stands in for `@aws-sdk/credential-provider-node` inside function bundles (see BUNDLE_OPTIONS.alias).
// Lambda hands every function its role's credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
// AWS_SESSION_TOKEN (so does the local cloud), and the default chain tries the environment first, so
// the rest of the chain (SSO, INI files, credential_process, web identity, container and instance
// metadata, with the STS/SSO clients they bring) never runs there. Bundling only the environment
// step saves ~130 KB and ~15 ms of cold load per function.
import { fromEnv } from '@aws-sdk/credential-provider-env';

type EnvInit = Parameters<typeof fromEnv>[0];
type Credentials = Awaited<ReturnType<ReturnType<typeof fromEnv>>>;

/** Same name and shape as the SDK's default chain; resolves credentials from the environment only. */
export const defaultProvider = (init: EnvInit = {}) => fromEnv(init);

// The rest of the package's public surface, with the SDK's semantics.
export const credentialsWillNeedRefresh = (credentials?: Credentials): boolean => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials?: Credentials): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
