/**
 * Licenses stay permissive: every installed package (nested copies included) is permissive or
 * allow-listed with a reason (src/licenses/allow-list.json). Runs in `npm test`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { installedPackages, isPermissive, licenseProblems, type AllowListEntry, type InstalledPackage } from '../src/licenses/licenses';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const allowList = JSON.parse(readFileSync(new URL('../src/licenses/allow-list.json', import.meta.url), 'utf8')) as Record<string, AllowListEntry>;
const pkg = (name: string, license: string | undefined): InstalledPackage => ({ name, version: '1.0.0', license, path: `node_modules/${name}` });

describe('licenses', () => {
  it('every installed package is permissive or allow-listed with a reason', () => {
    // prepare
    const packages = installedPackages(repoRoot);

    // act
    const problems = licenseProblems(packages, allowList);

    // assess
    expect(packages.length).toBeGreaterThan(500);
    expect(problems).toEqual([]);
    for (const entry of Object.values(allowList)) expect(entry.why.length).toBeGreaterThan(20);
  });

  it.each([
    ['GPL-3.0-only', false],
    ['AGPL-3.0-or-later', false],
    ['SSPL-1.0', false],
    ['LGPL-2.1-or-later', false],
    ['MPL-2.0', false],
    ['MIT', true],
    ['(MIT OR GPL-3.0-or-later)', true],
    ['(MIT AND Zlib)', true],
    ['MIT AND GPL-2.0-only', false],
    ['Apache-2.0 WITH LLVM-exception', true],
  ])('reads %s as permissive: %s', (expression, expected) => {
    // act / assess
    expect(isPermissive(expression)).toBe(expected);
  });

  it('fails a copyleft or unknown license anywhere in the tree, and an allow-list entry that no longer matches', () => {
    // prepare
    const packages = [pkg('ok', 'MIT'), pkg('@action-validator/core', 'GPL-3.0-only'), pkg('mystery', undefined), pkg('closed', 'UNLICENSED'), pkg('cdktn', 'MPL-2.0')];
    const list = { cdktn: { license: 'MPL-2.0', why: 'file-level copyleft, used unmodified' }, gone: { license: 'MPL-2.0', why: 'a package we no longer install' } };

    // act
    const problems = licenseProblems(packages, list);

    // assess
    expect(problems).toEqual([
      '@action-validator/core@1.0.0 (node_modules/@action-validator/core): GPL-3.0-only is not permissive and not in the allow-list',
      'mystery@1.0.0 (node_modules/mystery): unknown is not permissive and not in the allow-list',
      'closed@1.0.0 (node_modules/closed): UNLICENSED is not permissive and not in the allow-list',
      'allow-list entry gone matches no installed package with license MPL-2.0: remove or update it',
    ]);
  });
});
