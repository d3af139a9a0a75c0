import type { Ownership } from '@kestrel/observability';
import { MONITOR_KINDS, type MonitorKindId, type Priority } from './kinds';

/**
 * Only production pages, and only for kinds that mean user impact or data loss (SLO fast burn,
 * dead letters, a backlog or lake going stale); everything else goes to Slack. Priority still
 * orders alerts in Slack and Datadog, but no longer decides who is woken.
 */
export function pages(env: string, kind: MonitorKindId): boolean {
  return env === 'production' && MONITOR_KINDS[kind].pages;
}

/** Production keeps the kind's priority; other environments are one level lower (never above P3). */
export function priorityFor(kind: MonitorKindId, env: string): Priority {
  const base = MONITOR_KINDS[kind].priority;
  return env === 'production' ? base : (Math.min(5, Math.max(3, base + 1)) as Priority);
}

export interface AlertMessageInput {
  kind: MonitorKindId;
  env: string;
  service: string;
  /** The watched resource, as on-call will search for it (the physical name). */
  resource: string;
  /** What the threshold means, in words: "error rate above 5 % over 10 minutes". */
  condition: string;
  ownership: Ownership;
  /** Whether the monitor has a warning threshold (adds the warning block). */
  warns?: boolean;
}

/**
 * The monitor message: alert, warning and recovery blocks; the PagerDuty handle inside the alert
 * block and again outside it (all but warnings), so the recovery notification reaches PagerDuty
 * and resolves the incident; the Slack handle in every block; the runbook link for the kind.
 *
 * @example
 * ```ts
 * alertMessage({ kind: 'dlq-depth', env: 'production', service: 'customers', resource: 'kestrel-production-customers-x-failures',
 *   condition: 'at least one visible message', ownership: ownershipOf('customers') });
 * ```
 */
export function alertMessage({ kind, env, service, resource, condition, ownership, warns = true }: AlertMessageInput): string {
  const { title, impact } = MONITOR_KINDS[kind];
  const priority = priorityFor(kind, env);
  const runbook = `${ownership.runbookBaseUrl}#${kind}`;
  const slack = `@slack-${ownership.slackChannel}`;
  const pagerDuty = pages(env, kind) ? `@pagerduty-${ownership.pagerDutyService}` : undefined;
  const lines = [
    '{{#is_alert}}',
    `${title}: ${resource} (${service}, ${env}, P${priority})`,
    `${impact} Condition: ${condition} (value {{value}}).`,
    `Runbook: ${runbook}`,
    `Owner: ${ownership.team}`,
    ...(pagerDuty ? [pagerDuty] : []),
    slack,
    '{{/is_alert}}',
    ...(warns
      ? [
          '{{#is_warning}}',
          `Warning, ${title.toLowerCase()}: ${resource} (${service}, ${env}) is approaching the threshold (value {{value}}).`,
          `Runbook: ${runbook}`,
          slack,
          '{{/is_warning}}',
        ]
      : []),
    '{{#is_recovery}}',
    `Recovered: ${title.toLowerCase()} on ${resource} (${service}, ${env}).`,
    slack,
    '{{/is_recovery}}',
  ];
  // Outside the alert block so the recovery resolves the PagerDuty incident; not on warnings, which must not page.
  if (pagerDuty) lines.push(`{{^is_warning}}${pagerDuty}{{/is_warning}}`);
  return lines.join('\n');
}
