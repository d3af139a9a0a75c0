import type { Construct } from 'constructs';
import { ServiceStack } from '@kestrel/infra-constructs/service/service-stack';
import type { EnvironmentConfig } from '@kestrel/infra-constructs/environments';
import type { JwtSettings } from '@kestrel/infra-constructs/service/http-api';
import manifest from '../service';

export interface CustomersStackProps {
  env: EnvironmentConfig;
  /** `dist/bundles`, built by `nx run customers:bundle`. */
  bundlesDir: string;
  /** JWT issuer and audience; default: the identity context's SSM parameters. */
  jwt?: JwtSettings;
}

/**
 * customers-<env>: everything derived from `service.ts` by `ServiceStack` — the customers table
 * (on demand, PITR, SSE with the service key, TTL, stream), one function and role per route
 * (query roles read-only, command roles write this table only), the HTTP API with the identity
 * user pool's JWT authorizer, the user-registered rule with its retry policy and DLQ, and the
 * outbox pipe from the table's stream to the platform bus. Nothing is added by hand: the manifest
 * is the whole story.
 */
export class CustomersStack extends ServiceStack {
  constructor(scope: Construct, { env, bundlesDir, jwt }: CustomersStackProps) {
    super(scope, { manifest, env, bundlesDir, ...(jwt === undefined ? {} : { jwt }) });
  }
}
