import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The committed JSON Schema lock of every contract version (`nx run contracts:export-schemas` writes it). */
export const SCHEMA_LOCK_DIR = fileURLToPath(new URL('../../../libs/contracts/schemas', import.meta.url));

/** One contract version as committed in the lock: `<source>/<DetailType>.v<N>.json`. */
export interface LockedEventSchema {
  source: string;
  detailType: string;
  version: number;
  /** Path relative to the lock folder. */
  file: string;
  schema: Record<string, unknown>;
}

const LOCK_FILE = /^(?<detailType>[A-Za-z0-9]+)\.v(?<version>[1-9]\d*)\.json$/;

/**
 * Every contract version in the schema lock, sorted by file. Fails listing
 * every file whose name does not follow the lock layout, so a stray file is
 * not silently skipped (or uploaded under a wrong name).
 *
 * @example
 * ```ts
 * readSchemaLock().map((s) => `${s.source}@${s.detailType}.v${s.version}`);
 * // ['kestrel.catalog@ProductPublished.v1', …]
 * ```
 */
export function readSchemaLock(dir: string = SCHEMA_LOCK_DIR): LockedEventSchema[] {
  const found: LockedEventSchema[] = [];
  const problems: string[] = [];
  for (const source of readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()) {
    for (const name of readdirSync(join(dir, source)).sort()) {
      const match = LOCK_FILE.exec(name);
      if (!match?.groups) {
        problems.push(`${source}/${name}: not <DetailType>.v<N>.json`);
        continue;
      }
      const file = `${source}/${name}`;
      const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
      found.push({ source, detailType: match.groups.detailType!, version: Number(match.groups.version), file, schema });
    }
  }
  if (problems.length > 0) throw new Error(`Unexpected files in the schema lock ${dir}:\n  ${problems.join('\n  ')}`);
  return found;
}
