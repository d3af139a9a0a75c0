// "Who feeds whom" as an inline SVG, laid out in columns: a service sits one column right of the
// rightmost service feeding it, so data flows left to right. No layout library: the graph has a
// handful of nodes and this rule keeps it readable.
import type { Catalog } from '../model';
import { esc, servicePage } from './pages';

const NODE_WIDTH = 180;
const NODE_HEIGHT = 44;
const COLUMN_GAP = 110;
const ROW_GAP = 36;
const MARGIN = 30;

/** Column of each service: 0 for services nothing feeds, else one past the furthest feeder (cycles cut). */
export function graphColumns(nodes: readonly string[], edges: readonly { from: string; to: string }[]): Map<string, number> {
  const column = new Map(nodes.map((n) => [n, 0]));
  const links = edges.filter((e) => e.from !== e.to);
  // Longest path by relaxation; a cycle would grow forever, so stop after |nodes| rounds.
  for (let round = 0; round < nodes.length; round += 1) {
    let changed = false;
    for (const { from, to } of links) {
      const next = (column.get(from) ?? 0) + 1;
      if (next > (column.get(to) ?? 0) && next < nodes.length) {
        column.set(to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return column;
}

/**
 * The service graph as an accessible inline SVG: each service a link to its page, each arrow
 * titled with the events it carries.
 */
export function renderGraph(catalog: Catalog, up = ''): string {
  const withManifest = new Set(catalog.services.map((s) => s.name));
  const nodes = [...new Set([...catalog.services.map((s) => s.name), ...catalog.edges.flatMap((e) => [e.from, e.to])])].sort();
  const columns = graphColumns(nodes, catalog.edges);
  const rows = new Map<number, string[]>();
  for (const node of nodes) rows.set(columns.get(node)!, [...(rows.get(columns.get(node)!) ?? []), node]);
  const position = new Map<string, { x: number; y: number }>();
  for (const [column, members] of rows) {
    members.forEach((node, row) => position.set(node, { x: MARGIN + column * (NODE_WIDTH + COLUMN_GAP), y: MARGIN + 70 + row * (NODE_HEIGHT + ROW_GAP) }));
  }
  const width = MARGIN * 2 + Math.max(1, rows.size) * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP;
  const height = MARGIN * 2 + 70 + Math.max(1, ...[...rows.values()].map((m) => m.length)) * (NODE_HEIGHT + ROW_GAP);

  const edges = catalog.edges.map((edge) => {
    const a = position.get(edge.from)!;
    const b = position.get(edge.to)!;
    const title = `<title>${esc(edge.from)} feeds ${esc(edge.to)}: ${esc(edge.events.map((id) => id.split('.').pop()).join(', '))}</title>`;
    const label = `${edge.events.length} event${edge.events.length === 1 ? '' : 's'}`;
    if (edge.from === edge.to) {
      const x = a.x + NODE_WIDTH - 40;
      return `<g>${title}<path class="edge" marker-end="url(#arrow)" d="M${x} ${a.y} C${x} ${a.y - 34} ${x + 44} ${a.y - 34} ${x + 30} ${a.y}"/><text class="count" x="${x + 46}" y="${a.y - 20}">${label}</text></g>`;
    }
    const x1 = a.x + NODE_WIDTH;
    const y1 = a.y + NODE_HEIGHT / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_HEIGHT / 2;
    const span = (columns.get(edge.to) ?? 0) - (columns.get(edge.from) ?? 0);
    // Neighbouring columns: a plain S-curve. Longer or backward edges arc above the rows so they
    // never run behind a service box in between.
    const bend = span === 1 ? (x2 - x1) / 2 : 90;
    const c1 = { x: x1 + bend, y: span === 1 ? y1 : MARGIN - 20 };
    const c2 = { x: x2 - bend, y: span === 1 ? y2 : MARGIN - 20 };
    const d = `M${x1} ${y1} C${c1.x} ${c1.y} ${c2.x} ${c2.y} ${x2 - 2} ${y2}`;
    // Label at the curve's midpoint (t = 0.5 of the cubic Bézier).
    const mx = (x1 + 3 * c1.x + 3 * c2.x + x2) / 8;
    const my = (y1 + 3 * c1.y + 3 * c2.y + y2) / 8;
    return `<g>${title}<path class="edge" marker-end="url(#arrow)" d="${d}"/><text class="count" x="${mx}" y="${my - 6}" text-anchor="middle">${label}</text></g>`;
  });

  const nodeMarkup = nodes.map((node) => {
    const { x, y } = position.get(node)!;
    const box = `<rect x="${x}" y="${y}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="6"/><text x="${x + NODE_WIDTH / 2}" y="${y + 27}" text-anchor="middle">${esc(node)}</text>`;
    return withManifest.has(node)
      ? `<a class="node" href="${up}${servicePage(node)}" aria-label="Service ${esc(node)}">${box}</a>`
      : `<g class="node" aria-label="${esc(node)} (no manifest yet)">${box}</g>`;
  });

  return `<svg xmlns="http://www.w3.org/2000/svg" role="group" aria-labelledby="graph-title" aria-describedby="graph-desc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<title id="graph-title">Which service feeds which</title>
<desc id="graph-desc">${esc(catalog.edges.map((e) => `${e.from} feeds ${e.to} with ${e.events.length} event(s)`).join('; ') || 'No subscriptions yet')}</desc>
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#3d4451"/></marker></defs>
${edges.join('\n')}
${nodeMarkup.join('\n')}
</svg>`;
}
