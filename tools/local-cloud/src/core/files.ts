/**
 * The two file operations every persisting module needs: read a state file
 * that may not exist yet, and replace one atomically (temp file + rename), so
 * a crash leaves either the old or the new content, never half of it.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The file's text, or undefined when it does not exist (first start); any
 * other read error is thrown.
 *
 * @example
 * const text = readFileIfExists(`${dataDir}/pipes.json`);
 * const saved = text === undefined ? { pipes: [] } : JSON.parse(text);
 */
export function readFileIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Temporary file name next to `path`, unique to this process, that a write renames over `path`.
 */
export const temporaryPathFor = (path: string) => `${path}.${process.pid}.tmp`;

/**
 * Replaces `path` with `text` (creating its folder) synchronously, so it also
 * works on shutdown paths: written to a temporary file, then renamed over.
 *
 * @example
 * writeFileAtomically(`${dataDir}/pipes.json`, JSON.stringify({ pipes }, null, 2));
 */
export function writeFileAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = temporaryPathFor(path);
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/**
 * What to say about a state file that does not parse: it was replaced
 * atomically, so a crash cannot have torn it; moving it away would silently
 * drop its state, so the advice is to repair or restore it.
 */
export const REPAIR_ADVICE = 'it is written atomically (temp file + rename), so a crash cannot have torn it: fix the JSON by hand at the position given, or restore the file from a backup';

/**
 * The parsed JSON state file, or undefined when it does not exist (first
 * start). A file that does not parse fails with its path, the parser's
 * message and `advice` (what to do without losing data).
 *
 * @example
 * const saved = readJsonState<{ pipes: StoredPipe[] }>(`${dataDir}/pipes.json`, `${REPAIR_ADVICE} (without it, pipes come back when their stacks are applied)`);
 */
export function readJsonState<T>(path: string, advice: string = REPAIR_ADVICE): T | undefined {
  removeStaleTemporaries(path);
  const text = readFileIfExists(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}): ${advice}`);
  }
}

/** Whether a process with this pid runs (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files of `path` ({@link temporaryPathFor}) left by a process that was killed mid-write:
 * never read (the rename did not happen), they would otherwise pile up, one per crash.
 */
export function removeStaleTemporaries(path: string): void {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = name.startsWith(prefix) && name.endsWith('.tmp') ? Number(name.slice(prefix.length, -'.tmp'.length)) : NaN;
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) rmSync(join(dirname(path), name), { force: true });
  }
}
