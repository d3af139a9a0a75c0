// Size and cold load of EVERY function of EVERY service (apps/*/service.ts), built with the
// platform's bundle settings (tools/bundle): minified bytes, gzip bytes, and cold module load in a
// fresh Node process (median and minimum of 7; each process imports the bundle once, timed inside
// it, module evaluation included). The machine's load average is recorded beside the figures:
// other work on a 2-core machine inflates cold loads, and the minimum is the least disturbed.
// Targets: <= 250 KB minified, <= 60 ms cold load (median).
// Writes bench-results/handlers.json and prints a pass/fail table.
// Run: npx nx run bundle:bench-handlers [-- --runs 7 --service customers]
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleService, coldLoadMs, loadManifest, median } from '../src/index';

const { values: args } = parseArgs({ options: { runs: { type: 'string' }, service: { type: 'string', multiple: true } } });
const RUNS = Number(args.runs ?? 7);
const TARGET_BYTES = 250 * 1024;
const TARGET_COLD_MS = 60;

const projectDir = fileURLToPath(new URL('..', import.meta.url));
const workspaceRoot = join(projectDir, '..', '..');
const resultsFile = join(projectDir, 'bench-results', 'handlers.json');

const round = (value: number) => Number(value.toFixed(1));
const loadAverage = () => loadavg().map((load) => Number(load.toFixed(2)));

/** What a function sees in Lambda, so module-level wiring runs as it would there. */
function lambdaEnvironment(tables: string[], functionName: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_NO_WARNINGS: '1',
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
  };
  for (const table of tables) env[`TABLE_NAME_${table.replace(/[^a-zA-Z0-9]/g, '_').toUpperCase()}`] = `kestrel-bench-${table}`;
  return env;
}


const services = readdirSync(join(workspaceRoot, 'apps'))
  .filter((name) => existsSync(join(workspaceRoot, 'apps', name, 'service.ts')))
  .filter((name) => !args.service || args.service.includes(name))
  .sort();

const loadAtStart = loadAverage();
const outRoot = mkdtempSync(join(tmpdir(), 'kestrel-handlers-bench-'));
const rows: Array<Record<string, unknown> & { service: string; function: string; bytes: number; coldLoadMedianMs: number | null }> = [];
try {
  for (const service of services) {
    const serviceDir = join(workspaceRoot, 'apps', service);
    const manifest = await loadManifest(serviceDir);
    const bundles = await bundleService({ serviceDir, outDir: join(outRoot, service) });
    for (const bundle of bundles) {
      // Outside the repository, as Lambda would load it: nothing resolvable above the bundle.
      const taskRoot = mkdtempSync(join(tmpdir(), `kestrel-task-${bundle.functionName}-`));
      cpSync(join(outRoot, service, bundle.functionName), taskRoot, { recursive: true });
      const env = lambdaEnvironment(Object.keys(manifest.tables ?? {}), bundle.functionName);
      const file = join(taskRoot, 'index.mjs');
      let loads: number[] = [];
      let loadError: string | undefined;
      try {
        coldLoadMs(file, { env }); // warms the OS file cache: the runs measure evaluation, not the disk
        loads = Array.from({ length: RUNS }, () => coldLoadMs(file, { env }));
      } catch (error) {
        loadError = String((error as { stderr?: string }).stderr ?? error).split('\n').find((line) => /Error/.test(line)) ?? String(error);
      }
      rmSync(taskRoot, { recursive: true, force: true });
      const coldLoadMedianMs = loads.length > 0 ? round(median(loads)) : null;
      rows.push({
        service,
        function: bundle.functionName,
        bytes: bundle.bytes,
        gzipBytes: bundle.gzipBytes,
        coldLoadMedianMs,
        coldLoadMinMs: loads.length > 0 ? round(Math.min(...loads)) : null,
        ...(loadError ? { loadError } : {}),
        withinSizeTarget: bundle.bytes <= TARGET_BYTES,
        withinColdLoadTarget: coldLoadMedianMs !== null && coldLoadMedianMs <= TARGET_COLD_MS,
        topInputs: bundle.byPackage.slice(0, 6),
      });
    }
  }
} finally {
  rmSync(outRoot, { recursive: true, force: true });
}

const report = {
  measuredAt: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  // 1-, 5- and 15-minute load averages; on a 2-core machine anything above ~2 inflates cold loads.
  loadAverageAtStart: loadAtStart,
  loadAverageAtEnd: loadAverage(),
  runs: RUNS,
  targets: { bytes: TARGET_BYTES, coldLoadMs: TARGET_COLD_MS },
  summary: {
    functions: rows.length,
    withinSizeTarget: rows.filter((row) => row.withinSizeTarget).length,
    withinColdLoadTarget: rows.filter((row) => row.withinColdLoadTarget).length,
  },
  functions: rows,
};
mkdirSync(join(projectDir, 'bench-results'), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const header = ['service', 'function', 'minified', 'gzip', 'cold median', 'cold min', 'size', 'load'];
const table = rows.map((row) => [
  row.service,
  row.function,
  kb(row.bytes),
  kb(row.gzipBytes as number),
  row.coldLoadMedianMs === null ? 'failed' : `${row.coldLoadMedianMs} ms`,
  row.coldLoadMinMs === null ? '-' : `${row.coldLoadMinMs as number} ms`,
  row.withinSizeTarget ? 'pass' : 'FAIL',
  row.withinColdLoadTarget ? 'pass' : 'FAIL',
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((cells) => (cells[i] as string).length)));
const line = (cells: string[]) => cells.map((cell, i) => (i >= 2 && i <= 5 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number))).join('  ').trimEnd();
console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...table.map(line)].join('\n'));
for (const row of rows.filter((r) => r.loadError)) console.log(`${row.service}/${row.function} failed to load: ${row.loadError as string}`);
console.log(
  `\n${report.summary.withinSizeTarget}/${rows.length} within ${kb(TARGET_BYTES)}, ${report.summary.withinColdLoadTarget}/${rows.length} within ${TARGET_COLD_MS} ms ` +
    `(node ${process.version}, load average ${loadAtStart.join(' ')} → ${report.loadAverageAtEnd.join(' ')}; ${RUNS} runs each)`,
);
console.log(`wrote ${resultsFile}`);
