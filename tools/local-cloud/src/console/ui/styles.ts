/** One small stylesheet: readable contrast (WCAG AA), visible focus, a layout that works from 1280 px. */
export const STYLES = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #4b5563; --accent: #0b5cad; --bad: #b42318; --good: #146c2e; --line: #d0d7de; --bg-alt: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
header { display: flex; align-items: center; gap: 24px; padding: 8px 16px; border-bottom: 1px solid var(--line); background: var(--bg-alt); position: sticky; top: 0; }
header h1 { font-size: 16px; margin: 0; }
nav ul { display: flex; gap: 4px; list-style: none; margin: 0; padding: 0; flex-wrap: wrap; }
nav a { display: block; padding: 6px 10px; border-radius: 6px; color: var(--accent); text-decoration: none; }
nav a[aria-current="page"] { background: var(--accent); color: #fff; }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, tr:focus-visible { outline: 3px solid #f59e0b; outline-offset: 1px; }
main { padding: 16px; min-width: 1248px; max-width: 1800px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg-alt); }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: var(--bg-alt); padding: 8px; overflow: auto; max-height: 480px; border: 1px solid var(--line); border-radius: 6px; }
button { font: inherit; padding: 4px 10px; border: 1px solid var(--accent); background: #fff; color: var(--accent); border-radius: 6px; cursor: pointer; }
button.primary { background: var(--accent); color: #fff; }
input, select, textarea { font: inherit; padding: 4px 6px; border: 1px solid #8c959f; border-radius: 4px; }
label { margin-right: 8px; }
.bad { color: var(--bad); }
.good { color: var(--good); }
.muted { color: var(--muted); }
`;
