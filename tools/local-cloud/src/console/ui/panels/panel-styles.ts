/** Styles of the functions, services, explorer and data panels (kept apart from the shell's sheet). */
export const PANEL_STYLES = `
.two-columns { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; }
.block { display: block; margin: 8px 0; }
.block textarea, .block input { display: block; width: 100%; margin-top: 4px; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
.log-lines { list-style: none; padding: 0; margin: 8px 0; max-height: 560px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
.log-lines li { padding: 2px 8px; border-bottom: 1px solid var(--bg-alt); font-size: 12px; }
.log-json { margin: 2px 0 4px; max-height: none; }
tr[aria-selected="true"] { background: #e8f0fb; }
.flow svg { border: 1px solid var(--line); border-radius: 6px; background: #fff; }
.flow text { font: 12px system-ui, sans-serif; fill: var(--fg); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; }
.card h3 { margin: 4px 0; }
.items-table { table-layout: fixed; }
.items-table th:nth-child(1) { width: 130px; }
.items-table th:nth-child(2) { width: 300px; }
.items-table td { overflow-wrap: anywhere; }
.items-table pre, .log-json { white-space: pre-wrap; overflow-wrap: anywhere; }
.status-2xx { color: var(--good); font-weight: 600; }
.status-other { color: var(--bad); font-weight: 600; }
`;
