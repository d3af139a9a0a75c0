import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api';
import type { PanelProps } from '../panels';

interface Overview {
  ready: boolean;
  status: string;
  endpoint: string;
  region: string;
  stacks: { name: string; status: string; error?: string; resources: number }[];
  modules: string[];
}

export function OverviewPanel(_: PanelProps) {
  const [overview, setOverview] = useState<Overview>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const load = () => getJson<Overview>('/_local/overview').then(setOverview, (failure: Error) => setError(failure.message));
    void load();
    const timer = setInterval(load, 2000);
    return () => clearInterval(timer);
  }, []);
  if (error) return <p role="alert">{error}</p>;
  if (!overview) return <p>Loading…</p>;
  return (
    <section aria-labelledby="overview-title">
      <h2 id="overview-title">Overview</h2>
      <p>
        Status: <strong data-testid="cloud-status">{overview.status}</strong> · endpoint <code>{overview.endpoint}</code> · region {overview.region}
      </p>
      <table>
        <caption>Stacks</caption>
        <thead>
          <tr>
            <th scope="col">Stack</th>
            <th scope="col">Status</th>
            <th scope="col">Resources</th>
          </tr>
        </thead>
        <tbody>
          {overview.stacks.map((stack) => (
            <tr key={stack.name}>
              <td>{stack.name}</td>
              <td>{stack.status}{stack.error ? `: ${stack.error}` : ''}</td>
              <td>{stack.resources}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>Emulated and proxied services: {overview.modules.join(', ')}</p>
    </section>
  );
}
