/** Why an event did (not) match a rule (`#/explain?eventId=…&rule=…`): each field with what the pattern expected and what the event had. */
import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api';
import type { PanelProps } from '../panels';

interface Rule {
  name: string;
  bus: string;
  pattern?: unknown;
}

interface Field {
  field: string;
  expected: unknown[];
  actual: unknown[];
  passed: boolean;
}

interface Result {
  rule?: Rule;
  matches: boolean;
  alternatives: number;
  explained: { matches: boolean; failedField?: string; note?: string; fields: Field[] }[];
}

const show = (values: unknown[]) => (values.length === 0 ? 'absent' : values.map((value) => JSON.stringify(value)).join(', '));

export function ExplainPanel({ params }: PanelProps) {
  const eventId = params.get('eventId') ?? '';
  const ruleKey = params.get('rule') ?? '';
  const [draftEvent, setDraftEvent] = useState(eventId);
  const [draftRule, setDraftRule] = useState(ruleKey);
  const [rules, setRules] = useState<Rule[]>([]);
  const [results, setResults] = useState<Result[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    void getJson<{ rules: Rule[] }>('/_local/rules').then((found) => setRules(found.rules), (failure: Error) => setError(failure.message));
  }, []);
  useEffect(() => {
    setDraftEvent(eventId);
    setDraftRule(ruleKey);
    setResults(undefined);
    if (!eventId) return;
    const [bus, rule] = ruleKey.includes('|') ? ruleKey.split('|') : [undefined, undefined];
    const query = new URLSearchParams({ eventId, ...(rule ? { rule } : {}), ...(bus ? { bus } : {}) });
    getJson<{ results: Result[] }>(`/_local/explain?${query}`).then((found) => (setResults(found.results), setError(undefined)), (failure: Error) => setError(failure.message));
  }, [eventId, ruleKey]);

  return (
    <section aria-labelledby="explain-title">
      <h2 id="explain-title">Why didn’t it match?</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          location.hash = `#/explain?${new URLSearchParams({ eventId: draftEvent.trim(), ...(draftRule ? { rule: draftRule } : {}) })}`;
        }}
      >
        <label>
          Event id <input name="eventId" size={40} value={draftEvent} onInput={(event) => setDraftEvent((event.target as HTMLInputElement).value)} />
        </label>
        <label>
          Rule{' '}
          <select name="rule" value={draftRule} onChange={(event) => setDraftRule((event.target as HTMLSelectElement).value)}>
            <option value="">every rule on the event’s bus</option>
            {rules.map((rule) => (
              <option key={`${rule.bus}|${rule.name}`} value={`${rule.bus}|${rule.name}`}>
                {rule.name} ({rule.bus})
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary">
          Explain
        </button>
      </form>
      {error ? <p role="alert">{error}</p> : null}
      {(results ?? []).map((result) => (
        <article key={result.rule?.name ?? 'pattern'} data-testid="explain-result" aria-label={`Rule ${result.rule?.name ?? ''}`}>
          <h3>
            {result.rule ? `${result.rule.name}` : 'Pattern'}:{' '}
            <span class={result.matches ? 'good' : 'bad'} data-testid="explain-verdict">
              {result.matches ? 'matches' : 'does not match'}
            </span>
          </h3>
          {result.explained.map((alternative, index) => (
            <table key={index}>
              <caption>
                {result.alternatives > 1 ? `Alternative ${index + 1} of ${result.alternatives} ($or): ` : ''}
                {alternative.matches ? 'every field matches' : alternative.failedField ? `fails at ${alternative.failedField}` : alternative.note}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">Pattern expects</th>
                  <th scope="col">Event has</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {alternative.fields.map((field) => (
                  <tr key={field.field} data-testid={field.passed ? 'field-passed' : 'field-failed'}>
                    <td>
                      <code>{field.field}</code>
                    </td>
                    <td>
                      <code>{show(field.expected)}</code>
                    </td>
                    <td>
                      <code>{show(field.actual)}</code>
                    </td>
                    <td class={field.passed ? 'good' : 'bad'}>{field.passed ? '✓ passes' : '✗ fails'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </article>
      ))}
    </section>
  );
}
