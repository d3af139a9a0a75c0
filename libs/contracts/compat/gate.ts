import { compareSchemas, type ChangeKind, type SchemaNode } from './compare';
import { parseLockFile, type ContractVersionId } from './schema-lock';

/** What a service manifest declares it consumes, reduced to what the gate needs. */
export interface ConsumerDeclaration {
  /** Service name (the manifest's `name`). */
  readonly service: string;
  /** Subscription name inside the service (the `consumes[].name`). */
  readonly subscription: string;
  readonly events: readonly ContractVersionId[];
}

/** One line of the gate's report. */
export interface GateRow {
  /** `source DetailType`. */
  readonly contract: string;
  readonly version: number;
  readonly path: string;
  readonly kind: ChangeKind;
  readonly breaking: boolean;
  readonly detail: string;
  /** `service (subscription)` for every declared consumer of this exact version. */
  readonly consumers: readonly string[];
}

export interface GateReport {
  readonly compared: number;
  readonly rows: readonly GateRow[];
  readonly breaking: readonly GateRow[];
  readonly compatible: readonly GateRow[];
}

function consumersOf(id: ContractVersionId, consumers: readonly ConsumerDeclaration[]): string[] {
  return consumers
    .filter((c) => c.events.some((e) => e.source === id.source && e.detailType === id.detailType && e.version === id.version))
    .map((c) => `${c.service} (${c.subscription})`);
}

/**
 * Compares the schema lock at the base ref with the schemas the current code generates (both keyed
 * by lock file path) and reports every change. A version present at base but gone now breaks its
 * declared consumers; with none left it is a retirement, the normal end of a version's life.
 *
 * @example
 * ```ts
 * const report = evaluateGate(baseLock, currentLock, consumers);
 * if (report.breaking.length > 0) console.log(formatGateReport(report, 'origin/main'));
 * ```
 */
export function evaluateGate(
  base: ReadonlyMap<string, SchemaNode>,
  current: ReadonlyMap<string, SchemaNode>,
  consumers: readonly ConsumerDeclaration[],
): GateReport {
  const rows: GateRow[] = [];
  const files = [...new Set([...base.keys(), ...current.keys()])].sort();
  let compared = 0;
  for (const file of files) {
    const id = parseLockFile(file);
    if (!id) continue;
    const contract = `${id.source} ${id.detailType}`;
    const affected = consumersOf(id, consumers);
    const before = base.get(file);
    const after = current.get(file);
    if (before && !after) {
      rows.push(
        affected.length > 0
          ? { contract, version: id.version, path: '(whole version)', kind: 'version-removed', breaking: true, detail: 'version removed while consumers still declare it', consumers: affected }
          : { contract, version: id.version, path: '(whole version)', kind: 'version-retired', breaking: false, detail: 'version removed; no consumer declares it', consumers: [] },
      );
      continue;
    }
    if (!before && after) {
      rows.push({ contract, version: id.version, path: '(whole version)', kind: 'version-added', breaking: false, detail: 'new version published', consumers: affected });
      continue;
    }
    if (!before || !after) continue;
    compared += 1;
    for (const change of compareSchemas(before, after)) {
      rows.push({ contract, version: id.version, ...change, path: change.path === '' ? '(event)' : change.path, consumers: affected });
    }
  }
  return { compared, rows, breaking: rows.filter((r) => r.breaking), compatible: rows.filter((r) => !r.breaking) };
}

function table(headers: readonly string[], lines: readonly (readonly string[])[]): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  const widths = headers.map((header, column) => Math.max(header.length, ...lines.map((line) => escape(line[column] ?? '').length)));
  const render = (cells: readonly string[]) => `| ${cells.map((cell, column) => escape(cell).padEnd(widths[column]!)).join(' | ')} |`;
  return [render(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(render)].join('\n');
}

/** Renders the report as Markdown (readable in a terminal and pasteable into a pull request). */
export function formatGateReport(report: GateReport, baseRef: string): string {
  const out: string[] = [];
  const headers = ['Contract', 'Version', 'Path', 'Break', 'Detail', 'Consumers affected'];
  const cells = (row: GateRow) => [row.contract, `v${row.version}`, row.path, row.kind, row.detail, row.consumers.join(', ') || 'none declared'];
  out.push(`Contract compatibility against ${baseRef}: ${report.compared} contract version(s) compared.`);
  if (report.breaking.length > 0) {
    out.push('', `FAILED: ${report.breaking.length} breaking change(s) kept the same version:`, '', table(headers, report.breaking.map(cells)));
    out.push(
      '',
      'Make the change compatible (optional field, loosened constraint), or publish it as a new version',
      'alongside the old one until every consumer has moved. See libs/contracts/README.md.',
    );
  } else {
    out.push('OK: no breaking change.');
  }
  if (report.compatible.length > 0) {
    out.push('', `${report.compatible.length} compatible change(s):`, '', table(headers.map((h) => (h === 'Break' ? 'Change' : h)), report.compatible.map(cells)));
  }
  return out.join('\n');
}
