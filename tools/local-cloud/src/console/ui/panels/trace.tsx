/** One flow as a timeline (`#/trace?correlationId=…`): each step's offset, what it was, how long it took, its log lines. */
import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api';
import type { PanelProps } from '../panels';

interface Step {
  at: number;
  kind: string;
  title: string;
  durationMs?: number;
  coldStart?: boolean;
  status?: string;
  eventId?: string;
  logs?: { at: string; level: string; message: string }[];
}

interface Trace {
  correlationId: string;
  steps: Step[];
  startedAt?: number;
  durationMs?: number;
}

const KIND_LABEL: Record<string, string> = { 'http.request': 'HTTP', invocation: 'Function', 'event.put': 'Event', 'target.outcome': 'Delivery' };

export function TracePanel({ params }: PanelProps) {
  const wanted = params.get('correlationId') ?? '';
  const [draft, setDraft] = useState(wanted);
  const [trace, setTrace] = useState<Trace>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    setDraft(wanted);
    setTrace(undefined);
    setError(undefined);
    if (!wanted) return;
    const load = () => getJson<Trace>(`/_local/traces/${encodeURIComponent(wanted)}`).then((found) => (setTrace(found), setError(undefined)), (failure: Error) => setError(failure.message));
    void load();
    // A flow goes on after the page opened (consumers, retries): refresh while it is shown.
    const timer = setInterval(load, 2000);
    return () => clearInterval(timer);
  }, [wanted]);

  return (
    <section aria-labelledby="trace-title">
      <h2 id="trace-title">Trace of one flow</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          location.hash = `#/trace?correlationId=${encodeURIComponent(draft.trim())}`;
        }}
      >
        <label>
          Correlation id <input name="correlationId" size={48} value={draft} onInput={(event) => setDraft((event.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="primary">
          Show trace
        </button>
      </form>
      {error ? <p role="alert">{error}</p> : null}
      {trace ? (
        <>
          <p role="status">
            {trace.steps.length} step(s) over {Math.round(trace.durationMs ?? 0)} ms
          </p>
          <ol data-testid="trace-steps" style="list-style: none; padding: 0">
            {trace.steps.map((step, index) => (
              <li key={index} data-kind={step.kind} style="border-left: 3px solid var(--accent); padding: 4px 12px; margin-bottom: 6px">
                <span class="muted">+{step.at - (trace.startedAt ?? step.at)} ms</span> <strong>{KIND_LABEL[step.kind] ?? step.kind}</strong>{' '}
                {step.eventId ? <a href={`#/events?id=${encodeURIComponent(step.eventId)}`}>{step.title}</a> : step.title}
                {step.durationMs !== undefined ? <span class="muted"> · {step.durationMs.toFixed(1)} ms</span> : null}
                {step.coldStart ? <span class="muted"> · cold start</span> : null}
                {step.status === 'error' || step.status === 'dead-lettered' || step.status === 'dropped' ? <span class="bad"> · {step.status}</span> : null}
                {step.logs && step.logs.length > 0 ? (
                  <details>
                    <summary>{step.logs.length} log line(s)</summary>
                    <pre>{step.logs.map((line) => `${line.at} ${line.level} ${prettyMessage(line.message)}`).join('\n')}</pre>
                  </details>
                ) : null}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}

/** A JSON log message pretty-printed; anything else as it is. */
function prettyMessage(message: string): string {
  if (!message.startsWith('{')) return message;
  try {
    return JSON.stringify(JSON.parse(message), null, 2);
  } catch {
    return message;
  }
}
