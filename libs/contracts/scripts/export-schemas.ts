// Writes the schema lock: one JSON Schema per registered contract version under
// libs/contracts/schemas/<source>/<DetailType>.v<N>.json. The committed files are what the
// compatibility gate compares against, so they must always equal what the code generates
// (tests/unit/schema-lock.test.ts fails on drift). `--check` reports drift without writing.
// It also rewrites libs/contracts/manifests.lock.json (scripts/compat.ts, syncManifestLock).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allContracts, toJsonSchema, type AnyEventContract } from '../src/index';
import { lockFileFor, serialiseSchema } from '../compat/schema-lock';

export { SCHEMA_LOCK_DIR } from './paths';
import { SCHEMA_LOCK_DIR } from './paths';

/** Every lock file the given contracts produce, keyed by relative path, with its content. */
export function renderSchemaLock(contracts: readonly AnyEventContract[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const contract of contracts) files.set(lockFileFor(contract), serialiseSchema(toJsonSchema(contract)));
  return files;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

/** The lock files on disk, keyed by path relative to the lock folder. */
export function readSchemaLock(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((file) => [file, readFileSync(join(dir, file), 'utf8')]));
}

export interface SchemaLockDrift {
  /** Generated but not on disk. */
  readonly missing: string[];
  /** On disk but no longer generated (a removed version, a renamed event, a stray file). */
  readonly stale: string[];
  /** On disk with different content. */
  readonly changed: string[];
}

/** Differences between the lock folder and what `contracts` generate; all empty when in sync. */
export function diffSchemaLock(dir: string, contracts: readonly AnyEventContract[]): SchemaLockDrift {
  const expected = renderSchemaLock(contracts);
  const actual = readSchemaLock(dir);
  return {
    missing: [...expected.keys()].filter((file) => !actual.has(file)).sort(),
    stale: [...actual.keys()].filter((file) => !expected.has(file)).sort(),
    changed: [...expected.keys()].filter((file) => actual.has(file) && actual.get(file) !== expected.get(file)).sort(),
  };
}

/** Rewrites the lock folder to match `contracts`: writes new and changed files, deletes stale ones. */
export function writeSchemaLock(dir: string, contracts: readonly AnyEventContract[]): SchemaLockDrift {
  const drift = diffSchemaLock(dir, contracts);
  const expected = renderSchemaLock(contracts);
  for (const file of [...drift.missing, ...drift.changed]) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), expected.get(file)!);
  }
  for (const file of drift.stale) {
    rmSync(join(dir, file));
    removeEmptyParents(dirname(join(dir, file)), dir);
  }
  if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
  return drift;
}

function removeEmptyParents(folder: string, stopAt: string): void {
  let current = folder;
  while (current.startsWith(stopAt) && current !== stopAt && existsSync(current) && readdirSync(current).length === 0) {
    rmdirSync(current);
    current = dirname(current);
  }
}

function describe(drift: SchemaLockDrift): string[] {
  return [
    ...drift.missing.map((file) => `  + ${file}`),
    ...drift.changed.map((file) => `  ~ ${file}`),
    ...drift.stale.map((file) => `  - ${file}`),
  ];
}

export function main(
  argv: readonly string[],
  dir: string = SCHEMA_LOCK_DIR,
  contracts: readonly AnyEventContract[] = allContracts(),
  log: (text: string) => void = (text) => console.log(text),
): number {
  const check = argv.includes('--check') || argv.includes('--check=true');
  const drift = check ? diffSchemaLock(dir, contracts) : writeSchemaLock(dir, contracts);
  const lines = describe(drift);
  if (check) {
    if (lines.length === 0) {
      log(`Schema lock is up to date (${contracts.length} contract version(s)).`);
      return 0;
    }
    log(['Schema lock is out of date; run `npx nx run contracts:export-schemas` and commit:', ...lines].join('\n'));
    return 1;
  }
  log(
    lines.length === 0
      ? `Schema lock already up to date (${contracts.length} contract version(s)).`
      : [`Schema lock updated (${contracts.length} contract version(s)):`, ...lines].join('\n'),
  );
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const code = main(argv);
  // The manifest lock (what services consume and publish) travels with the schema lock: the gate
  // reads both at the base ref. Loaded lazily: it imports every service manifest.
  const { syncManifestLock } = await import('./compat');
  const check = argv.includes('--check') || argv.includes('--check=true');
  const manifests = await syncManifestLock(check);
  console.log(manifests.message);
  process.exitCode = code !== 0 || (check && !manifests.upToDate) ? 1 : 0;
}
