// Compatibility gate: `nx run contracts:compat --base=<git ref> [--events=N] [--report=<file>]`.
// Compares the schema lock committed at the base ref with the schemas the current code generates,
// meets every change with the consumers deployed (the base's manifest lock) and changed (the head's
// manifests), checks the verdicts by generation, and exits 1 when something blocks.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
// The contracts (src/) and generation (which imports them) are loaded inside the gate's error
// handling: a malformed contract fails at module load, and must be one line with exit 2, not a stack trace.
import type { AnyEventContract } from '../src/index';
import type { SchemaNode } from '../compat/compare';
import { evaluateGate, formatGateReport, type ConsumerDeclaration, type Declarations, type PublisherDeclaration } from '../compat/gate';
import { MANIFEST_LOCK_FILE, parseManifestLock, serialiseManifestLock } from '../compat/manifest-lock';
import { lockFileFor, parseLockFile, type ContractVersionId } from '../compat/schema-lock';
import { SCHEMA_LOCK_DIR } from './paths';

export interface CompatGateOptions {
  /** Git ref holding the published schema lock; default `origin/main`, else `main`. */
  base?: string;
  /** Repository root; default the repository containing this script. */
  repoRoot?: string;
  /** Lock folder relative to the repository root; default libs/contracts/schemas. */
  lockDir?: string;
  /** Contracts of the current code; default every registered contract. */
  contracts?: readonly AnyEventContract[];
  /** Loads the registered contracts when `contracts` is not given (a test can make it fail). */
  loadContracts?: () => Promise<readonly AnyEventContract[]>;
  /** Folder of services relative to the repository root; default apps. */
  appsDir?: string;
  /** Generated events per contract version and direction; default 100, 0 turns generation off. */
  events?: number;
  /** Also write the Markdown report to this file (the pull-request comment). */
  reportFile?: string;
  log?: (text: string) => void;
}

/** The gate could not run (exit 2): a missing ref, a malformed manifest or lock. */
export class GateSetupError extends Error {}

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

const versionId = ({ source, detailType, version }: ContractVersionId): ContractVersionId => ({ source, detailType, version });

/**
 * Reads what every `apps/<service>/service.ts` declares: `name`, `consumes[]` (`name`, `events`,
 * `pattern`), `publishes[].event` from the default export, and the fields each subscription's
 * handler reads from the optional named export `fieldsRead` (`{ [subscription]: ['email', 'items[].sku'] }`).
 * Only those fields are read, so the gate works whatever else manifests grow.
 *
 * @throws {@link GateSetupError} naming the file and the field at fault.
 */
export async function loadDeclarations(repoRoot: string, appsDir = 'apps'): Promise<Declarations> {
  const root = join(repoRoot, appsDir);
  if (!existsSync(root)) return { consumers: [], publishers: [] };
  const consumers: ConsumerDeclaration[] = [];
  const publishers: PublisherDeclaration[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const file = join(root, entry.name, 'service.ts');
    if (!existsSync(file)) continue;
    const where = relative(repoRoot, file);
    let module: { default?: unknown; fieldsRead?: unknown };
    try {
      module = (await import(pathToFileURL(file).href)) as typeof module;
    } catch (error) {
      throw new GateSetupError(`${where}: cannot be loaded (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    }
    const manifest = module.default as { name?: unknown; consumes?: unknown; publishes?: unknown } | undefined;
    if (typeof manifest?.name !== 'string') throw new GateSetupError(`${where}: default export must be a manifest with a string name`);
    const service = manifest.name;
    const consumes = manifest.consumes ?? [];
    if (!Array.isArray(consumes)) throw new GateSetupError(`${where}: consumes must be an array`);
    const fieldsRead = module.fieldsRead ?? {};
    if (typeof fieldsRead !== 'object' || fieldsRead === null || Array.isArray(fieldsRead)) {
      throw new GateSetupError(`${where}: fieldsRead must map subscription names to lists of detail.data fields`);
    }
    const subscriptionNames = new Set<string>();
    consumes.forEach((subscription: { name?: unknown; events?: unknown; pattern?: unknown }, index) => {
      const events = subscription?.events;
      if (!Array.isArray(events) || !events.every(isVersionId)) {
        throw new GateSetupError(`${where}: consumes[${index}].events must list { source, detailType, version }`);
      }
      const name = typeof subscription.name === 'string' ? subscription.name : `consumes[${index}]`;
      subscriptionNames.add(name);
      const reads = (fieldsRead as Record<string, unknown>)[name];
      if (reads !== undefined && (!Array.isArray(reads) || !reads.every((r) => typeof r === 'string' && r !== ''))) {
        throw new GateSetupError(`${where}: fieldsRead["${name}"] must be a list of detail.data field paths`);
      }
      consumers.push({
        service,
        subscription: name,
        events: events.map(versionId),
        ...(subscription.pattern === undefined ? {} : { pattern: subscription.pattern }),
        ...(reads === undefined ? {} : { reads: reads as string[] }),
      });
    });
    for (const key of Object.keys(fieldsRead)) {
      if (!subscriptionNames.has(key)) throw new GateSetupError(`${where}: fieldsRead["${key}"] names no subscription in consumes`);
    }
    const publishes = manifest.publishes ?? [];
    if (!Array.isArray(publishes)) throw new GateSetupError(`${where}: publishes must be an array`);
    publishes.forEach((publication: { event?: unknown }, index) => {
      if (!isVersionId(publication?.event)) throw new GateSetupError(`${where}: publishes[${index}].event must be { source, detailType, version }`);
      publishers.push({ service, event: versionId(publication.event) });
    });
  }
  return { consumers, publishers };
}

/** Consumers only, as older callers and tests read them. */
export async function loadConsumers(repoRoot: string, appsDir = 'apps'): Promise<ConsumerDeclaration[]> {
  return [...(await loadDeclarations(repoRoot, appsDir)).consumers];
}

function fileAtRef(repoRoot: string, ref: string, file: string): string | undefined {
  try {
    return git(repoRoot, ['show', `${ref}:${file}`]);
  } catch {
    return undefined;
  }
}

async function loadRegisteredContracts(): Promise<readonly AnyEventContract[]> {
  return (await import('../src/index')).allContracts();
}

/** Where the manifest lock lives: libs/contracts/manifests.lock.json. */
export const MANIFEST_LOCK_PATH = fileURLToPath(new URL(`../${MANIFEST_LOCK_FILE}`, import.meta.url));

/**
 * Rewrites (or with `check`, compares) the manifest lock from the manifests under `apps/`.
 * Returns the lines to print and whether it was already up to date.
 */
export async function syncManifestLock(check: boolean, repoRoot = fileURLToPath(new URL('../../../', import.meta.url)), file = MANIFEST_LOCK_PATH): Promise<{ upToDate: boolean; message: string }> {
  const expected = serialiseManifestLock(await loadDeclarations(repoRoot));
  const actual = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const name = relative(repoRoot, file);
  if (actual === expected) return { upToDate: true, message: `${name} is up to date.` };
  if (check) return { upToDate: false, message: `${name} is out of date; run \`npx nx run contracts:export-schemas\` and commit.` };
  writeFileSync(file, expected);
  return { upToDate: false, message: `${name} updated.` };
}

/** Runs the gate and returns the exit code: 0 nothing blocks, 1 a blocking change, 2 could not run. */
export async function runCompatGate(options: CompatGateOptions = {}): Promise<number> {
  const log = options.log ?? ((text: string) => console.log(text));
  let report: string;
  let code: number;
  try {
    const repoRoot = options.repoRoot ?? git(fileURLToPath(new URL('.', import.meta.url)), ['rev-parse', '--show-toplevel']).trim();
    const lockDir = options.lockDir ?? relative(repoRoot, SCHEMA_LOCK_DIR).split('\\').join('/');
    const manifestLockPath = `${lockDir.replace(/\/?schemas\/*$/, '')}/${MANIFEST_LOCK_FILE}`;
    const base = resolveBase(repoRoot, options.base);
    const baseLock = readLockAtRef(repoRoot, base, lockDir);
    const { toJsonSchema } = await import('../src/index');
    const { DEFAULT_EVENTS_PER_CONTRACT, generateBothWays, sideFromContract, sideFromLock } = await import('../compat/generation');
    const registered = options.contracts ?? (await (options.loadContracts ?? loadRegisteredContracts)());
    const contracts = new Map(registered.map((contract) => [lockFileFor(contract), contract]));
    const current = new Map<string, SchemaNode>([...contracts].map(([file, contract]) => [file, toJsonSchema(contract) as SchemaNode]));
    const head = await loadDeclarations(repoRoot, options.appsDir);

    const notes: string[] = [];
    const deployedText = fileAtRef(repoRoot, base, manifestLockPath);
    const deployed = deployedText === undefined ? undefined : parseManifestLock(deployedText, `${base}:${manifestLockPath}`);
    if (!deployed) notes.push(`${base} has no ${manifestLockPath}: consumers as deployed are unknown, so only the head's manifests were read.`);
    const headLockText = existsSync(join(repoRoot, manifestLockPath)) ? readFileSync(join(repoRoot, manifestLockPath), 'utf8') : undefined;
    const lockStale = headLockText !== serialiseManifestLock(head);

    const events = options.events ?? DEFAULT_EVENTS_PER_CONTRACT;
    const generate =
      events > 0
        ? (file: string) => {
            const contract = contracts.get(file)!;
            return generateBothWays(sideFromLock(baseLock.get(file)!), sideFromContract(contract, current.get(file)!), { events });
          }
        : undefined;
    if (!generate) notes.push('generation was turned off (--events=0).');
    const evaluated = evaluateGate({ base: baseLock, current, head, ...(deployed ? { deployed } : {}), ...(generate ? { generate } : {}), notes });
    report = formatGateReport(evaluated, base);
    code = evaluated.breaking.length > 0 ? 1 : 0;
    if (lockStale) {
      report += `\n\nFAILED: ${manifestLockPath} does not match the manifests; run \`npx nx run contracts:export-schemas\` and commit it (the next change reads it as what is deployed).`;
      code = 1;
    }
  } catch (error) {
    report = `Contract compatibility gate could not run: ${error instanceof Error ? error.message : String(error)}`;
    code = 2;
  }
  log(report);
  if (options.reportFile) {
    mkdirSync(dirname(options.reportFile), { recursive: true });
    writeFileSync(options.reportFile, `## Contract compatibility\n\n${report}\n`);
  }
  return code;
}

interface CliArgs {
  base?: string;
  events?: number;
  reportFile?: string;
}

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = {};
  const value = (index: number, name: string): [string | undefined, number] => {
    const arg = argv[index]!;
    if (arg.startsWith(`--${name}=`)) return [arg.slice(name.length + 3), index];
    if (arg === `--${name}`) return [argv[index + 1], index + 1];
    return [undefined, index];
  };
  for (let index = 0; index < argv.length; index += 1) {
    for (const name of ['base', 'events', 'report'] as const) {
      const [found, next] = value(index, name);
      if (found === undefined) continue;
      index = next;
      if (name === 'base' && found !== '') args.base = found;
      if (name === 'report' && found !== '') args.reportFile = found;
      if (name === 'events') {
        const events = Number(found);
        if (!Number.isInteger(events) || events < 0) throw new GateSetupError(`--events must be a whole number of events per contract version, got "${found}"`);
        args.events = events;
      }
    }
  }
  return args;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.log(`Contract compatibility gate could not run: ${(error as Error).message}`);
    process.exit(2);
  }
  const fromEnv = process.env.CONTRACTS_GENERATION_EVENTS;
  process.exitCode = await runCompatGate({ ...args, ...(args.events === undefined && fromEnv ? { events: Number(fromEnv) } : {}) });
}
