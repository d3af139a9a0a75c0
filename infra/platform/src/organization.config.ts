import type { EnvironmentName } from '@kestrel/infra-constructs';

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

/**
 * Accounts of the organization, other than the environment's own, that may
 * publish on its bus, each only under the sources it owns. None today: every
 * Kestrel service publishes from the environment's account, through its IAM
 * role (restricted by `events:source`). A partner account gets an entry here
 * with its own `<org>.<context>` sources, never a `kestrel.*` one.
 */
export interface ExternalPublisher {
  account: string;
  sources: string[];
}

export const externalPublishers: Record<EnvironmentName, ExternalPublisher[]> = {
  staging: [],
  production: [],
};

/** Every Kestrel service publishes `kestrel.<context>` from the environment's own account. */
export const OWN_SOURCE_PREFIX = 'kestrel.';

/**
 * The publishers, validated: 12-digit accounts, not the environment's own,
 * at least one source each, none under {@link OWN_SOURCE_PREFIX}, no source
 * owned by two accounts.
 */
export function validExternalPublishers(env: EnvironmentName, ownAccount: string, publishers: Record<string, ExternalPublisher[]> = externalPublishers): ExternalPublisher[] {
  const list = publishers[env] ?? [];
  const owners = new Map<string, string>();
  const problems = list.flatMap(({ account, sources }, index) => [
    ...(/^\d{12}$/.test(account) ? [] : [`[${index}].account: "${account}" is not a 12-digit account id`]),
    ...(account === ownAccount ? [`[${index}].account: the environment's own account publishes through IAM, not the bus policy`] : []),
    ...(sources.length === 0 ? [`[${index}].sources: at least one source`] : []),
    ...sources.flatMap((source) => {
      const owner = owners.get(source);
      owners.set(source, account);
      return [
        ...(source.startsWith(OWN_SOURCE_PREFIX) ? [`[${index}].sources: "${source}" belongs to a Kestrel service of this account`] : []),
        ...(owner !== undefined && owner !== account ? [`[${index}].sources: "${source}" is already owned by ${owner}`] : []),
      ];
    }),
  ]);
  if (problems.length > 0) throw new Error(`Invalid external publishers for ${env}:\n  ${problems.join('\n  ')}`);
  return list;
}
