/**
 * Live events: the list with filters, updated from the stream, and one event
 * in full (`#/events?id=…`) with its targets' outcomes and its contract beside
 * it. Back-pressure on the page's side: it keeps the newest `MAX_ROWS` rows
 * and counts the rest, and renders at most once per stream batch.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson } from '../api';
import type { PanelProps } from '../panels';
import type { EventSummary } from '../../event-summaries';

export const MAX_ROWS = 500;
const OUTCOMES = ['unmatched', 'pending', 'delivered', 'retrying', 'dead-lettered', 'dropped'];
const FILTERS = ['service', 'detailType', 'correlationId', 'outcome'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** A listed event, as `/_local/events` and the stream send it, with what the stream adds. */
interface Row extends Omit<EventSummary, 'outcome'> {
  outcome: string;
  /** Latest outcome per rule and target, from the stream. */
  latest?: Record<string, string>;
}

interface OutcomeRecord {
  type: 'target.outcome';
  eventId: string;
  rule: string;
  targetArn: string;
  outcome: string;
}

const SEVERITY = ['dead-lettered', 'dropped', 'retrying', 'delivered'];
const worst = (outcomes: string[]) => SEVERITY.find((outcome) => outcomes.includes(outcome)) ?? 'pending';

export function outcomeClass(outcome: string): string {
  return outcome === 'delivered' ? 'good' : outcome === 'dead-lettered' || outcome === 'dropped' ? 'bad' : 'muted';
}

const time = (at: number) => new Date(at).toISOString().slice(11, 23);

function query(filters: Filters): string {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (filters[name]) params.set(name, filters[name] as string);
  return params.toString();
}

export function EventsPanel({ params }: PanelProps) {
  const id = params.get('id');
  return id ? <EventDetail id={id} /> : <EventList initial={Object.fromEntries(FILTERS.map((name) => [name, params.get(name) ?? ''])) as Filters} />;
}

function EventList({ initial }: { initial: Filters }) {
  const [filters, setFilters] = useState<Filters>(initial);
  const [draft, setDraft] = useState<Filters>(initial);
  const [rows, setRows] = useState<Row[]>([]);
  const [hidden, setHidden] = useState(0);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string>();
  const [live, setLive] = useState(false);
  const rowsRef = useRef<Row[]>([]);

  useEffect(() => {
    let closed = false;
    const filter = query(filters);
    getJson<{ events: Row[]; total: number }>(`/_local/events?limit=100&${filter}`).then(
      (page) => {
        if (closed) return;
        rowsRef.current = page.events;
        setRows(page.events);
        setTotal(page.total);
        setHidden(page.total - page.events.length);
        setError(undefined);
      },
      (failure: Error) => setError(failure.message),
    );
    // Outcomes follow their events on the stream, so the outcome filter is applied here, not there.
    const streamFilter = query({ ...filters, outcome: undefined });
    const source = new EventSource(`/_local/events/stream?${streamFilter}`);
    source.addEventListener('open', () => setLive(true));
    source.addEventListener('error', () => setLive(false));
    source.addEventListener('batch', (message) => {
      const batch = JSON.parse((message as MessageEvent<string>).data) as { records: (Row & { type: string })[]; skipped: number };
      let current = rowsRef.current;
      let added = batch.skipped;
      const fresh: Row[] = [];
      for (const record of batch.records) {
        if (record.type === 'event.put') {
          fresh.push(record);
          added++;
        } else if (record.type === 'target.outcome') {
          const outcome = record as unknown as OutcomeRecord;
          current = current.map((row) => {
            if (row.eventId !== outcome.eventId) return row;
            const latest = { ...row.latest, [`${outcome.rule}|${outcome.targetArn}`]: outcome.outcome };
            return { ...row, latest, outcome: worst(Object.values(latest)) };
          });
        }
      }
      const visible = filters.outcome ? fresh.filter((row) => row.outcome === filters.outcome) : fresh;
      const next = [...visible.reverse(), ...current];
      const kept = next.slice(0, MAX_ROWS);
      rowsRef.current = kept;
      setRows(kept);
      setTotal((count) => count + added);
      setHidden((count) => count + (next.length - kept.length) + batch.skipped);
    });
    return () => {
      closed = true;
      source.close();
    };
  }, [query(filters)]);

  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">Events</h2>
      <form
        role="search"
        aria-label="Filter events"
        onSubmit={(event) => {
          event.preventDefault();
          setFilters(draft);
          location.hash = `#/events?${query(draft)}`;
        }}
      >
        {(['service', 'detailType', 'correlationId'] as const).map((name) => (
          <label key={name}>
            {name === 'detailType' ? 'Detail type' : name === 'correlationId' ? 'Correlation id' : 'Service'}{' '}
            <input name={name} value={draft[name] ?? ''} onInput={(event) => setDraft({ ...draft, [name]: (event.target as HTMLInputElement).value })} />
          </label>
        ))}
        <label>
          Outcome{' '}
          <select name="outcome" value={draft.outcome ?? ''} onChange={(event) => setDraft({ ...draft, outcome: (event.target as HTMLSelectElement).value })}>
            <option value="">any</option>
            {OUTCOMES.map((outcome) => (
              <option key={outcome} value={outcome}>
                {outcome}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary">
          Filter
        </button>
      </form>
      <p role="status" data-testid="events-status">
        {live ? 'Live' : 'Connecting…'} · {total} event(s) · showing {rows.length}
        {hidden > 0 ? ` · ${hidden} more not shown (newest ${MAX_ROWS} kept; narrow the filters)` : ''}
      </p>
      {error ? <p role="alert">{error}</p> : null}
      <table data-testid="events-table">
        <caption>Events put on every bus, newest first (select a row to open it)</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Source</th>
            <th scope="col">Detail type</th>
            <th scope="col">Producer</th>
            <th scope="col">Correlation id</th>
            <th scope="col">Size</th>
            <th scope="col">Rules matched</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.eventId} data-event-id={row.eventId}>
              <td>
                <a href={`#/events?id=${encodeURIComponent(row.eventId)}`}>{time(row.at)}</a>
              </td>
              <td>{row.source}</td>
              <td>
                {row.detailType}
                {row.version !== undefined ? ` v${row.version}` : ''}
              </td>
              <td>{row.producer ?? ''}</td>
              <td>{row.correlationId ? <a href={`#/trace?correlationId=${encodeURIComponent(row.correlationId)}`}>{row.correlationId}</a> : ''}</td>
              <td>{row.size} B</td>
              <td>{row.matchedRules.join(', ') || <span class="muted">none</span>}</td>
              <td class={outcomeClass(row.outcome)} data-testid="event-outcome">
                {row.outcome}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

interface Detail extends Row {
  event: Record<string, unknown>;
  targetOutcomes: { rule: string; targetArn: string; outcome: string; attempts: number; reason?: string; history: { at: number; outcome: string; attempt: number; reason?: string }[] }[];
  contract: { found: boolean; reason?: string; key?: string; schema?: unknown; valid?: boolean; issues?: { path?: string; message: string }[] };
}

function EventDetail({ id }: { id: string }) {
  const [detail, setDetail] = useState<Detail>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const load = () => getJson<Detail>(`/_local/events/${encodeURIComponent(id)}`).then(setDetail, (failure: Error) => setError(failure.message));
    void load();
    // Outcomes keep coming (retries, a redrive): refresh while the view is open.
    const timer = setInterval(load, 1000);
    return () => clearInterval(timer);
  }, [id]);
  if (error) return <p role="alert">{error}</p>;
  if (!detail) return <p>Loading…</p>;
  const { contract } = detail;
  return (
    <section aria-labelledby="event-title">
      <p>
        <a href="#/events">← All events</a>
      </p>
      <h2 id="event-title">
        {detail.source} {detail.detailType}
        {detail.version !== undefined ? ` v${detail.version}` : ''} <code>{detail.eventId}</code>
      </h2>
      <p>
        Bus <code>{detail.bus}</code> · {new Date(detail.at).toISOString()} · {detail.size} bytes · outcome{' '}
        <strong class={outcomeClass(detail.outcome)} data-testid="detail-outcome">
          {detail.outcome}
        </strong>
        {detail.correlationId ? (
          <>
            {' '}
            · <a href={`#/trace?correlationId=${encodeURIComponent(detail.correlationId)}`}>trace this flow</a>
          </>
        ) : null}{' '}
        · <a href={`#/explain?eventId=${encodeURIComponent(detail.eventId)}`}>why did it (not) match each rule?</a>
      </p>
      <table data-testid="target-outcomes">
        <caption>Rules matched ({detail.matchedRules.join(', ') || 'none'}) and each target’s outcome</caption>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">Attempts</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {detail.targetOutcomes.map((target) => (
            <tr key={`${target.rule}|${target.targetArn}`}>
              <td>{target.rule}</td>
              <td>
                <code>{target.targetArn}</code>
              </td>
              <td class={outcomeClass(target.outcome)}>{target.outcome}</td>
              <td>{target.attempts > 1 ? `${target.attempts} (retried ${target.attempts - 1} time(s))` : target.attempts}</td>
              <td>{target.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div style="display: grid; grid-template-columns: 1fr 1fr; gap: 16px">
        <div>
          <h3>Event</h3>
          <pre data-testid="event-json">{JSON.stringify(detail.event, null, 2)}</pre>
        </div>
        <div>
          <h3>Contract {contract.key ? <code>{contract.key}</code> : null}</h3>
          {!contract.found ? (
            <p class="muted">{contract.reason}</p>
          ) : contract.valid ? (
            <p class="good">The event conforms to its contract.</p>
          ) : (
            <ul class="bad" aria-label="Contract violations">
              {(contract.issues ?? []).map((issue, index) => (
                <li key={index}>
                  {issue.path ? <code>{issue.path}</code> : null} {issue.message}
                </li>
              ))}
            </ul>
          )}
          {contract.schema ? <pre>{JSON.stringify(contract.schema, null, 2)}</pre> : null}
        </div>
      </div>
    </section>
  );
}
