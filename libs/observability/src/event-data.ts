/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A loggable copy of an EventBridge event with `detail.data` left out (`[redacted:no-contract]`):
 * what is logged when no contract vouches for the data. Anything else is returned as it is.
 */
export function withoutEventData(event: unknown): unknown {
  if (!isRecord(event) || !isRecord(event.detail)) return event;
  return { ...event, detail: { ...event.detail, data: '[redacted:no-contract]' } };
}
