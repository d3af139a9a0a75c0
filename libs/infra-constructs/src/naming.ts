import type { EnvironmentName } from './environments';

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * 64 characters is the tightest limit among the resources we name (Lambda
 * function names, IAM role names, EventBridge rule names).
 */
export const DEFAULT_MAX_NAME_LENGTH = 64;

export interface ResourceNameParts {
  env: EnvironmentName;
  /** Owning service, e.g. `customers` or `platform`. */
  service: string;
  /** What the resource is within the service, e.g. `orders-table`. */
  thing: string;
  /** Upper bound for the full name; defaults to {@link DEFAULT_MAX_NAME_LENGTH}. */
  maxLength?: number;
}

/**
 * The physical name of a resource: `kestrel-<env>-<service>-<thing>`, so one
 * account can hold every environment's resources without collisions and a
 * name alone tells you who owns it.
 *
 * @example
 * ```ts
 * resourceName({ env: 'staging', service: 'customers', thing: 'table' });
 * // 'kestrel-staging-customers-table'
 * ```
 */
export function resourceName({ env, service, thing, maxLength = DEFAULT_MAX_NAME_LENGTH }: ResourceNameParts): string {
  const problems = Object.entries({ env, service, thing })
    .filter(([, value]) => !KEBAB.test(value))
    .map(([field, value]) => `${field}: "${value}" must be lower-case kebab-case (a-z, 0-9, single hyphens)`);
  if (problems.length > 0) {
    throw new Error(`Invalid resource name parts:\n  ${problems.join('\n  ')}`);
  }
  const name = `kestrel-${env}-${service}-${thing}`;
  if (name.length > maxLength) {
    throw new Error(`Resource name "${name}" is ${name.length} characters; the limit is ${maxLength}`);
  }
  return name;
}
