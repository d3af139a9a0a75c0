/** PagerDuty Events API v2 endpoint. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface DeployFailure {
  project: string;
  env: string;
  /** Link to the failed workflow run. */
  runUrl: string;
  /** Commit being deployed. */
  commit: string;
  /** Groups retries of the same run into one incident. */
  runId: string;
}

/**
 * The Events API v2 `trigger` for a failed deploy. The dedup key is per project,
 * environment and run, so re-running a failed job does not page twice.
 *
 * @example
 * ```ts
 * pagerDutyTrigger('R0UT1NGKEY', { project: 'customers', env: 'production', runUrl, commit, runId: '42' });
 * ```
 */
export function pagerDutyTrigger(routingKey: string, failure: DeployFailure) {
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: `deploy-${failure.project}-${failure.env}-${failure.runId}`,
    payload: {
      summary: `Deploy of ${failure.project} to ${failure.env} failed (${failure.commit.slice(0, 12)})`,
      source: 'github-actions',
      severity: 'critical',
      component: failure.project,
      group: failure.env,
      class: 'deploy',
      custom_details: { commit: failure.commit, run: failure.runUrl },
    },
    links: [{ href: failure.runUrl, text: 'Workflow run' }],
  };
}

/**
 * Sends the trigger; fails with PagerDuty's answer when it is not accepted
 * (202), so a page that did not go out fails the step visibly.
 */
export async function pageDeployFailure(
  routingKey: string | undefined,
  failure: DeployFailure,
  { url = PAGERDUTY_EVENTS_URL, fetchImpl = fetch }: { url?: string; fetchImpl?: typeof fetch } = {},
): Promise<{ dedupKey: string }> {
  if (!routingKey) {
    throw new Error('PAGERDUTY_ROUTING_KEY is not set: add it as a secret of the GitHub environment (docs/delivery.md#paging)');
  }
  const body = pagerDutyTrigger(routingKey, failure);
  const response = await fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`PagerDuty refused the page (${response.status}): ${text}`);
  return { dedupKey: body.dedup_key };
}
