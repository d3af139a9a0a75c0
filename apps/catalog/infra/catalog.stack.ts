import type { Construct } from 'constructs';
import { ServiceStack } from '@kestrel/infra-constructs/service/service-stack';
import type { EnvironmentConfig } from '@kestrel/infra-constructs/environments';
import manifest from '../service';

export interface CatalogStackProps {
  env: EnvironmentConfig;
  /** `dist/bundles`, built by `nx run catalog:bundle`. */
  bundlesDir: string;
}

/**
 * catalog-<env>: everything derived from `service.ts` by `ServiceStack` — the KMS key, the
 * catalog table (PITR, KMS, stream, TTL, GSI1/GSI2), one function and role per route with the
 * JWT-authorised HTTP API, the product-retired rule with its retry policy and DLQ, and the
 * outbox pipe from the table's stream to the platform bus. The catalog needs nothing beyond the
 * manifest, so nothing is added here.
 */
export class CatalogStack extends ServiceStack {
  constructor(scope: Construct, { env, bundlesDir }: CatalogStackProps) {
    super(scope, { manifest, env, bundlesDir });
  }
}
