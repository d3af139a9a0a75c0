/**
 * What the console's functions, services and data areas read: the running
 * modules (found by name) and SDK clients that call the local cloud through
 * its edge endpoint, as a developer's own script would.
 */
import { resolve } from 'node:path';
import type { ConsoleDeps } from '../routes';
import { ConsoleError } from '../routes';

/** The repository root (apps/*, the lake tool): the local cloud runs from its source tree. */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..', '..', '..');

/**
 * Client settings for the SDK against the edge: the developer's own credentials, which the local
 * cloud's IAM treats as the administrator (the console shows everything, as an operator would).
 */
export function clientConfig(deps: ConsoleDeps) {
  return {
    endpoint: deps.context.endpoint,
    region: deps.context.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}

/** A query parameter as a whole number within bounds, or a 400 naming the field. */
export function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConsoleError(400, `Query parameter '${name}' must be a whole number from ${min} to ${max}`, { field: name, value: text });
  }
  return value;
}

/** A body as the console shows it: parsed when it is JSON, else its text (empty: null). */
export function jsonOrText(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
