/**
 * CODEOWNERS must route every service's folder to the team its manifest names
 * (the same team the ownership registry pages), or reviews go to the wrong
 * people. GitHub applies the LAST matching pattern, so this resolves ownership
 * the way GitHub does rather than just looking for a line.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Rule {
  pattern: string;
  owners: string[];
}

function parseCodeowners(text: string): Rule[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [pattern, ...owners] = line.split(/\s+/);
      return { pattern: pattern!, owners };
    });
}

/** The subset of CODEOWNERS patterns we use: `*`, and anchored folders `/dir/sub/`. */
function matches(pattern: string, file: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('/') && pattern.endsWith('/')) return `/${file}`.startsWith(pattern);
  throw new Error(`CODEOWNERS pattern ${pattern} is not one this test understands; extend matches()`);
}

function ownersOf(rules: Rule[], file: string): string[] {
  let owners: string[] = [];
  for (const rule of rules) if (matches(rule.pattern, file)) owners = rule.owners;
  return owners;
}

const rules = parseCodeowners(readFileSync(join(repoRoot, '.github/CODEOWNERS'), 'utf8'));
const services = readdirSync(join(repoRoot, 'apps'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(repoRoot, 'apps', entry.name, 'service.ts')))
  .map((entry) => entry.name);

describe('CODEOWNERS', () => {
  it('covers at least one service (the check below is not vacuous)', () => {
    expect(services.length).toBeGreaterThan(0);
  });

  it.each(services)('routes apps/%s to the team its manifest names', async (service) => {
    const manifest = (await import(pathToFileURL(join(repoRoot, 'apps', service, 'service.ts')).href)).default as { owner: { team: string } };

    expect(ownersOf(rules, `apps/${service}/src/handlers/any.ts`)).toEqual([`@kestrel/${manifest.owner.team}`]);
  });

  it('gives every other folder an owner', () => {
    for (const file of ['libs/contracts/src/index.ts', 'infra/platform/main.ts', 'tools/local-cloud/src/cloud.ts', '.github/workflows/ci.yml', 'README.md']) {
      expect(ownersOf(rules, file), file).not.toEqual([]);
    }
  });
});
