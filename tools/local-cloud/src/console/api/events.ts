/**
 * Live events: the list (filtered, newest first, paged by cursor), one event
 * in full with its matched rules, each target's outcomes and its contract, and
 * a Server-Sent Events stream of what happens.
 *
 * The stream coalesces: every `STREAM_INTERVAL_MS` the records that came in
 * are sent in batches of at most `STREAM_BATCH`, and nothing is written while
 * the socket has not drained. Up to `STREAM_BACKLOG` records wait meanwhile;
 * only beyond that are the oldest dropped and counted in `skipped`. So a burst
 * costs the page a few small messages, never a freeze, and a burst of a few
 * thousand records loses none (dropping a batch's oldest records instead left
 * gaps among the newest rows the page keeps).
 */
import { offsetOf, offsetToken } from '../../core/paging';
import { ConsoleError } from '../routes';
import type { ConsoleCall, ConsoleDeps, ConsoleRoute } from '../routes';
import type { RecordedRecord, TelemetryRecorder } from '../recorder';
import type { TelemetryKind } from '../../core/telemetry';
import { EVENT_OUTCOMES, metadataOf, summarize, targetOutcomes } from '../event-summaries';
import type { EventOutcome, EventSummary, OutcomeRecord, PutRecord } from '../event-summaries';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;
export const STREAM_INTERVAL_MS = 100;
export const STREAM_BATCH = 200;
/** Records waiting for a slow page before the oldest are skipped: a 1,500-event burst with its outcomes fits. */
export const STREAM_BACKLOG = 25 * STREAM_BATCH;
const HEARTBEAT_MS = 15_000;
const TELEMETRY_KINDS: readonly TelemetryKind[] = ['event.put', 'target.outcome', 'invocation', 'http.request'];

export interface EventFilter {
  /** A service name: the event's source is `kestrel.<service>` or its producer is the service. */
  service?: string;
  source?: string;
  detailType?: string;
  correlationId?: string;
  outcome?: EventOutcome;
  bus?: string;
}

function filterFrom(url: URL): EventFilter {
  const get = (name: string) => url.searchParams.get(name) || undefined;
  const outcome = get('outcome');
  if (outcome !== undefined && !EVENT_OUTCOMES.includes(outcome as EventOutcome)) {
    throw new ConsoleError(400, `outcome must be one of ${EVENT_OUTCOMES.join(', ')}`, { field: 'outcome', value: outcome, allowed: EVENT_OUTCOMES });
  }
  const filter: EventFilter = {};
  for (const name of ['service', 'source', 'detailType', 'correlationId', 'bus'] as const) {
    const value = get(name);
    if (value !== undefined) filter[name] = value;
  }
  if (outcome) filter.outcome = outcome as EventOutcome;
  return filter;
}

/** Whether a put record passes the filter's fields that need no outcome. */
function putMatches(put: PutRecord, filter: EventFilter): boolean {
  if (filter.source !== undefined && put.source !== filter.source) return false;
  if (filter.detailType !== undefined && put.detailType !== filter.detailType) return false;
  if (filter.correlationId !== undefined && put.correlationId !== filter.correlationId) return false;
  if (filter.bus !== undefined && put.bus !== filter.bus) return false;
  if (filter.service !== undefined && put.source !== `kestrel.${filter.service}` && metadataOf(put.event).producer !== filter.service) return false;
  return true;
}

function integerParameter(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConsoleError(400, `${name} must be an integer from ${min} to ${max}`, { field: name, value: raw });
  }
  return value;
}

/**
 * One page of events, newest first. `before` is the cursor of the previous page (events recorded
 * earlier than it); `total` counts every event the filter matches.
 */
export function listEvents(recorder: TelemetryRecorder, filter: EventFilter, limit: number, beforeSeq?: number): { events: EventSummary[]; total: number; nextToken?: string } {
  const puts = (filter.correlationId !== undefined ? recorder.query({ correlationId: filter.correlationId, type: 'event.put' }) : recorder.query({ type: 'event.put' })) as PutRecord[];
  const events: EventSummary[] = [];
  let total = 0;
  let more = false;
  for (let index = puts.length - 1; index >= 0; index--) {
    const put = puts[index] as PutRecord;
    if (!putMatches(put, filter)) continue;
    // The outcome needs the event's outcome records: only computed when filtered on, or for the page.
    const onPage = (beforeSeq === undefined || put.seq < beforeSeq) && events.length < limit;
    if (filter.outcome === undefined && !onPage) {
      total++;
      if (beforeSeq === undefined || put.seq < beforeSeq) more = true;
      continue;
    }
    const summary = summarize(put, recorder);
    if (filter.outcome !== undefined && summary.outcome !== filter.outcome) continue;
    total++;
    if (onPage) events.push(summary);
    else if (beforeSeq === undefined || put.seq < beforeSeq) more = true;
  }
  const last = events[events.length - 1];
  return { events, total, ...(more && last ? { nextToken: offsetToken(last.seq) } : {}) };
}

/** One event in full: the envelope, matched rules, each target's outcomes, the contract it claims. */
async function eventDetail(deps: ConsoleDeps, eventId: string) {
  const records = deps.recorder.query({ eventId });
  const puts = records.filter((record): record is PutRecord => record.type === 'event.put');
  const put = puts[puts.length - 1];
  if (!put) throw new ConsoleError(404, `No event ${eventId} is recorded (the console keeps the newest ${deps.recorder.capacity} records).`, { eventId });
  const outcomes = records.filter((record): record is OutcomeRecord => record.type === 'target.outcome');
  const targets = targetOutcomes(outcomes);
  return {
    ...summarize(put, deps.recorder),
    event: put.event,
    targetOutcomes: targets,
    contract: await contractOf(put.event),
    timesPut: puts.length,
  };
}

/**
 * The contract the event names (source, detail-type, `detail.metadata.version`) as JSON Schema,
 * and whether the event parses with it. Loaded on first use: the contracts pull in zod.
 */
async function contractOf(event: Record<string, unknown>) {
  const { eventRegistry, safeParseEvent, toJsonSchema } = await import('@kestrel/contracts');
  const { version } = metadataOf(event);
  const source = String(event.source);
  const detailType = String(event['detail-type']);
  const contract = version === undefined ? undefined : eventRegistry.get(source, detailType, version);
  if (!contract) {
    const known = eventRegistry.versions(source, detailType);
    return { found: false as const, reason: known.length > 0 ? `no version ${String(version)} of ${source} ${detailType}; known versions: ${known.join(', ')}` : `no contract for ${source} ${detailType}` };
  }
  const parsed = safeParseEvent(contract, event);
  return {
    found: true as const,
    key: contract.key,
    schema: toJsonSchema(contract),
    valid: parsed.success,
    ...(parsed.success ? {} : { issues: parsed.error.issues }),
  };
}

/** What the stream sends of a record: event records without the full event (the page fetches it on demand). */
function streamed(record: RecordedRecord, recorder: TelemetryRecorder): unknown {
  if (record.type === 'event.put') return { type: record.type, ...summarize(record as PutRecord, recorder) };
  return record;
}

function streamEvents(call: ConsoleCall, deps: ConsoleDeps): undefined {
  const { response, request, url } = call;
  const filter = filterFrom(url);
  const requested = url.searchParams.get('types');
  const types = new Set<TelemetryKind>(requested ? (requested.split(',') as TelemetryKind[]) : ['event.put', 'target.outcome']);
  for (const type of types) {
    if (!TELEMETRY_KINDS.includes(type)) throw new ConsoleError(400, `types lists ${TELEMETRY_KINDS.join(', ')}`, { field: 'types', value: type });
  }
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  response.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ lastSeq: deps.recorder.lastSeq, interval: STREAM_INTERVAL_MS, batch: STREAM_BATCH })}\n\n`);
  // Event ids the filter admitted, so their outcomes follow them (outcomes carry no source or type).
  const admitted = new Set<string>();
  let pending: RecordedRecord[] = [];
  let skipped = 0;
  const flush = () => {
    // Back-pressure: while the page has not read the last batch, keep coalescing.
    while ((pending.length > 0 || skipped > 0) && !response.writableNeedDrain) {
      const batch = pending.slice(0, STREAM_BATCH);
      pending = pending.slice(batch.length);
      const records = batch.map((record) => streamed(record, deps.recorder));
      const last = batch[batch.length - 1];
      response.write(`${last ? `id: ${last.seq}\n` : ''}event: batch\ndata: ${JSON.stringify({ records, skipped })}\n\n`);
      skipped = 0;
    }
  };
  const unsubscribe = deps.recorder.subscribe((record) => {
    if (!types.has(record.type)) return;
    if (record.type === 'event.put') {
      if (!putMatches(record as PutRecord, filter)) return;
      admitted.add(record.eventId);
      if (admitted.size > 2 * STREAM_BATCH * 10) admitted.delete(admitted.values().next().value as string);
    } else if (record.type === 'target.outcome' && types.has('event.put') && !admitted.has(record.eventId)) {
      // An outcome of an event put before the stream opened (a retry, a redrive): its event decides.
      const put = deps.recorder.query({ eventId: record.eventId, type: 'event.put', limit: 1 })[0] as PutRecord | undefined;
      if (!put || !putMatches(put, filter)) return;
    }
    pending.push(record);
    if (pending.length > STREAM_BACKLOG) {
      pending.shift();
      skipped++;
    }
  });
  const flushTimer = setInterval(flush, STREAM_INTERVAL_MS);
  const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const close = () => {
    unsubscribe();
    clearInterval(flushTimer);
    clearInterval(heartbeat);
  };
  request.on('close', close);
  response.on('error', close);
  return undefined;
}

export function eventsRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  return [
    {
      method: 'GET',
      path: '/_local/events',
      summary:
        'Events put on every bus, newest first: ?service=&source=&detailType=&correlationId=&outcome=(unmatched|pending|delivered|retrying|dead-lettered|dropped)&bus=&limit=(1-500)&before=<nextToken>',
      handle: ({ url }) => {
        const filter = filterFrom(url);
        const limit = integerParameter(url, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
        const token = url.searchParams.get('before');
        const beforeSeq = token ? offsetOf(token) : undefined;
        if (token && beforeSeq === undefined) throw new ConsoleError(400, 'before is not a token this API gave', { field: 'before', value: token });
        return { body: { ...listEvents(deps.recorder, filter, limit, beforeSeq), recorded: deps.recorder.size, capacity: deps.recorder.capacity } };
      },
    },
    {
      method: 'GET',
      path: '/_local/events/stream',
      summary:
        'Server-Sent Events: `batch` messages every 100 ms of at most 200 records each ({ records, skipped }; up to 5,000 wait for a slow page, beyond that the oldest are counted in skipped); same filters as /_local/events, ?types=event.put,target.outcome,invocation,http.request',
      handle: (call) => streamEvents(call, deps),
    },
    {
      method: 'GET',
      path: '/_local/events/:id',
      summary: 'One event: the full JSON, matched rules, each target’s outcomes (delivered / retried n times / dead-lettered with reason) and its contract (JSON Schema, valid or the issues)',
      handle: async ({ params }) => ({ body: await eventDetail(deps, params.id as string) }),
    },
  ];
}
