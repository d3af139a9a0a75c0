/**
 * The lake report: what arrived, and one figure that can't be added up from
 * daily totals (the design articles' point about medians): the median time
 * from a user's registration to their first sign-in, per registration day.
 * Plain SQL over `latest_events`, in the dialect both DuckDB (with the lake's
 * macros) and Athena accept, except `median`, which Athena spells
 * `approx_percentile(x, 0.5)`.
 */
import type { Lake, QueryResult } from './lake-db';

/** Events per source, detail-type and day the events happened (UTC), after deduplication. */
export const EVENTS_PER_DAY_SQL = `
SELECT CAST(from_iso8601_timestamp("occurredAt") AS DATE) AS day, source, detail_type, count(*) AS events
FROM latest_events
GROUP BY ALL
ORDER BY day, source, detail_type`;

/** Median minutes from registration to first sign-in, per registration day. */
export const MEDIAN_MINUTES_TO_FIRST_SIGN_IN_SQL = `
WITH registrations AS (
  SELECT json_extract_scalar(data, '$.userId') AS user_id,
         from_iso8601_timestamp(json_extract_scalar(data, '$.registeredAt')) AS registered_at
  FROM latest_events
  WHERE source = 'kestrel.identity' AND detail_type = 'UserRegistered'
), first_sign_ins AS (
  SELECT json_extract_scalar(data, '$.userId') AS user_id,
         min(from_iso8601_timestamp(json_extract_scalar(data, '$.signedInAt'))) AS first_signed_in_at
  FROM latest_events
  WHERE source = 'kestrel.identity' AND detail_type = 'UserSignedIn'
  GROUP BY 1
)
SELECT CAST(r.registered_at AS DATE) AS registration_day,
       count(*) AS registered,
       count(s.user_id) AS signed_in,
       round(median(date_diff('second', r.registered_at, s.first_signed_in_at)) / 60.0, 2) AS median_minutes_to_first_sign_in
FROM registrations r
LEFT JOIN first_sign_ins s ON s.user_id = r.user_id AND s.first_signed_in_at >= r.registered_at
GROUP BY 1
ORDER BY 1`;

export interface LakeReport {
  eventsPerDay: QueryResult;
  medianMinutesToFirstSignIn: QueryResult;
}

/**
 * Runs both report queries.
 *
 * @example
 * ```ts
 * const report = await lakeReport(await openLake('.lake-cache'));
 * console.table(report.eventsPerDay.rows);
 * ```
 */
export async function lakeReport(lake: Lake): Promise<LakeReport> {
  return {
    eventsPerDay: await lake.query(EVENTS_PER_DAY_SQL),
    medianMinutesToFirstSignIn: await lake.query(MEDIAN_MINUTES_TO_FIRST_SIGN_IN_SQL),
  };
}
