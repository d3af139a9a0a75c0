/**
 * Reading Terraform resource configuration as cdktn synthesizes it: nested
 * blocks appear as an object when there is one and as an array when there
 * are several, and optional attributes are simply absent.
 */

/** A block that may be a single object, a list of objects, or absent, as a list. */
export function blocks(value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null);
  if (typeof value === 'object') return [value as Record<string, unknown>];
  return [];
}

/** A string attribute; throws naming the resource address and attribute when it is required but missing. */
export function str(config: Record<string, unknown>, key: string, address: string): string;
export function str(config: Record<string, unknown>, key: string, address: string, optional: true): string | undefined;
export function str(config: Record<string, unknown>, key: string, address: string, optional?: true): string | undefined {
  const value = config[key];
  if (value === undefined || value === null) {
    if (optional) return undefined;
    throw new Error(`${address}: required attribute '${key}' is missing`);
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new Error(`${address}: attribute '${key}' must be a string, got ${JSON.stringify(value)}`);
  }
  return String(value);
}

/** Terraform booleans may arrive as strings after interpolation (`"true"`). */
export function bool(value: unknown, fallback = false): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return Boolean(value);
}

export function num(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}
