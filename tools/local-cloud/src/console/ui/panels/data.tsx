/**
 * Data: browse a table (query by key or scan, items pretty-printed with their
 * entity name), peek at queues, and run DuckDB SQL over the lake.
 */
import { useEffect, useState } from 'preact/hooks';
import { getJson, sendJson } from '../api';
import type { PanelProps } from '../panels';
import { PANEL_STYLES } from './panel-styles';
import { usePolled } from './use-polled';

interface Table {
  name: string;
  itemCount: number;
  key: { partition: string; sort?: string };
  indexes: Array<{ name: string; key: { partition: string; sort?: string } }>;
}

interface ItemView {
  entity: string | null;
  key: Record<string, unknown>;
  segments: Record<string, string[]>;
  item: Record<string, unknown>;
}

interface Queue {
  name: string;
  depth: number;
  inFlight: number;
  delayed: number;
  dlqOf?: string[];
}

interface PeekedMessage {
  messageId: string;
  state: string;
  sentAt: string;
  receiveCount: number;
  body: unknown;
}

/** JSON stored as a string attribute (an outbox event's `detail`) shown as the object it holds. */
function readableJson(_key: string, value: unknown): unknown {
  if (typeof value !== 'string' || !value.startsWith('{')) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export function DataPanel({ params }: PanelProps) {
  return (
    <section aria-labelledby="data-title">
      <style>{PANEL_STYLES}</style>
      <h2 id="data-title">Data</h2>
      <Tables initial={params.get('table') ?? undefined} />
      <Queues />
      <Lake />
    </section>
  );
}

function Tables({ initial }: { initial?: string }) {
  const [tables, setTables] = useState<Table[]>([]);
  const [table, setTable] = useState(initial ?? '');
  const [index, setIndex] = useState('');
  const [pk, setPk] = useState('');
  const [sk, setSk] = useState('');
  const [limit, setLimit] = useState(25);
  const [page, setPage] = useState<{ operation: string; items: ItemView[]; cursor?: string }>();
  const [error, setError] = useState<string>();
  useEffect(() => void getJson<{ tables: Table[] }>('/_local/tables').then((answer) => {
    setTables(answer.tables);
    if (!table && answer.tables[0]) setTable(answer.tables[0].name);
  }, (failure: Error) => setError(failure.message)), []);
  const described = tables.find((candidate) => candidate.name === table);
  const keyOf = index ? described?.indexes.find((candidate) => candidate.name === index)?.key : described?.key;

  const load = async (cursor?: string) => {
    setError(undefined);
    const query = new URLSearchParams({ limit: String(limit) });
    if (pk) query.set('pk', pk);
    if (sk) query.set('sk', sk);
    if (index) query.set('index', index);
    if (cursor) query.set('cursor', cursor);
    try {
      setPage(await getJson(`/_local/tables/${encodeURIComponent(table)}/items?${query.toString()}`));
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <section aria-labelledby="tables-title">
      <h3 id="tables-title">Tables</h3>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void load();
        }}
      >
        <label>
          Table{' '}
          <select value={table} onChange={(event) => setTable((event.target as HTMLSelectElement).value)}>
            {tables.map((candidate) => (
              <option key={candidate.name} value={candidate.name}>
                {candidate.name} ({candidate.itemCount} items)
              </option>
            ))}
          </select>
        </label>
        <label>
          Index{' '}
          <select value={index} onChange={(event) => setIndex((event.target as HTMLSelectElement).value)}>
            <option value="">table</option>
            {described?.indexes.map((candidate) => (
              <option key={candidate.name} value={candidate.name}>
                {candidate.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {keyOf?.partition ?? 'Partition key'} = <input value={pk} onInput={(event) => setPk((event.target as HTMLInputElement).value)} placeholder="empty: scan" />
        </label>
        {keyOf?.sort ? (
          <label>
            {keyOf.sort} begins with <input value={sk} onInput={(event) => setSk((event.target as HTMLInputElement).value)} />
          </label>
        ) : null}
        <label>
          Limit <input type="number" min={1} max={500} value={limit} style="width: 5em" onInput={(event) => setLimit(Number((event.target as HTMLInputElement).value))} />
        </label>
        <button class="primary" type="submit" disabled={!table}>
          {pk ? 'Query' : 'Scan'}
        </button>
      </form>
      {error ? <p role="alert" class="bad">{error}</p> : null}
      {page ? (
        <div data-testid="table-items">
          <p class="muted">
            {page.operation}: {page.items.length} items{page.cursor ? ' (more)' : ''}
          </p>
          <table class="items-table">
            <thead>
              <tr>
                <th scope="col">Entity</th>
                <th scope="col">Key</th>
                <th scope="col">Item</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((view) => (
                <tr key={JSON.stringify(view.key)}>
                  <td>{view.entity ?? <span class="muted">–</span>}</td>
                  <td>
                    {Object.entries(view.key).map(([name, value]) => (
                      <div key={name}>
                        <code>{name}</code> {view.segments[name] ? view.segments[name].map((segment, position) => <code key={position} class={position % 2 ? undefined : 'muted'}>{position ? ' · ' : ''}{segment}</code>) : <code>{String(value)}</code>}
                      </div>
                    ))}
                  </td>
                  <td>
                    <pre>{JSON.stringify(view.item, readableJson, 2)}</pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {page.cursor ? (
            <button type="button" onClick={() => void load(page.cursor)}>
              Next page
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function Queues() {
  const polled = usePolled<{ queues: Queue[] }>('/_local/queues', 3000);
  const queues = polled.data?.queues ?? [];
  const [peeked, setPeeked] = useState<{ queue: string; total: number; messages: PeekedMessage[] }>();
  const [peekError, setError] = useState<string>();
  const error = peekError ?? polled.error;
  const peek = (name: string) =>
    getJson<{ queue: string; total: number; messages: PeekedMessage[] }>(`/_local/queues/${encodeURIComponent(name)}/messages`).then(setPeeked, (failure: Error) => setError(failure.message));
  return (
    <section aria-labelledby="queues-title">
      <h3 id="queues-title">Queues</h3>
      {error ? <p role="alert" class="bad">{error}</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Queue</th>
            <th scope="col">Visible</th>
            <th scope="col">In flight</th>
            <th scope="col">Delayed</th>
            <th scope="col">Dead-letter queue of</th>
          </tr>
        </thead>
        <tbody>
          {queues.map((queue) => (
            <tr key={queue.name}>
              <th scope="row">
                <button type="button" onClick={() => void peek(queue.name)} aria-label={`Peek at ${queue.name}`}>
                  {queue.name}
                </button>
              </th>
              <td>{queue.depth}</td>
              <td>{queue.inFlight}</td>
              <td>{queue.delayed}</td>
              <td>{queue.dlqOf?.join(', ') ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {peeked ? (
        <div>
          <p>
            {peeked.queue}: {peeked.total} messages (a peek receives nothing)
          </p>
          {peeked.messages.map((message) => (
            <details key={message.messageId}>
              <summary>
                {message.messageId} · {message.state} · sent {message.sentAt} · received {message.receiveCount}×
              </summary>
              <pre>{JSON.stringify(message.body, null, 2)}</pre>
            </details>
          ))}
        </div>
      ) : null}
    </section>
  );
}

function Lake() {
  const [sql, setSql] = useState('SELECT source, detail_type, count(*) AS events FROM latest_events GROUP BY 1, 2 ORDER BY 3 DESC');
  const [result, setResult] = useState<{ columns: string[]; rows: Array<Record<string, unknown>>; log: string; durationMs: number }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await sendJson('POST', '/_local/lake/query', { sql }));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const cell = (value: unknown) => (value === null || value === undefined ? 'NULL' : typeof value === 'object' ? JSON.stringify(value) : String(value));
  return (
    <section aria-labelledby="lake-title">
      <h3 id="lake-title">Lake (DuckDB)</h3>
      <label class="block">
        SQL over raw_events, latest_events, quarantine_events
        <textarea rows={4} value={sql} onInput={(event) => setSql((event.target as HTMLTextAreaElement).value)} spellcheck={false} />
      </label>
      <button class="primary" type="button" disabled={busy} onClick={() => void run()}>
        {busy ? 'Running…' : 'Run'}
      </button>
      {error ? <p role="alert" class="bad">{error}</p> : null}
      {result ? (
        <div data-testid="lake-result">
          <p class="muted">
            {result.rows.length} rows in {result.durationMs} ms · {result.log}
          </p>
          <table>
            <thead>
              <tr>
                {result.columns.map((column) => (
                  <th scope="col" key={column}>
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.rows.map((row, position) => (
                <tr key={position}>
                  {result.columns.map((column) => (
                    <td key={column}>{cell(row[column])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
