import { PagerDutyEventsClient } from '@kestrel/observability';
import type { TriggerInput } from '@kestrel/observability';

export interface DeployFailure {
  project: string;
  env: string;
  /** Link to the failed workflow run. */
  runUrl: string;
  /** Commit being deployed. */
  commit: string;
}

export interface PagingOptions {
  /** Events API endpoint (tests point it at a local server). */
  url?: string;
  backoffMs?: number;
}

/**
 * One incident per project and environment: repeated failures add to it, the
 * next successful deploy resolves it.
 *
 * @example
 * ```ts
 * deployIncidentKey('customers', 'production'); // 'deploy/customers/production'
 * ```
 */
export function deployIncidentKey(project: string, env: string): string {
  return `deploy/${project}/${env}`;
}

/** The trigger sent for a failed deploy (through @kestrel/observability's Events API v2 client). */
export function deployFailureTrigger(failure: DeployFailure): TriggerInput {
  return {
    dedupKey: deployIncidentKey(failure.project, failure.env),
    summary: `Deploy of ${failure.project} to ${failure.env} failed (${failure.commit.slice(0, 12)})`,
    source: 'github-actions',
    severity: 'critical',
    component: failure.project,
    group: failure.env,
    class: 'deploy',
    customDetails: { commit: failure.commit, run: failure.runUrl },
    links: [{ href: failure.runUrl, text: 'Workflow run' }],
  };
}

function client(routingKey: string | undefined, options: PagingOptions): PagerDutyEventsClient {
  if (!routingKey) {
    throw new Error('PAGERDUTY_ROUTING_KEY is not set: add it as a secret of the GitHub environment (docs/delivery.md#paging)');
  }
  return new PagerDutyEventsClient({ routingKey, url: options.url, backoffMs: options.backoffMs });
}

/**
 * Pages on-call for a failed deploy; throws (failing the step visibly) when
 * the key is missing or PagerDuty refuses the event.
 *
 * @example
 * ```ts
 * await pageDeployFailure(process.env.PAGERDUTY_ROUTING_KEY, { project: 'customers', env: 'production', runUrl, commit });
 * ```
 */
export async function pageDeployFailure(routingKey: string | undefined, failure: DeployFailure, options: PagingOptions = {}): Promise<{ dedupKey: string }> {
  const dedupKey = await client(routingKey, options).trigger(deployFailureTrigger(failure));
  return { dedupKey };
}

/**
 * Resolves the project's deploy incident after a successful deploy (a no-op
 * in PagerDuty when none is open). Without a routing key there is nothing to
 * resolve, and it says so instead of failing the deploy.
 */
export async function resolveDeployIncident(routingKey: string | undefined, project: string, env: string, options: PagingOptions = {}): Promise<string> {
  if (!routingKey) return 'PAGERDUTY_ROUTING_KEY is not set: nothing to resolve';
  const dedupKey = await client(routingKey, options).resolve(deployIncidentKey(project, env));
  return `resolved ${dedupKey}`;
}
