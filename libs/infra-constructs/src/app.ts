import { App } from 'cdktn';
import type { AppConfig } from 'cdktn';

/**
 * The Terraform-compatible runtimes our synthesized JSON must work with, as
 * npm semver ranges. cdktn validates features against these at synth time:
 * S3 native state locking (`use_lockfile`) needs Terraform/OpenTofu >= 1.10,
 * and without a declaration cdktn assumes Terraform >= 1.5.7 / OpenTofu >= 1.6.0
 * and fails the synth. The `targetVersions` field of each stack's cdktf.json
 * must hold the same value (the CLI passes that one as context).
 */
export const TERRAFORM_TARGET_VERSIONS = Object.freeze({
  terraform: '>=1.10.0',
  opentofu: '>=1.10.0',
});

/** cdktn's context key for the declared targets (read by its validations). */
export const TARGET_VERSIONS_CONTEXT_KEY = 'targetVersions';

/**
 * cdktn's "future" feature flags, which `cdktn init` writes into new projects:
 * fail synth when a construct sits outside a stack, and hash Lambda/module
 * assets canonically (set now so asset hashes do not change once we have them).
 */
export const FEATURE_FLAGS = Object.freeze({
  failOnConstructsOutsideOfStacks: 'true',
  canonicalAssetHashes: 'true',
});

/**
 * A cdktn App that declares {@link TERRAFORM_TARGET_VERSIONS} and {@link FEATURE_FLAGS}. Use it in every
 * stack's `main.ts` and in tests, so synth validations run against the same
 * targets whether the app runs under the CLI, `tsx main.ts` or vitest.
 * Context from the CLI (`CDKTF_CONTEXT_JSON`) still takes precedence.
 *
 * @example
 * ```ts
 * const app = createKestrelApp();
 * new PlatformStack(app, { env: environment('staging') });
 * app.synth();
 * ```
 */
export function createKestrelApp(config: AppConfig = {}): App {
  return new App({
    ...config,
    context: { ...FEATURE_FLAGS, [TARGET_VERSIONS_CONTEXT_KEY]: TERRAFORM_TARGET_VERSIONS, ...config.context },
  });
}
