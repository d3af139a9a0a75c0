/**
 * Functions: figures per function, and for the one picked its log (filter,
 * live tail over Server-Sent Events, JSON pretty-printed) and an invoke form
 * with saved test events.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson, sendJson } from '../api';
import type { PanelProps } from '../panels';
import { PANEL_STYLES } from './panel-styles';
import { usePolled } from './use-polled';

interface FunctionRow {
  name: string;
  runtime: string;
  memorySizeMb: number;
  warm: number;
  busy: number;
  invocations: number;
  errors: number;
  coldStarts: number;
  p50Ms: number | null;
  p95Ms: number | null;
  lastError?: string;
}

interface LogEntry {
  offset: number;
  record: { timestamp: string; level?: string; type?: string; requestId?: string; message: unknown; stream?: string };
}

interface InvokeAnswer {
  statusCode: number;
  functionError?: string;
  payload: unknown;
  logTail: string[];
  roundTripMs: number;
}

const MAX_LINES = 500;
const ms = (value: number | null) => (value === null ? '–' : value.toFixed(1));

export function FunctionsPanel({ params }: PanelProps) {
  const { data, error } = usePolled<{ functions: FunctionRow[] }>('/_local/functions', 3000);
  const functions = data?.functions;
  const selected = params.get('name') ?? undefined;
  if (error) return <p role="alert">{error}</p>;
  if (!functions) return <p>Loading…</p>;
  return (
    <section aria-labelledby="functions-title">
      <style>{PANEL_STYLES}</style>
      <h2 id="functions-title">Functions</h2>
      <table data-testid="functions-table">
        <caption>Deployed functions, figures since the local cloud started (durations from REPORT lines)</caption>
        <thead>
          <tr>
            <th scope="col">Function</th>
            <th scope="col">Runtime</th>
            <th scope="col">Invocations</th>
            <th scope="col">Errors</th>
            <th scope="col">Cold starts</th>
            <th scope="col">p50 ms</th>
            <th scope="col">p95 ms</th>
            <th scope="col">Warm / busy</th>
          </tr>
        </thead>
        <tbody>
          {functions.map((fn) => (
            <tr key={fn.name} aria-selected={fn.name === selected}>
              <th scope="row">
                <a href={`#/functions?name=${encodeURIComponent(fn.name)}`}>{fn.name}</a>
              </th>
              <td>{fn.runtime}</td>
              <td>{fn.invocations}</td>
              <td class={fn.errors ? 'bad' : undefined} title={fn.lastError}>
                {fn.errors}
              </td>
              <td>{fn.coldStarts}</td>
              <td>{ms(fn.p50Ms)}</td>
              <td>{ms(fn.p95Ms)}</td>
              <td>
                {fn.warm} / {fn.busy}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected ? <FunctionDetail key={selected} name={selected} /> : <p class="muted">Pick a function to see its log and invoke it.</p>}
    </section>
  );
}

function FunctionDetail({ name }: { name: string }) {
  return (
    <div class="two-columns">
      <LogTail name={name} />
      <InvokeForm name={name} />
    </div>
  );
}

/** A message as shown: a structured (JSON) one pretty-printed, text as it is. */
function Message({ message }: { message: unknown }) {
  if (message !== null && typeof message === 'object') return <pre class="log-json">{JSON.stringify(message, null, 2)}</pre>;
  return <span class="log-text">{String(message)}</span>;
}

function LogTail({ name }: { name: string }) {
  const [filter, setFilter] = useState('');
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const [live, setLive] = useState(true);
  const [error, setError] = useState<string>();
  const base = `/_local/functions/${encodeURIComponent(name)}/logs`;
  const query = filter ? `filter=${encodeURIComponent(filter)}` : '';
  const list = useRef<HTMLOListElement>(null);
  // Follow the newest line, as a terminal tail does.
  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [entries]);

  useEffect(() => {
    let cancelled = false;
    getJson<{ records: LogEntry[] }>(`${base}?limit=200${query ? `&${query}` : ''}`).then(
      (answer) => !cancelled && setEntries(answer.records),
      (failure: Error) => setError(failure.message),
    );
    if (!live) return () => (cancelled = true);
    const source = new EventSource(`${base}/live${query ? `?${query}` : ''}`);
    source.onmessage = (message) => {
      const entry = JSON.parse(message.data as string) as LogEntry;
      // Keep the newest lines only: a burst must not grow the page without bound.
      setEntries((previous) => [...previous, entry].slice(-MAX_LINES));
    };
    return () => {
      cancelled = true;
      source.close();
    };
  }, [name, query, live]);

  return (
    <section aria-labelledby="log-title" class="log-tail">
      <h3 id="log-title">Log of {name}</h3>
      <form onSubmit={(event) => event.preventDefault()}>
        <label>
          Filter{' '}
          <input type="search" value={filter} onInput={(event) => setFilter((event.target as HTMLInputElement).value)} placeholder="words, e.g. ERROR or a request id" />
        </label>
        <label>
          <input type="checkbox" checked={live} onChange={(event) => setLive((event.target as HTMLInputElement).checked)} /> Live
        </label>
      </form>
      {error ? <p role="alert">{error}</p> : null}
      <ol class="log-lines" data-testid="log-lines" aria-live="polite" ref={list}>
        {entries.map((entry) => (
          <li key={entry.offset} class={entry.record.level === 'ERROR' || entry.record.type === 'platform.timeout' ? 'bad' : entry.record.type ? 'muted' : undefined}>
            <code>{entry.record.timestamp.slice(11, 23)}</code> <code>{entry.record.level ?? entry.record.type}</code> <Message message={entry.record.message} />
          </li>
        ))}
      </ol>
      {entries.length === 0 ? <p class="muted">No log lines{filter ? ' match' : ' yet'}.</p> : null}
    </section>
  );
}

function InvokeForm({ name }: { name: string }) {
  const [text, setText] = useState('{}');
  const [saved, setSaved] = useState<Array<{ name: string; event: unknown }>>([]);
  const [saveAs, setSaveAs] = useState('');
  const [answer, setAnswer] = useState<InvokeAnswer>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const base = `/_local/functions/${encodeURIComponent(name)}`;
  const loadSaved = () => getJson<{ events: Array<{ name: string; event: unknown }> }>(`${base}/test-events`).then((list) => setSaved(list.events), (failure: Error) => setError(failure.message));
  useEffect(() => void loadSaved(), [name]);

  const parsed = (): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch (failure) {
      throw new Error(`The event is not JSON: ${(failure as Error).message}`);
    }
  };
  const invoke = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setAnswer(await sendJson<InvokeAnswer>('POST', `${base}/invoke`, { event: parsed() }));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    try {
      await sendJson('PUT', `${base}/test-events/${encodeURIComponent(saveAs)}`, { event: parsed() });
      await loadSaved();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <section aria-labelledby="invoke-title">
      <h3 id="invoke-title">Invoke</h3>
      <label>
        Saved test event{' '}
        <select onChange={(event) => {
          const chosen = saved.find((entry) => entry.name === (event.target as HTMLSelectElement).value);
          if (chosen) {
            setText(JSON.stringify(chosen.event, null, 2));
            setSaveAs(chosen.name);
          }
        }}>
          <option value="">—</option>
          {saved.map((entry) => (
            <option key={entry.name} value={entry.name}>
              {entry.name}
            </option>
          ))}
        </select>
      </label>
      <label class="block">
        Event (JSON)
        <textarea rows={10} value={text} onInput={(event) => setText((event.target as HTMLTextAreaElement).value)} spellcheck={false} />
      </label>
      <p>
        <button class="primary" type="button" disabled={busy} onClick={() => void invoke()}>
          {busy ? 'Invoking…' : 'Invoke'}
        </button>{' '}
        <label>
          Save as <input value={saveAs} onInput={(event) => setSaveAs((event.target as HTMLInputElement).value)} placeholder="name" />
        </label>
        <button type="button" disabled={!saveAs} onClick={() => void save()}>
          Save
        </button>
      </p>
      {error ? <p role="alert" class="bad">{error}</p> : null}
      {answer ? (
        <div data-testid="invoke-result">
          <p>
            Status {answer.statusCode}
            {answer.functionError ? <strong class="bad"> · {answer.functionError} error</strong> : null} · {answer.roundTripMs} ms
          </p>
          <pre>{JSON.stringify(answer.payload, null, 2)}</pre>
          <pre>{answer.logTail.join('\n')}</pre>
        </div>
      ) : null}
    </section>
  );
}
