import type { EnvironmentName } from '@kestrel/infra-constructs/environments';

/**
 * The AWS Organization each environment's account belongs to. The bus policy
 * lets principals of this organization (and no one else) put events on the
 * bus. Placeholder until the organization exists, like the account ids in
 * `environments.config.ts` (where this value belongs once that schema grows an
 * `organizationId` field).
 */
export const organizationIds: Record<EnvironmentName, string> = {
  staging: 'o-kestrel0example',
  production: 'o-kestrel0example',
};

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/**
 * The organization id of an environment, validated (`o-` then 10-32 lower-case
 * letters or digits, as AWS Organizations issues them).
 *
 * @example
 * ```ts
 * organizationId('staging'); // 'o-kestrel0example'
 * ```
 */
export function organizationId(env: EnvironmentName, ids: Record<string, string> = organizationIds): string {
  const id = ids[env];
  if (id === undefined || !ORGANIZATION_ID.test(id)) {
    throw new Error(`Invalid organization id for ${env}: ${JSON.stringify(id)} must match ${ORGANIZATION_ID.source}`);
  }
  return id;
}
