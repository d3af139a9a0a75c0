/**
 * What EventBridge delivers to a target for a PutEvents entry: the envelope around the entry's
 * Detail, with fixed id, account, time and region so tests and benches compare exactly.
 *
 * @example
 * ```ts
 * const raw = deliveredEvent(buildPutEventsEntry(UserRegisteredV1, UserRegisteredV1.example, metadata, { eventBusName: 'platform' }));
 * parseEvent(UserRegisteredV1, raw);
 * ```
 */
export function deliveredEvent(entry: { Source: string; DetailType: string; Detail: string; Resources?: string[] }, extra: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '111122223333',
    time: '2026-01-15T09:30:00Z',
    region: 'eu-west-1',
    resources: entry.Resources ?? [],
    detail: JSON.parse(entry.Detail) as Record<string, unknown>,
    ...extra,
  };
}
