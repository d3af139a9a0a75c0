import { compareSchemas, verdictOf, REMOVE_AFTER_KEYWORD, type ChangeKind, type SchemaNode, type Verdict } from './compare';
import type { GenerationOutcome } from './generation';
import { patternMayRoute } from './routing';
import { parseLockFile, type ContractVersionId } from './schema-lock';

/** What a service manifest declares it consumes, reduced to what the gate needs. */
export interface ConsumerDeclaration {
  /** Service name (the manifest's `name`). */
  readonly service: string;
  /** Subscription name inside the service (the `consumes[].name`). */
  readonly subscription: string;
  /** The contract versions it names in `events`. */
  readonly events: readonly ContractVersionId[];
  /** The rule's explicit pattern, when it has one (a wide subscription's reaches every contract it matches). */
  readonly pattern?: unknown;
  /**
   * Fields of `detail.data` its handler reads (dotted, `[]` for array items), from the service's
   * `fieldsRead` export. Absent: not declared, so every field counts as read.
   */
  readonly reads?: readonly string[];
}

/** A contract version a service's manifest publishes. */
export interface PublisherDeclaration {
  readonly service: string;
  readonly event: ContractVersionId;
}

/** What the manifests of one commit declare: the head's, or the base's (what is deployed). */
export interface Declarations {
  readonly consumers: readonly ConsumerDeclaration[];
  readonly publishers: readonly PublisherDeclaration[];
}

/** How a change meets one consumer. */
export interface ConsumerImpact {
  /** `service (subscription)`. */
  readonly consumer: string;
  /** Where it is declared: deployed (base), in this change (head), or both. */
  readonly declaredAt: 'base' | 'head' | 'base+head';
  /** Whether the changed field is one it reads (`undeclared`: it does not say, so it counts as read). */
  readonly field: 'reads' | 'not-read' | 'undeclared' | 'envelope';
  /** True when it only reaches the contract through a wide pattern, not by naming the version. */
  readonly wide: boolean;
}

/** One line of the gate's report. */
export interface GateRow {
  /** `source DetailType`. */
  readonly contract: string;
  readonly version: number;
  readonly path: string;
  readonly kind: ChangeKind | 'refuted-by-generation';
  readonly verdict: Verdict;
  /** True when the row blocks the gate (verdict breaking or privacy). */
  readonly breaking: boolean;
  readonly detail: string;
  readonly consumers: readonly ConsumerImpact[];
}

/** What generation found for one contract version. */
export interface GenerationRow {
  readonly contract: string;
  readonly version: number;
  readonly outcomes: readonly GenerationOutcome[];
}

export interface GateReport {
  readonly compared: number;
  readonly rows: readonly GateRow[];
  /** Rows that block: breaking and privacy. */
  readonly breaking: readonly GateRow[];
  readonly review: readonly GateRow[];
  readonly compatible: readonly GateRow[];
  readonly generation: readonly GenerationRow[];
  /** Things the reader should know about how the gate ran (e.g. where deployed consumers came from). */
  readonly notes: readonly string[];
}

export interface GateInput {
  /** Schema lock at the base ref, keyed by lock file path. */
  readonly base: ReadonlyMap<string, SchemaNode>;
  /** Schemas the current code generates, keyed the same way. */
  readonly current: ReadonlyMap<string, SchemaNode>;
  /** The head's manifests. */
  readonly head: Declarations;
  /** The base's manifests (what is deployed); undefined when the base has no manifest lock yet. */
  readonly deployed?: Declarations;
  /** Runs the generation property for a version present on both sides (lock file path). */
  readonly generate?: (file: string) => readonly GenerationOutcome[];
  readonly notes?: readonly string[];
}

const sameVersion = (a: ContractVersionId, b: ContractVersionId) => a.source === b.source && a.detailType === b.detailType && a.version === b.version;

interface Reach {
  readonly declaration: ConsumerDeclaration;
  readonly declaredAt: ConsumerImpact['declaredAt'];
  /** Names the version in `events` (as opposed to reaching it by a pattern only). */
  readonly names: boolean;
}

/** Every subscription, from the base and the head, that names `id` or whose pattern may deliver it. */
function reachOf(id: ContractVersionId, head: Declarations, deployed: Declarations | undefined): Reach[] {
  const found = new Map<string, Reach>();
  const visit = (declarations: Declarations | undefined, at: 'base' | 'head') => {
    for (const declaration of declarations?.consumers ?? []) {
      const names = declaration.events.some((e) => sameVersion(e, id));
      const patterned = declaration.pattern !== undefined && patternMayRoute(declaration.pattern, id);
      if (!names && !patterned) continue;
      const key = `${declaration.service}\u0000${declaration.subscription}`;
      const previous = found.get(key);
      found.set(key, {
        // The deployed declaration decides what a deployed handler reads.
        declaration: previous && at === 'head' ? previous.declaration : declaration,
        declaredAt: previous ? 'base+head' : at,
        names: names || (previous?.names ?? false),
      });
    }
  };
  visit(deployed, 'base');
  visit(head, 'head');
  return [...found.values()].sort((a, b) => label(a.declaration).localeCompare(label(b.declaration)));
}

function label(declaration: ConsumerDeclaration): string {
  return `${declaration.service} (${declaration.subscription})`;
}

/** `detail.data.items[].sku` → `items[].sku`; undefined outside `detail.data`. */
function dataPath(path: string): string | undefined {
  const prefix = 'detail.data.';
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

function overlaps(read: string, changed: string): boolean {
  const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return within(read, changed) || within(changed, read);
}

function impactOf(reach: Reach, path: string): ConsumerImpact {
  const changed = dataPath(path);
  const reads = reach.declaration.reads;
  const field: ConsumerImpact['field'] =
    changed === undefined ? 'envelope' : reads === undefined ? 'undeclared' : reads.some((read) => overlaps(read, changed)) ? 'reads' : 'not-read';
  return { consumer: label(reach.declaration), declaredAt: reach.declaredAt, field, wide: !reach.names };
}

function row(contract: string, version: number, path: string, kind: GateRow['kind'], detail: string, consumers: readonly ConsumerImpact[]): GateRow {
  const verdict: Verdict = kind === 'refuted-by-generation' ? 'breaking' : verdictOf(kind);
  return { contract, version, path, kind, verdict, breaking: verdict === 'breaking' || verdict === 'privacy', detail, consumers };
}

/** The base lock's removal deadline of a field (`x-kestrel-remove-after`), walking `detail.data...` plainly. */
function removalDeadline(schema: SchemaNode, path: string): string | undefined {
  let node: unknown = schema;
  for (const key of path.split('.')) {
    const properties = (node as SchemaNode | undefined)?.properties as SchemaNode | undefined;
    node = properties?.[key];
  }
  const deadline = (node as SchemaNode | undefined)?.[REMOVE_AFTER_KEYWORD];
  return typeof deadline === 'string' ? deadline : undefined;
}

/**
 * Compares the schema lock at the base ref with the schemas the current code generates and reports
 * every change with the consumers it meets, deployed (base manifests) or moving in this change (head):
 *
 * - a kept version's changes, by `compareSchemas`; an optional field no consumer reads (all declare
 *   `fieldsRead`) may go as a compatible retirement;
 * - a version gone while any base or head consumer names it breaks it, even when the head moved
 *   that consumer: services deploy one at a time, so the deployed one may still run;
 * - a version a consumer names that no head manifest publishes any more breaks it too;
 * - a version with no blocking row whose generation found a counterexample is a gate bug.
 *
 * @example
 * ```ts
 * const report = evaluateGate({ base, current, head, deployed });
 * if (report.breaking.length > 0) console.log(formatGateReport(report, 'origin/main'));
 * ```
 */
export function evaluateGate(input: GateInput): GateReport {
  const { base, current, head, deployed } = input;
  const rows: GateRow[] = [];
  const generation: GenerationRow[] = [];
  const files = [...new Set([...base.keys(), ...current.keys()])].sort();
  let compared = 0;
  for (const file of files) {
    const id = parseLockFile(file);
    if (!id) continue;
    const contract = `${id.source} ${id.detailType}`;
    const reach = reachOf(id, head, deployed);
    const whole = reach.map((r) => impactOf(r, '(whole version)'));
    const before = base.get(file);
    const after = current.get(file);
    if (before && !after) {
      const naming = reach.filter((r) => r.names);
      rows.push(
        naming.length > 0
          ? row(contract, id.version, '(whole version)', 'version-removed', `version removed while ${naming.map((r) => `${label(r.declaration)} [${r.declaredAt}]`).join(', ')} still name it; a consumer deployed before this change keeps its rule until it redeploys`, whole)
          : row(contract, id.version, '(whole version)', 'version-retired', 'version removed; no deployed or changed consumer names it', whole),
      );
      continue;
    }
    if (!before && after) {
      rows.push(row(contract, id.version, '(whole version)', 'version-added', 'new version published', whole));
    }
    if (after) {
      const named = reach.filter((r) => r.names);
      const publishing = head.publishers.filter((p) => sameVersion(p.event, id));
      if (named.length > 0 && publishing.length === 0) {
        rows.push(row(contract, id.version, '(publishers)', 'consumed-version-unpublished', `no manifest publishes it, yet ${named.map((r) => label(r.declaration)).join(', ')} consume it`, whole));
      }
    }
    if (!before || !after) continue;
    compared += 1;
    const versionRows: GateRow[] = [];
    for (const change of compareSchemas(before, after)) {
      const path = change.path === '' ? '(event)' : change.path;
      const impacts = reach.map((r) => impactOf(r, path));
      if (change.kind === 'optional-field-removed' && impacts.every((impact) => impact.field === 'not-read')) {
        const deadline = removalDeadline(before, path);
        const readers = impacts.length === 0 ? 'no consumer reaches it' : 'no consumer reads it (all declare fieldsRead)';
        versionRows.push(
          row(contract, id.version, path, 'optional-field-retired', `optional field removed; ${readers}; ${deadline ? `deprecated with removal date ${deadline}` : 'removed without a deprecation date (mark it deprecated with removeAfter first, so readers added meanwhile are warned)'}`, impacts),
        );
        continue;
      }
      versionRows.push(row(contract, id.version, path, change.kind, change.detail, impacts));
    }
    rows.push(...versionRows);
    if (input.generate) {
      const outcomes = input.generate(file);
      generation.push({ contract, version: id.version, outcomes });
      const blocked = versionRows.some((r) => r.breaking);
      for (const outcome of outcomes) {
        if (!outcome.counterexample || blocked) continue;
        const who = outcome.direction === 'forward' ? 'a consumer deployed with the base rejects an event the current producer may publish' : 'the current consumer rejects an event the base producer may have published (replay)';
        rows.push(
          row(contract, id.version, '(generated event)', 'refuted-by-generation', `gate bug: no breaking change found, yet ${who}: ${outcome.counterexample.issues}; event data ${JSON.stringify((outcome.counterexample.event as { detail?: { data?: unknown } }).detail?.data)}`, whole),
        );
      }
    }
  }
  const notes = [...(input.notes ?? [])];
  return {
    compared,
    rows,
    breaking: rows.filter((r) => r.breaking),
    review: rows.filter((r) => r.verdict === 'review'),
    compatible: rows.filter((r) => r.verdict === 'compatible'),
    generation,
    notes,
  };
}

function table(headers: readonly string[], lines: readonly (readonly string[])[]): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const widths = headers.map((header, column) => Math.max(header.length, ...lines.map((line) => escape(line[column] ?? '').length)));
  const render = (cells: readonly string[]) => `| ${cells.map((cell, column) => escape(cell).padEnd(widths[column]!)).join(' | ')} |`;
  return [render(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(render)].join('\n');
}

function describeImpact(impact: ConsumerImpact): string {
  const field = { reads: 'reads it', 'not-read': 'does not read it', undeclared: 'reads: not declared', envelope: 'envelope' }[impact.field];
  const flags = [impact.declaredAt === 'base' ? 'deployed' : impact.declaredAt === 'head' ? 'new in this change' : undefined, impact.wide ? 'wide' : undefined, impact.field === 'envelope' ? undefined : field];
  return `${impact.consumer}${flags.some(Boolean) ? ` [${flags.filter(Boolean).join(', ')}]` : ''}`;
}

function describeGeneration(rows: readonly GenerationRow[]): string[] {
  if (rows.length === 0) return [];
  const outcomes = rows.flatMap((r) => r.outcomes.map((o) => ({ ...o, contract: `${r.contract} v${r.version}` })));
  const parsed = outcomes.reduce((sum, o) => sum + o.parsed, 0);
  const found = outcomes.filter((o) => o.counterexample);
  const skipped = outcomes.filter((o) => o.skipped);
  const lines = [`Generation: ${parsed} generated event(s) parsed across ${rows.length} kept version(s), both ways (new events by deployed consumers, archived events by the new code).`];
  for (const o of found) {
    lines.push(`- ${o.contract} ${o.direction}: rejected ${JSON.stringify((o.counterexample!.event as { detail?: { data?: unknown } }).detail?.data)}: ${o.counterexample!.issues}`);
  }
  for (const o of skipped) lines.push(`- ${o.contract} ${o.direction}: not generated (${o.skipped})`);
  return lines;
}

/** Renders the report as Markdown (the terminal, the log and the pull-request comment). */
export function formatGateReport(report: GateReport, baseRef: string): string {
  const out: string[] = [];
  const headers = ['Contract', 'Version', 'Path', 'Change', 'Detail', 'Consumers affected'];
  const cells = (r: GateRow) => [r.contract, `v${r.version}`, r.path, r.kind, r.detail, r.consumers.map(describeImpact).join('; ') || 'none'];
  out.push(`Contract compatibility against ${baseRef}: ${report.compared} contract version(s) compared.`);
  if (report.breaking.length > 0) {
    const privacy = report.breaking.filter((r) => r.verdict === 'privacy').length;
    out.push('', `FAILED: ${report.breaking.length} blocking change(s)${privacy > 0 ? ` (${privacy} privacy)` : ''}:`, '', table(headers, report.breaking.map(cells)));
    out.push(
      '',
      'Producers deploy first, consumers lag, archives are replayed: keep the change inside what deployed consumers accept',
      'and what archived events contain, or publish it as a new version alongside the old one. See docs/events.md.',
    );
  } else {
    out.push('OK: no breaking change.');
  }
  if (report.review.length > 0) out.push('', `REVIEW: ${report.review.length} change(s) the gate could neither prove nor refute:`, '', table(headers, report.review.map(cells)));
  if (report.compatible.length > 0) out.push('', `${report.compatible.length} compatible change(s):`, '', table(headers, report.compatible.map(cells)));
  const generation = describeGeneration(report.generation);
  if (generation.length > 0) out.push('', ...generation);
  if (report.notes.length > 0) out.push('', ...report.notes.map((note) => `Note: ${note}`));
  return out.join('\n');
}
