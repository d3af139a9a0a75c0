import type { Declarations } from './gate';
import type { ContractVersionId } from './schema-lock';

// The deploy-time half of "producers deploy first": a consumer may only be deployed once every
// contract version it names is emitted by a producer that is already deployed. Services deploy one
// at a time, so a consumer switching to v2 must wait for the producer that publishes v2.

/** What one other service has deployed: its manifest lock at the deployed commit, or nothing yet. */
export interface DeployedService {
  readonly service: string;
  /** The commit its last successful deploy ran from; undefined when it never deployed. */
  readonly commit?: string;
  /** The manifest lock at that commit; undefined when the commit has none (deployed before the lock existed). */
  readonly lock?: Declarations;
}

const same = (a: ContractVersionId, b: ContractVersionId) => a.source === b.source && a.detailType === b.detailType && a.version === b.version;
const show = (id: ContractVersionId) => `${id.source} ${id.detailType} v${id.version}`;

/**
 * The contract versions `service` consumes (in `head`, what is about to be deployed) that no deployed
 * producer emits, each as one line; empty when the deploy may go ahead. The service itself counts as
 * deployed with `head` (it publishes and consumes in the same deploy). A deployed commit without a
 * manifest lock is read as publishing what `head` says it publishes (stated in `notes`).
 *
 * @example
 * ```ts
 * unbackedConsumption('customers', head, [{ service: 'identity', commit: 'abc123', lock: identityLock }]);
 * // ['customers (user-registered) consumes kestrel.identity UserRegistered v2, which no deployed producer emits (identity deployed abc123 emits v1)']
 * ```
 */
export function unbackedConsumption(service: string, head: Declarations, deployed: readonly DeployedService[]): { problems: string[]; notes: string[] } {
  const notes: string[] = [];
  const emitted: { service: string; event: ContractVersionId; commit: string }[] = head.publishers
    .filter((p) => p.service === service)
    .map((p) => ({ ...p, commit: 'this deploy' }));
  for (const other of deployed) {
    if (other.service === service || other.commit === undefined) continue;
    let lock = other.lock;
    if (!lock) {
      notes.push(`${other.service} deployed ${other.commit}, which has no manifest lock: read as publishing what this commit's manifests say.`);
      lock = head;
    }
    for (const p of lock.publishers) if (p.service === other.service) emitted.push({ ...p, commit: other.commit });
  }
  const problems: string[] = [];
  for (const consumer of head.consumers.filter((c) => c.service === service)) {
    for (const event of consumer.events) {
      if (emitted.some((e) => same(e.event, event))) continue;
      const siblings = emitted.filter((e) => e.event.source === event.source && e.event.detailType === event.detailType);
      const why = siblings.length > 0 ? ` (${siblings.map((e) => `${e.service} deployed ${e.commit} emits v${e.event.version}`).join('; ')})` : '';
      problems.push(`${consumer.service} (${consumer.subscription}) consumes ${show(event)}, which no deployed producer emits${why}; deploy the producer first`);
    }
  }
  const never = deployed.filter((d) => d.commit === undefined && d.service !== service).map((d) => d.service);
  if (never.length > 0) notes.push(`never deployed (no successful deploy run): ${never.join(', ')}.`);
  return { problems, notes };
}
