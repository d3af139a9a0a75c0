// The install check of `npm start` / `npm test` (tools/bootstrap.mjs): node_modules is fresh when
// it was installed from a package-lock.json with the same content, whatever the file times say
// (a clone or a branch switch rewrites the lock file without changing it).
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';

interface InstallCheck {
  dependenciesAreFresh(workspace: string): boolean;
  recordInstall(workspace: string): void;
}

// A path the type checker does not follow: bootstrap.mjs is plain Node (it runs before node_modules exists).
const bootstrapModule = new URL('../../bootstrap.mjs', import.meta.url).href;
const { dependenciesAreFresh, recordInstall } = (await import(bootstrapModule)) as InstallCheck;

const LOCK = JSON.stringify({ name: 'w', lockfileVersion: 3, packages: { 'node_modules/zod': { version: '4.0.0' } } });

describe('install check by content (tools/bootstrap.mjs)', () => {
  let workspace: string;
  const touch = (file: string, secondsFromNow: number) => {
    const when = new Date(Date.now() + secondsFromNow * 1000);
    utimesSync(join(workspace, file), when, when);
  };

  beforeEach(() => {
    // prepare: a workspace as `npm ci` leaves it
    workspace = mkdtempSync(join(tmpdir(), 'install-check-'));
    writeFileSync(join(workspace, 'package-lock.json'), LOCK);
    mkdirSync(join(workspace, 'node_modules'));
    writeFileSync(join(workspace, 'node_modules', '.package-lock.json'), LOCK);
    recordInstall(workspace);
  });

  it('stays fresh when the lock file is rewritten with the same content and a newer time', () => {
    // act
    writeFileSync(join(workspace, 'package-lock.json'), LOCK);
    touch('package-lock.json', 3600);
    // assess
    expect(dependenciesAreFresh(workspace)).toBe(true);
  });

  it('is stale when the lock file content changes, even with an older time', () => {
    // act
    writeFileSync(join(workspace, 'package-lock.json'), LOCK.replace('4.0.0', '4.1.0'));
    touch('package-lock.json', -3600);
    // assess
    expect(dependenciesAreFresh(workspace)).toBe(false);
  });

  it('is stale without node_modules', () => {
    // prepare
    const empty = mkdtempSync(join(tmpdir(), 'install-check-'));
    writeFileSync(join(empty, 'package-lock.json'), LOCK);
    // act + assess
    expect(dependenciesAreFresh(empty)).toBe(false);
  });
});
