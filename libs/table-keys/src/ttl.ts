/**
 * The `ttl` value (epoch seconds) for an item that should expire `seconds` from `now`.
 * DynamoDB deletes expired items in the background, typically within a few days, so reads
 * that must not see expired items should also filter on `ttl`.
 *
 * @example
 * ```ts
 * ttlAfter(3600, new Date('2025-01-01T00:00:00Z')); // 1735693200
 * ```
 */
export function ttlAfter(seconds: number, now: Date = new Date()): number {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(`ttlAfter: seconds must be a non-negative number, got ${seconds}`);
  }
  return ttlAt(new Date(now.getTime() + seconds * 1000));
}

/**
 * The `ttl` value (epoch seconds, rounded up so the item never expires early) for an instant.
 *
 * @example
 * ```ts
 * ttlAt(new Date('2025-01-01T00:00:00.250Z')); // 1735689601
 * ```
 */
export function ttlAt(instant: Date): number {
  const milliseconds = instant.getTime();
  if (!Number.isFinite(milliseconds)) {
    throw new RangeError('ttlAt: invalid date');
  }
  return Math.ceil(milliseconds / 1000);
}
