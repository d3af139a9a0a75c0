/**
 * The license check `npm test` runs (tools/workspace/tests/licenses.test.ts): every package
 * installed under node_modules, nested copies included, must carry a permissive license or be
 * named in `license-allowlist.json` with the reason it is acceptable. GPL, AGPL, SSPL (and the
 * rest of the copyleft family) and unknown licenses (no `license` field, `UNLICENSED`,
 * `SEE LICENSE IN …`) fail. SPDX expressions are read as written: `A OR B` passes when one side
 * does, `A AND B` only when both do.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Licenses that ask nothing of us beyond keeping notices. */
export const PERMISSIVE_LICENSES: ReadonlySet<string> = new Set([
  '0BSD',
  'Apache-2.0',
  'BlueOak-1.0.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'CC-BY-4.0',
  'CC0-1.0',
  'ISC',
  'MIT',
  'MIT-0',
  'Python-2.0',
  'Unlicense',
  'Zlib',
]);

export interface InstalledPackage {
  name: string;
  version: string;
  /** As declared: the `license` field, or the old `licenses` array joined with OR; undefined when absent. */
  license: string | undefined;
  /** Folder relative to the repository root. */
  path: string;
}

export interface AllowListEntry {
  license: string;
  why: string;
}

/** The declared license of a package.json, whatever shape it uses. */
function declaredLicense(manifest: { license?: unknown; licenses?: unknown }): string | undefined {
  const field = manifest.license ?? manifest.licenses;
  if (typeof field === 'string') return field;
  if (Array.isArray(field)) return field.map((entry) => (typeof entry === 'string' ? entry : String((entry as { type?: unknown }).type))).join(' OR ');
  if (field && typeof field === 'object' && 'type' in field) return String((field as { type: unknown }).type);
  return undefined;
}

/** Every package under `<root>/node_modules`, nested node_modules included; the workspace's own (private, symlinked) packages are left out. */
export function installedPackages(root: string): InstalledPackage[] {
  const found: InstalledPackage[] = [];
  const visit = (modulesDir: string) => {
    for (const entry of readdirSync(modulesDir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const folder = join(modulesDir, entry.name);
      if (entry.name.startsWith('@') && entry.isDirectory()) {
        visit(folder);
        continue;
      }
      // Workspace packages are symlinks into the repository: they are ours, not dependencies.
      if (!entry.isDirectory()) continue;
      const manifestFile = join(folder, 'package.json');
      if (existsSync(manifestFile)) {
        const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { name?: string; version?: string; license?: unknown; licenses?: unknown };
        found.push({ name: manifest.name ?? entry.name, version: manifest.version ?? '?', license: declaredLicense(manifest), path: relative(root, folder) });
      }
      const nested = join(folder, 'node_modules');
      if (existsSync(nested)) visit(nested);
    }
  };
  visit(join(root, 'node_modules'));
  return found;
}

/**
 * Whether an SPDX expression is permissive: `OR` needs one permissive side, `AND` needs all,
 * parentheses group, `WITH <exception>` keeps the license it qualifies.
 *
 * @example
 * ```ts
 * isPermissive('(MIT OR GPL-3.0-or-later)'); // true
 * isPermissive('MIT AND GPL-2.0-only'); // false
 * ```
 */
export function isPermissive(expression: string): boolean {
  const tokens = expression.replace(/[()]/g, (paren) => ` ${paren} `).split(/\s+/).filter(Boolean);
  let position = 0;
  const primary = (): boolean => {
    const token = tokens[position++];
    if (token === '(') {
      const value = disjunction();
      position++; // ')'
      return value;
    }
    if (tokens[position] === 'WITH') position += 2;
    return token !== undefined && PERMISSIVE_LICENSES.has(token.replace(/\+$/, ''));
  };
  const conjunction = (): boolean => {
    let value = primary();
    while (tokens[position] === 'AND') {
      position++;
      value = primary() && value;
    }
    return value;
  };
  const disjunction = (): boolean => {
    let value = conjunction();
    while (tokens[position] === 'OR') {
      position++;
      value = conjunction() || value;
    }
    return value;
  };
  return disjunction();
}

/**
 * What fails the check: each package neither permissive nor allow-listed (with its declared
 * license, `unknown` when none), and each allow-list entry that no longer matches (the package is
 * gone or changed license): an exception is re-justified when the facts change.
 */
export function licenseProblems(packages: readonly InstalledPackage[], allowList: Readonly<Record<string, AllowListEntry>>): string[] {
  const problems: string[] = [];
  const used = new Set<string>();
  // `name-*` entries cover platform-specific builds (only this machine's one is installed).
  const entryFor = (name: string) => (allowList[name] ? name : Object.keys(allowList).find((key) => key.endsWith('*') && name.startsWith(key.slice(0, -1))));
  for (const pkg of packages) {
    const key = entryFor(pkg.name);
    if (key && allowList[key]?.license === (pkg.license ?? 'unknown')) {
      used.add(key);
      continue;
    }
    if (pkg.license && !/^(UNLICENSED|SEE LICENSE)/i.test(pkg.license) && isPermissive(pkg.license)) continue;
    problems.push(`${pkg.name}@${pkg.version} (${pkg.path}): ${pkg.license ?? 'unknown'} is not permissive and not in the allow-list`);
  }
  for (const name of Object.keys(allowList).filter((entry) => !used.has(entry) && !entry.endsWith('*'))) {
    problems.push(`allow-list entry ${name} matches no installed package with license ${allowList[name]?.license}: remove or update it`);
  }
  return problems;
}
