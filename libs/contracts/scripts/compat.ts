// Compatibility gate: `nx run contracts:compat --base=<git ref>`. Compares the schema lock
// committed at the base ref with the schemas the current code generates and exits 1 when a
// contract version changed incompatibly, printing which consumers each break affects.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { allContracts, toJsonSchema, type AnyEventContract } from '../src/index';
import type { SchemaNode } from '../compat/compare';
import { evaluateGate, formatGateReport, type ConsumerDeclaration } from '../compat/gate';
import { lockFileFor, parseLockFile, type ContractVersionId } from '../compat/schema-lock';
import { SCHEMA_LOCK_DIR } from './export-schemas';

export interface CompatGateOptions {
  /** Git ref holding the published schema lock; default `origin/main`, else `main`. */
  base?: string;
  /** Repository root; default the repository containing this script. */
  repoRoot?: string;
  /** Lock folder relative to the repository root; default libs/contracts/schemas. */
  lockDir?: string;
  /** Contracts of the current code; default every registered contract. */
  contracts?: readonly AnyEventContract[];
  /** Folder of services relative to the repository root; default apps. */
  appsDir?: string;
  log?: (text: string) => void;
}

class GateSetupError extends Error {}

function git(repoRoot: string, args: readonly string[]): string {
  return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

function refExists(repoRoot: string, ref: string): boolean {
  try {
    git(repoRoot, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/** The explicit base, or `origin/main` when it exists (CI), else local `main`. */
export function resolveBase(repoRoot: string, requested?: string): string {
  const candidates = requested ? [requested] : ['origin/main', 'main'];
  const found = candidates.find((ref) => refExists(repoRoot, ref));
  if (!found) {
    throw new GateSetupError(`Base ref ${candidates.join(' / ')} not found; fetch it (git fetch origin main) or pass --base=<ref>.`);
  }
  return found;
}

/** The schema lock as committed at `ref`, keyed by lock file path; empty when the folder did not exist yet. */
export function readLockAtRef(repoRoot: string, ref: string, lockDir: string): Map<string, SchemaNode> {
  const prefix = `${lockDir.replace(/\/+$/, '')}/`;
  const files = git(repoRoot, ['ls-tree', '-r', '--name-only', ref, '--', prefix]).split('\n').filter(Boolean);
  const lock = new Map<string, SchemaNode>();
  for (const file of files) {
    const relativePath = file.slice(prefix.length);
    if (!parseLockFile(relativePath)) continue;
    lock.set(relativePath, JSON.parse(git(repoRoot, ['show', `${ref}:${file}`])) as SchemaNode);
  }
  return lock;
}

function isVersionId(value: unknown): value is ContractVersionId {
  const v = value as Partial<ContractVersionId> | null;
  return typeof v === 'object' && v !== null && typeof v.source === 'string' && typeof v.detailType === 'string' && typeof v.version === 'number';
}

/**
 * Reads `name` and `consumes[].events` from every `apps/<service>/service.ts` manifest (default
 * export). Only those fields are read, so the gate works whatever else manifests grow.
 */
export async function loadConsumers(repoRoot: string, appsDir = 'apps'): Promise<ConsumerDeclaration[]> {
  const root = join(repoRoot, appsDir);
  if (!existsSync(root)) return [];
  const declarations: ConsumerDeclaration[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const file = join(root, entry.name, 'service.ts');
    if (!existsSync(file)) continue;
    const manifest = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default as
      | { name?: unknown; consumes?: unknown }
      | undefined;
    const where = relative(repoRoot, file);
    if (typeof manifest?.name !== 'string') throw new GateSetupError(`${where}: default export must be a manifest with a string name`);
    const consumes = manifest.consumes ?? [];
    if (!Array.isArray(consumes)) throw new GateSetupError(`${where}: consumes must be an array`);
    consumes.forEach((subscription: { name?: unknown; events?: unknown }, index) => {
      const events = subscription?.events;
      if (!Array.isArray(events) || !events.every(isVersionId)) {
        throw new GateSetupError(`${where}: consumes[${index}].events must list { source, detailType, version }`);
      }
      declarations.push({
        service: manifest.name as string,
        subscription: typeof subscription.name === 'string' ? subscription.name : `consumes[${index}]`,
        events: events.map(({ source, detailType, version }) => ({ source, detailType, version })),
      });
    });
  }
  return declarations;
}

/** Runs the gate and returns the exit code: 0 compatible, 1 breaking change, 2 could not run. */
export async function runCompatGate(options: CompatGateOptions = {}): Promise<number> {
  const log = options.log ?? ((text: string) => console.log(text));
  try {
    const repoRoot = options.repoRoot ?? git(fileURLToPath(new URL('.', import.meta.url)), ['rev-parse', '--show-toplevel']).trim();
    const lockDir = options.lockDir ?? relative(repoRoot, SCHEMA_LOCK_DIR).split('\\').join('/');
    const base = resolveBase(repoRoot, options.base);
    const baseLock = readLockAtRef(repoRoot, base, lockDir);
    const current = new Map<string, SchemaNode>(
      (options.contracts ?? allContracts()).map((contract) => [lockFileFor(contract), toJsonSchema(contract) as SchemaNode]),
    );
    const consumers = await loadConsumers(repoRoot, options.appsDir);
    const report = evaluateGate(baseLock, current, consumers);
    log(formatGateReport(report, base));
    return report.breaking.length > 0 ? 1 : 0;
  } catch (error) {
    log(`Contract compatibility gate could not run: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}

function parseArgs(argv: readonly string[]): { base?: string } {
  const args: { base?: string } = {};
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg.startsWith('--base=')) args.base = arg.slice('--base='.length);
    else if (arg === '--base' && argv[index + 1] !== undefined) args.base = argv[++index];
  }
  return args;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { base } = parseArgs(process.argv.slice(2));
  process.exitCode = await runCompatGate(base === undefined || base === '' ? {} : { base });
}
