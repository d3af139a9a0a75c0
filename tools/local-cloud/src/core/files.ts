/**
 * The two file operations every persisting module needs: read a state file
 * that may not exist yet, and replace one atomically (temp file + rename), so
 * a crash leaves either the old or the new content, never half of it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

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
