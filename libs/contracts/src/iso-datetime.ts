import { ZodMiniISODateTime } from 'zod/mini';
import { _isoDateTime, type $ZodISODateTimeParams } from 'zod/v4/core';

/**
 * `z.iso.datetime(params)`, without going through the `z.iso` namespace: a namespace object used
 * as a value keeps every member (ISO date, time and duration with their regular expressions,
 * ~1 KB per bundle), where an imported function keeps only itself. Same schema, same checks.
 *
 * @example
 * ```ts
 * const occurredAt = isoDateTime(); // accepts '2026-01-05T10:00:00Z'
 * ```
 */
export function isoDateTime(params?: string | $ZodISODateTimeParams): ZodMiniISODateTime {
  return _isoDateTime(ZodMiniISODateTime, params);
}
