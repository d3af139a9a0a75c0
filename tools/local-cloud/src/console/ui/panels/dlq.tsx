/** Dead letters: every dead-letter queue, its messages (`#/dlq?queue=…`) with why they failed, and redrive or delete. */
import { useEffect, useState } from 'preact/hooks';
import { getJson, sendJson } from '../api';
import type { PanelProps } from '../panels';

interface Queue {
  name: string;
  depth: number;
  origins: { kind: string; sourceQueue?: string; rule?: string; targetArn?: string; functionName?: string }[];
}

interface Message {
  messageId: string;
  sentAt: number;
  body: unknown;
  attempts?: number;
  error?: { code?: string; message?: string };
  origin: Record<string, string | undefined>;
  eventId?: string;
}

const originText = (origin: Queue['origins'][number]) =>
  origin.kind === 'queue-dlq'
    ? `redrive target of queue ${origin.sourceQueue}`
    : origin.kind === 'rule-dlq'
      ? `DLQ of rule ${origin.rule} → ${origin.targetArn?.split(/[:/]/).pop()}`
      : `${origin.kind === 'function-dlq' ? 'DLQ' : 'on-failure destination'} of function ${origin.functionName}`;

export function DlqPanel({ params }: PanelProps) {
  const selected = params.get('queue');
  const [queues, setQueues] = useState<Queue[]>();
  const [messages, setMessages] = useState<Message[]>();
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((count) => count + 1);

  useEffect(() => {
    void getJson<{ queues: Queue[] }>('/_local/dlq').then((found) => setQueues(found.queues), (failure: Error) => setError(failure.message));
    if (selected) {
      void getJson<{ messages: Message[] }>(`/_local/dlq/${encodeURIComponent(selected)}/messages`).then(
        (found) => setMessages(found.messages),
        (failure: Error) => setError(failure.message),
      );
    } else setMessages(undefined);
    const timer = setInterval(reload, 3000);
    return () => clearInterval(timer);
  }, [selected, version]);

  const act = async (what: string, run: () => Promise<unknown>) => {
    try {
      const answer = (await run()) as { redriven?: number; failed?: number; results?: { error?: string }[]; moveTask?: { toMove: number } };
      const failures = (answer.results ?? []).filter((result) => result.error).map((result) => result.error);
      setStatus(
        answer.moveTask
          ? `${what}: a message move task is moving ${answer.moveTask.toMove} message(s) back`
          : `${what}: ${answer.redriven ?? 1} done${answer.failed ? `, ${answer.failed} failed (${failures.join('; ')})` : ''}`,
      );
      setError(undefined);
    } catch (failure) {
      setError((failure as Error).message);
    }
    reload();
  };

  return (
    <section aria-labelledby="dlq-title">
      <h2 id="dlq-title">Dead letters</h2>
      {error ? <p role="alert">{error}</p> : null}
      <p role="status" data-testid="dlq-status">
        {status ?? ''}
      </p>
      <table data-testid="dlq-queues">
        <caption>Dead-letter queues, fullest first</caption>
        <thead>
          <tr>
            <th scope="col">Queue</th>
            <th scope="col">Messages</th>
            <th scope="col">Collects</th>
          </tr>
        </thead>
        <tbody>
          {(queues ?? []).map((queue) => (
            <tr key={queue.name} data-queue={queue.name}>
              <td>
                <a href={`#/dlq?queue=${encodeURIComponent(queue.name)}`} aria-current={queue.name === selected ? 'true' : undefined}>
                  {queue.name}
                </a>
              </td>
              <td class={queue.depth > 0 ? 'bad' : ''}>{queue.depth}</td>
              <td>{queue.origins.map(originText).join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected && messages ? (
        <>
          <h3>
            {selected}: {messages.length} message(s){' '}
            <button type="button" class="primary" disabled={messages.length === 0} onClick={() => act('Redrive all', () => sendJson('POST', `/_local/dlq/${encodeURIComponent(selected)}/redrive`))}>
              Redrive all
            </button>
          </h3>
          <table data-testid="dlq-messages">
            <caption>Messages, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Sent</th>
                <th scope="col">Error</th>
                <th scope="col">Attempts</th>
                <th scope="col">From</th>
                <th scope="col">Body</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {messages.map((message) => (
                <tr key={message.messageId} data-message-id={message.messageId}>
                  <td>{new Date(message.sentAt).toISOString().slice(11, 19)}</td>
                  <td class="bad">
                    {message.error?.code ? <code>{message.error.code}</code> : null} {message.error?.message ?? ''}
                  </td>
                  <td>{message.attempts ?? '?'}</td>
                  <td>
                    {Object.entries(message.origin)
                      .filter(([name, value]) => value && name !== 'kind' && name !== 'ruleArn')
                      .map(([name, value]) => `${name}: ${value}`)
                      .join(' · ')}
                    {message.eventId ? (
                      <>
                        {' '}
                        · <a href={`#/events?id=${encodeURIComponent(message.eventId)}`}>event</a>
                      </>
                    ) : null}
                  </td>
                  <td>
                    <details>
                      <summary>body</summary>
                      <pre>{typeof message.body === 'string' ? message.body : JSON.stringify(message.body, null, 2)}</pre>
                    </details>
                  </td>
                  <td>
                    <button type="button" onClick={() => act('Redrive', () => sendJson('POST', `/_local/dlq/${encodeURIComponent(selected)}/redrive`, { messageIds: [message.messageId] }))}>
                      Redrive
                    </button>{' '}
                    <button type="button" onClick={() => act('Delete', () => sendJson('DELETE', `/_local/dlq/${encodeURIComponent(selected)}/messages/${encodeURIComponent(message.messageId)}`))}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
