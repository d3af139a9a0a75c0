/**
 * Counts as CloudWatch Embedded Metric Format: one JSON log line per
 * invocation that CloudWatch turns into metrics, with no API call and no
 * extra latency. Quarantined events are counted by reason so an alarm can
 * fire on the first contract violation.
 */
export const METRICS_NAMESPACE = 'Kestrel/AnalyticsIngest';

export type MetricName =
  | 'BatchMessages'
  | 'EventsReturnedToQueue'
  | 'EventsAccepted'
  | 'EventsQuarantined'
  | 'FirehoseRecords'
  | 'FirehoseBytes'
  | 'FirehoseCalls'
  | 'FirehoseRetriedRecords';

/**
 * One EMF document for the given counts, dimensioned by service.
 *
 * @example
 * ```ts
 * console.log(JSON.stringify(metricsDocument('analytics-ingest', { EventsAccepted: 1 }, Date.now())));
 * ```
 */
export function metricsDocument(service: string, counts: Partial<Record<MetricName, number>>, timestamp: number): Record<string, unknown> {
  const names = Object.keys(counts) as MetricName[];
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [['Service']], Metrics: names.map((Name) => ({ Name, Unit: Name === 'FirehoseBytes' ? 'Bytes' : 'Count' })) }],
    },
    Service: service,
    ...counts,
  };
}
