/**
 * Services: each one from its manifest, what of it is deployed, and a flow
 * diagram (plain SVG) of who publishes which events to whom.
 */
import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api';
import type { PanelProps } from '../panels';
import { PANEL_STYLES } from './panel-styles';

interface Flow {
  from: string;
  to: string;
  event: string;
  subscription: string;
}

interface Service {
  name: string;
  description: string;
  owner: string;
  file: string;
  functions: Array<{ name: string; description: string; triggers: Array<Record<string, unknown>>; deployedAs: string | null }>;
  tables: Array<{ name: string; description: string; stream: boolean; deployedAs: string | null }>;
  publishes: Array<{ event: string; via: string; table?: string }>;
  consumes: Array<{ name: string; target: string; events: string[]; wide?: string; delivery: string }>;
}

const WIDTH = 1100;
const NODE_W = 170;
const NODE_H = 40;

/** Services on an ellipse, one arrow per producer→consumer pair labelled with its events. */
export function FlowDiagram({ services, flows }: { services: string[]; flows: Flow[] }) {
  const height = Math.max(320, 140 * Math.ceil(services.length / 2));
  const centre = { x: WIDTH / 2, y: height / 2 };
  const radius = { x: WIDTH / 2 - NODE_W, y: height / 2 - NODE_H - 10 };
  const position = new Map(
    services.map((name, index) => {
      const angle = Math.PI + (2 * Math.PI * index) / services.length;
      return [name, { x: centre.x + radius.x * Math.cos(angle), y: centre.y + radius.y * Math.sin(angle) }];
    }),
  );
  const pairs = new Map<string, { from: string; to: string; events: string[] }>();
  for (const flow of flows) {
    const key = `${flow.from}→${flow.to}`;
    const pair = pairs.get(key) ?? { from: flow.from, to: flow.to, events: [] };
    pair.events.push(flow.event.replace(/^kestrel\.[a-z-]+ /, ''));
    pairs.set(key, pair);
  }
  return (
    <figure class="flow">
      <svg role="img" aria-labelledby="flow-caption" viewBox={`0 0 ${WIDTH} ${height}`} width={WIDTH} height={height} data-testid="flow-diagram">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#0b5cad" />
          </marker>
        </defs>
        {[...pairs.values()].map((pair) => {
          const from = position.get(pair.from);
          const to = position.get(pair.to);
          if (!from || !to) return null;
          // Curved so that A→B and B→A do not overlap; the end stops at the node's edge.
          const dx = to.x - from.x;
          const dy = to.y - from.y;
          const length = Math.hypot(dx, dy) || 1;
          const end = { x: to.x - (dx / length) * (NODE_W / 2), y: to.y - (dy / length) * (NODE_H / 2 + 4) };
          const control = { x: (from.x + to.x) / 2 - (dy / length) * 40, y: (from.y + to.y) / 2 + (dx / length) * 40 };
          return (
            <g key={`${pair.from}-${pair.to}`}>
              <path d={`M ${from.x} ${from.y} Q ${control.x} ${control.y} ${end.x} ${end.y}`} fill="none" stroke="#0b5cad" stroke-width="1.5" marker-end="url(#arrow)" />
              <text x={control.x} y={control.y} text-anchor="middle">
                {pair.events.map((event, index) => (
                  <tspan key={event} x={control.x} dy={index === 0 ? 0 : 14}>
                    {event}
                  </tspan>
                ))}
              </text>
            </g>
          );
        })}
        {services.map((name) => {
          const at = position.get(name) as { x: number; y: number };
          return (
            <g key={name}>
              <rect x={at.x - NODE_W / 2} y={at.y - NODE_H / 2} width={NODE_W} height={NODE_H} rx="8" fill="#f6f8fa" stroke="#1b1f24" />
              <text x={at.x} y={at.y + 4} text-anchor="middle" font-weight="600">
                {name}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption id="flow-caption">Who publishes what to whom, through the platform bus ({flows.length} subscriptions)</figcaption>
    </figure>
  );
}

function trigger(spec: Record<string, unknown>): string {
  switch (spec.kind) {
    case 'http':
      return `${String(spec.method)} ${String(spec.path)}${spec.auth === 'jwt' ? ' (JWT)' : ''}`;
    case 'event':
      return `event: ${String(spec.subscription)}`;
    case 'cognito':
      return `Cognito ${String(spec.trigger)}`;
    case 'stream':
      return `stream of ${String(spec.table)}`;
    default:
      return String(spec.expression ?? spec.kind);
  }
}

export function ServicesPanel(_: PanelProps) {
  const [answer, setAnswer] = useState<{ services: Service[]; flows: Flow[] }>();
  const [error, setError] = useState<string>();
  useEffect(() => void getJson<{ services: Service[]; flows: Flow[] }>('/_local/services').then(setAnswer, (failure: Error) => setError(failure.message)), []);
  if (error) return <p role="alert">{error}</p>;
  if (!answer) return <p>Loading the manifests…</p>;
  return (
    <section aria-labelledby="services-title">
      <style>{PANEL_STYLES}</style>
      <h2 id="services-title">Services</h2>
      <FlowDiagram services={answer.services.map((service) => service.name)} flows={answer.flows} />
      <div class="cards">
        {answer.services.map((service) => (
          <article class="card" key={service.name} aria-labelledby={`service-${service.name}`}>
            <h3 id={`service-${service.name}`}>{service.name}</h3>
            <p>
              {service.description} <span class="muted">Owner: {service.owner} · {service.file}</span>
            </p>
            <table>
              <caption>Functions</caption>
              <tbody>
                {service.functions.map((fn) => (
                  <tr key={fn.name}>
                    <th scope="row">
                      {fn.deployedAs ? <a href={`#/functions?name=${encodeURIComponent(fn.deployedAs)}`}>{fn.name}</a> : <span title="not deployed">{fn.name} (not deployed)</span>}
                    </th>
                    <td>{fn.triggers.map(trigger).join('; ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p>
              <strong>Tables:</strong>{' '}
              {service.tables.length === 0
                ? 'none'
                : service.tables.map((table, index) => (
                    <span key={table.name}>
                      {index ? ', ' : ''}
                      {table.deployedAs ? <a href={`#/data?table=${encodeURIComponent(table.deployedAs)}`}>{table.name}</a> : `${table.name} (not deployed)`}
                    </span>
                  ))}
            </p>
            <p>
              <strong>Publishes:</strong> {service.publishes.map((publication) => `${publication.event} (${publication.via})`).join(', ') || 'nothing'}
            </p>
            <p>
              <strong>Consumes:</strong>{' '}
              {service.consumes.map((subscription) => `${subscription.name}: ${subscription.wide ? 'every business event' : subscription.events.join(', ')} → ${subscription.target} (${subscription.delivery})`).join('; ') || 'nothing'}
            </p>
          </article>
        ))}
      </div>
    </section>
  );
}
