import type { ConsumerDeclaration, Declarations, PublisherDeclaration } from './gate';
import type { ContractVersionId } from './schema-lock';

// The manifest lock: what every service's manifest consumes and publishes, committed next to the
// schema lock (libs/contracts/manifests.lock.json) and rewritten by `contracts:export-schemas`.
// The gate reads it at the base ref to know the consumers as deployed, without importing the
// base's manifests (they import code that the change under review may have deleted).

/** Lock file path relative to the contracts library. */
export const MANIFEST_LOCK_FILE = 'manifests.lock.json';

const byId = (a: ContractVersionId, b: ContractVersionId) =>
  `${a.source} ${a.detailType} ${String(a.version).padStart(6, '0')}`.localeCompare(`${b.source} ${b.detailType} ${String(b.version).padStart(6, '0')}`);

function normaliseConsumer(c: ConsumerDeclaration): ConsumerDeclaration {
  return {
    service: c.service,
    subscription: c.subscription,
    events: c.events.map(({ source, detailType, version }) => ({ source, detailType, version })).sort(byId),
    ...(c.pattern === undefined ? {} : { pattern: c.pattern }),
    ...(c.reads === undefined ? {} : { reads: [...c.reads].sort() }),
  };
}

/** The exact committed text: sorted, two-space indent, final newline. */
export function serialiseManifestLock(declarations: Declarations): string {
  const consumers = declarations.consumers.map(normaliseConsumer).sort((a, b) => `${a.service} ${a.subscription}`.localeCompare(`${b.service} ${b.subscription}`));
  const publishers: PublisherDeclaration[] = declarations.publishers
    .map(({ service, event: { source, detailType, version } }) => ({ service, event: { source, detailType, version } }))
    .sort((a, b) => a.service.localeCompare(b.service) || byId(a.event, b.event));
  return `${JSON.stringify({ consumers, publishers }, null, 2)}\n`;
}

/**
 * Reads a manifest lock back, refusing anything that is not one (named by `where`).
 *
 * @throws Error naming the file and the field at fault.
 */
export function parseManifestLock(text: string, where: string): Declarations {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const lock = parsed as { consumers?: unknown; publishers?: unknown };
  if (!Array.isArray(lock?.consumers)) throw new Error(`${where}: consumers must be an array`);
  if (!Array.isArray(lock.publishers)) throw new Error(`${where}: publishers must be an array`);
  return { consumers: lock.consumers as ConsumerDeclaration[], publishers: lock.publishers as PublisherDeclaration[] };
}
