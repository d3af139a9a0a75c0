// The dated changelog of a contract version, read from the git history of its schema lock file
// (libs/contracts/schemas/<source>/<DetailType>.v<N>.json): each commit that changed the file, what
// it changed in the compatibility gate's words. Needs the repository's history (CI checks out with
// fetch-depth 0); a shallow clone shows only the commits it has.
import { execFileSync } from 'node:child_process';
import type { CompareSchemas, VersionChange } from './model';
import type { SchemaNode } from './schema-walk';

/** One commit that touched a version's lock file. */
export interface ChangelogEntry {
  /** Commit date, YYYY-MM-DD. */
  readonly date: string;
  /** Short commit hash. */
  readonly commit: string;
  readonly subject: string;
  /** `published` for the commit that added the file; `changed` after. */
  readonly event: 'published' | 'changed';
  /** What changed from the previous commit's schema (empty: only the example or formatting). */
  readonly changes: readonly VersionChange[];
}

function git(repoRoot: string, args: readonly string[]): string {
  return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
}

/**
 * The changelog of one lock file, oldest first; empty outside a git repository or for a file never committed.
 *
 * @example
 * ```ts
 * lockHistory(REPO_ROOT, 'libs/contracts/schemas/kestrel.customers/CustomerCreated.v1.json', compareSchemas);
 * // [{ date: '2026-01-15', commit: '1a2b3c4', subject: 'customers: CustomerCreated v1', event: 'published', changes: [] }, ...]
 * ```
 */
export function lockHistory(repoRoot: string, lockFile: string, compare: CompareSchemas): ChangelogEntry[] {
  let log: string;
  try {
    log = git(repoRoot, ['log', '--reverse', '--format=%H%x09%cs%x09%s', '--', lockFile]);
  } catch {
    return [];
  }
  const entries: ChangelogEntry[] = [];
  let previous: SchemaNode | undefined;
  for (const line of log.split('\n').filter(Boolean)) {
    const [hash, date, ...subject] = line.split('\t');
    let schema: SchemaNode;
    try {
      schema = JSON.parse(git(repoRoot, ['show', `${hash}:${lockFile}`])) as SchemaNode;
    } catch {
      // Removed in this commit (a retired version published again later starts a new life).
      previous = undefined;
      continue;
    }
    entries.push({
      date: date!,
      commit: hash!.slice(0, 7),
      subject: subject.join('\t'),
      event: previous ? 'changed' : 'published',
      changes: previous ? compare(previous, schema) : [],
    });
    previous = schema;
  }
  return entries;
}
