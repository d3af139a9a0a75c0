/**
 * Service level objectives as code, read from a service's manifest, and the multi-window
 * burn-rate monitors that alert on them.
 *
 * Each SLO states what users get: HTTP routes answer without a server error, and fast; Cognito
 * triggers let people sign up and in (a deliberate refusal is a correct answer, not an error);
 * each subscription handles its events, and soon after they happened; the lake is written.
 * Burn-rate alerting follows the Google SRE Workbook, "Alerting on SLOs", table 5-8: a page when
 * 2 % of a 30-day budget burns in an hour (burn rate 14.4 over 1 h, confirmed over the last 5
 * minutes, 1/12 of the long window, so the alert resets soon after the burning stops), and a
 * slower alert when 5 % burns in 6 hours (burn rate 6 over 6 h and 30 min). The workbook pages
 * for both; we send the slow one to Slack and a ticket, since it leaves days to react.
 * Datadog evaluates both windows itself: `burn_rate("<slo id>").over("30d").long_window("1h").short_window("5m")`
 * (docs.datadoghq.com/service_level_objectives/burn_rate).
 */
import { HANDLER_METRICS, ownershipOf, sanitizeTag, type Ownership } from '@kestrel/observability';
import { resourceName } from '@kestrel/infra-constructs/naming';
import type { EnvironmentName } from '@kestrel/infra-constructs/environments';
import { functionTriggers, subscriptionDelivery, type ServiceManifest } from '@kestrel/service-manifest';
import { MANAGED_BY, type MonitorDefinition } from './definition';
import { alertMessage, priorityFor } from './message';

export type SloKind = 'http-availability' | 'http-latency' | 'cognito-availability' | 'cognito-latency' | 'subscription-success' | 'subscription-freshness' | 'lake-freshness';

/** A Datadog SLO we want (v1 `ServiceLevelObjectiveRequest` fields we set). */
export interface SloDefinition {
  /** Stable identity across runs, `<env>/<kind>/<subject>`, carried as the `slo-key` tag. */
  readonly key: string;
  readonly kind: SloKind;
  readonly service: string;
  readonly env: string;
  readonly name: string;
  readonly description: string;
  /** Percent of good events (metric) or good 5-minute slices (time slice) over 30 days. */
  readonly target: number;
  readonly timeframe: '30d';
  readonly tags: readonly string[];
  /** Count based: good events over all events. */
  readonly metric?: { readonly numerator: string; readonly denominator: string };
  /** Time slice: a slice is good when the query's value compares well with the threshold. */
  readonly timeSlice?: { readonly query: string; readonly comparator: '<=' | '<' | '>=' | '>'; readonly threshold: number; readonly intervalSeconds: 60 | 300 };
}

/** Objectives that are policy; each SLO's description says what it means. */
export interface SloTargets {
  availability: number;
  latency: number;
  /** Milliseconds an HTTP handler may take for a request to count as fast. */
  httpLatencyMs: number;
  /** Milliseconds a Cognito trigger may take (Cognito gives up at 5 000). */
  cognitoLatencyMs: number;
  /** Milliseconds from an event's occurrence to its consumer finishing. */
  freshnessMs: number;
  freshness: number;
  /** Seconds the oldest record not yet in S3 may be, per 5-minute slice. */
  lakeFreshnessSeconds: number;
  lakeFreshness: number;
}

export const DEFAULT_SLO_TARGETS: SloTargets = {
  availability: 99.9,
  latency: 99,
  httpLatencyMs: 1_000,
  cognitoLatencyMs: 2_000,
  freshnessMs: 60_000,
  freshness: 99,
  lakeFreshnessSeconds: 900,
  lakeFreshness: 99,
};

/** The two alerts per SLO (SRE Workbook table 5-8). */
export const BURN_RATE_ALERTS = {
  'slo-fast-burn': { rate: 14.4, longWindow: '1h', shortWindow: '5m', budgetShare: '2 % of the budget in an hour' },
  'slo-slow-burn': { rate: 6, longWindow: '6h', shortWindow: '30m', budgetShare: '5 % of the budget in six hours' },
} as const;

/** The placeholder a burn-rate query holds until the SLO exists and has an id. */
export function sloReference(key: string): string {
  return `slo-key:${key}`;
}

/** A burn-rate query with its placeholders replaced by SLO ids; a key with no id yet stays a placeholder. */
export function resolveSloReferences(query: string, ids: ReadonlyMap<string, string>): string {
  return query.replace(/burn_rate\("slo-key:([^"]+)"\)/g, (whole, key: string) => (ids.has(key) ? `burn_rate("${ids.get(key)}")` : whole));
}

function tagScope(tags: Record<string, string>, extra: string[] = []): string {
  return `{${[...Object.entries(tags).map(([k, v]) => sanitizeTag(`${k}:${v}`)), ...extra].join(',')}}`;
}

/** Good / all invocations, where a deliberate refusal (`outcome:rejected`) is good. */
function availabilityQuery(scope: Record<string, string>): { numerator: string; denominator: string } {
  return {
    numerator: `sum:${HANDLER_METRICS.invocations}${tagScope(scope, ['!outcome:error'])}.as_count()`,
    denominator: `sum:${HANDLER_METRICS.invocations}${tagScope(scope)}.as_count()`,
  };
}

/** Threshold query on a percentile-enabled distribution: values at or under the bound, over all values. */
function thresholdQuery(metric: string, scope: Record<string, string>, bound: number): { numerator: string; denominator: string } {
  return { numerator: `count(v: v<=${bound}):${metric}${tagScope(scope)}`, denominator: `count(v: v>=0):${metric}${tagScope(scope)}` };
}

/**
 * The SLOs of one service in one environment, from its manifest: HTTP availability and latency
 * (when it has routes), Cognito sign-up/sign-in availability and latency (when it has triggers),
 * success of each subscription and freshness of each directly delivered one, and the freshness of
 * each Firehose stream it writes (the lake). A queued subscription's freshness is its queue's
 * oldest message (`queue-backlog-age`): a stuck queue emits no event ages at all.
 */
export function slosForManifest(manifest: ServiceManifest, env: EnvironmentName, targets: SloTargets = DEFAULT_SLO_TARGETS): SloDefinition[] {
  const ownership = ownershipOf(manifest.name);
  const slos: SloDefinition[] = [];
  const base = { service: manifest.name, env };
  const add = (kind: SloKind, subject: string, name: string, description: string, target: number, spec: Pick<SloDefinition, 'metric' | 'timeSlice'>) => {
    const key = `${env}/${kind}/${subject}`;
    slos.push({
      key,
      kind,
      service: manifest.name,
      env,
      name: `[kestrel][${env}][${manifest.name}] ${name}`,
      description,
      target,
      timeframe: '30d',
      tags: [`service:${manifest.name}`, `team:${ownership.team}`, `env:${env}`, `managed-by:${MANAGED_BY}`, `slo-kind:${kind}`, `slo-key:${key}`],
      ...spec,
    });
  };
  const triggers = functionTriggers(manifest);
  const has = (kind: string) => triggers.some(({ trigger }) => trigger.kind === kind);

  if (has('http')) {
    const scope = { ...base, trigger: 'http' };
    add('http-availability', manifest.name, 'HTTP requests succeed', `${targets.availability} % of HTTP requests to ${manifest.name} are answered without a server error (a 5xx answer or a thrown error counts against it).`, targets.availability, {
      metric: availabilityQuery(scope),
    });
    add('http-latency', manifest.name, `HTTP requests answered within ${targets.httpLatencyMs} ms`, `${targets.latency} % of HTTP requests to ${manifest.name} are handled within ${targets.httpLatencyMs} ms (kestrel.handler.duration needs percentiles enabled in Datadog for threshold queries).`, targets.latency, {
      metric: thresholdQuery(HANDLER_METRICS.duration, scope, targets.httpLatencyMs),
    });
  }
  if (has('cognito')) {
    const scope = { ...base, trigger: 'cognito' };
    add('cognito-availability', manifest.name, 'Cognito triggers answer', `${targets.availability} % of Cognito trigger invocations of ${manifest.name} answer (a deliberate refusal, outcome:rejected, is an answer; only failures count against it).`, targets.availability, {
      metric: availabilityQuery(scope),
    });
    add('cognito-latency', manifest.name, `Cognito triggers answer within ${targets.cognitoLatencyMs} ms`, `${targets.latency} % of Cognito trigger invocations of ${manifest.name} finish within ${targets.cognitoLatencyMs} ms, well inside Cognito's 5 s limit.`, targets.latency, {
      metric: thresholdQuery(HANDLER_METRICS.duration, scope, targets.cognitoLatencyMs),
    });
  }
  for (const subscription of manifest.consumes) {
    const scope = { ...base, function: subscription.target };
    add('subscription-success', subscription.name, `Subscription ${subscription.name} handles its events`, `${targets.availability} % of ${subscription.target}'s invocations for ${subscription.name} succeed (a failed one is retried, then dead-lettered).`, targets.availability, {
      metric: availabilityQuery(scope),
    });
    if (subscriptionDelivery(subscription).kind === 'direct') {
      add('subscription-freshness', subscription.name, `Subscription ${subscription.name} is fresh`, `${targets.freshness} % of ${subscription.name} events are handled within ${targets.freshnessMs / 1000} s of occurring (kestrel.event.age).`, targets.freshness, {
        metric: thresholdQuery(HANDLER_METRICS.eventAge, scope, targets.freshnessMs),
      });
    }
  }
  const streams = new Set(Object.values(manifest.functions).flatMap((fn) => fn.access?.deliveryStreams ?? []));
  for (const stream of streams) {
    const name = resourceName({ env, service: manifest.name, thing: stream });
    add('lake-freshness', stream, `Lake written from ${stream}`, `${targets.lakeFreshness} % of 5-minute slices see Firehose's oldest undelivered record of ${name} younger than ${targets.lakeFreshnessSeconds} s.`, targets.lakeFreshness, {
      timeSlice: { query: `max:aws.firehose.delivery_to_s3_data_freshness{deliverystreamname:${name}}`, comparator: '<=', threshold: targets.lakeFreshnessSeconds, intervalSeconds: 300 },
    });
  }
  return slos;
}

/** The fast (pages) and slow (Slack) burn-rate monitors of each SLO. */
export function burnRateMonitors(slos: readonly SloDefinition[], ownership?: Ownership): MonitorDefinition[] {
  return slos.flatMap((slo) =>
    (Object.entries(BURN_RATE_ALERTS) as [keyof typeof BURN_RATE_ALERTS, (typeof BURN_RATE_ALERTS)[keyof typeof BURN_RATE_ALERTS]][]).map(([kind, alert]) => {
      const key = `${slo.env}/${kind}/${slo.key.split('/').slice(1).join('/')}`;
      const owner = ownership ?? ownershipOf(slo.service);
      const resource = slo.name.replace(/^\[kestrel\]\[[^\]]+\]\[[^\]]+\] /, '');
      return {
        key,
        kind,
        watches: [],
        slo: slo.key,
        service: slo.service,
        env: slo.env,
        name: `[kestrel][${slo.env}][${slo.service}] SLO burn ${alert.rate}x: ${resource}`,
        type: 'slo alert' as const,
        query: `burn_rate("${sloReference(slo.key)}").over("${slo.timeframe}").long_window("${alert.longWindow}").short_window("${alert.shortWindow}") > ${alert.rate}`,
        message: alertMessage({
          kind,
          env: slo.env,
          service: slo.service,
          resource,
          condition: `burn rate above ${alert.rate} over both the last ${alert.longWindow} and the last ${alert.shortWindow} (${alert.budgetShare}); objective: ${slo.description}`,
          ownership: owner,
          warns: false,
        }),
        tags: [`service:${slo.service}`, `team:${owner.team}`, `env:${slo.env}`, `managed-by:${MANAGED_BY}`, `monitor-kind:${kind}`, `monitor-key:${key}`, `slo-kind:${slo.kind}`],
        priority: priorityFor(kind, slo.env),
        options: { thresholds: { critical: alert.rate }, notify_no_data: false, require_full_window: false, include_tags: true, renotify_interval: 60 },
      } satisfies MonitorDefinition;
    }),
  );
}
