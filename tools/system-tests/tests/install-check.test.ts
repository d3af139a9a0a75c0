// The install check of `npm start` / `npm test` (tools/bootstrap.mjs): node_modules is fresh when
// it was installed from a package-lock.json with the same content, whatever the file times say
// (a clone or a branch switch rewrites the lock file without changing it). And the Node it runs the
// commands on: the version the workspace pins, switched to from whichever Node started it.
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';

interface NodeSituation {
  running: string;
  pinned: string;
  pinnedBinaryInstalled: boolean;
  runningPinnedBinary: boolean;
}

interface InstallCheck {
  dependenciesAreFresh(workspace: string): boolean;
  recordInstall(workspace: string): void;
  pinnedNode(workspace: string): { version: string; binary: string };
  nodeDecision(situation: NodeSituation): 'run' | 'switch' | 'warn' | 'fail';
}

// A path the type checker does not follow: bootstrap.mjs is plain Node (it runs before node_modules exists).
const bootstrapModule = new URL('../../bootstrap.mjs', import.meta.url).href;
const { dependenciesAreFresh, recordInstall, pinnedNode, nodeDecision } = (await import(bootstrapModule)) as InstallCheck;

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

describe('the pinned Node (tools/bootstrap.mjs)', () => {
  const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
  const pinned = '24.21.0';
  const situation = (running: string, pinnedBinaryInstalled: boolean, runningPinnedBinary = false): NodeSituation => ({
    running,
    pinned,
    pinnedBinaryInstalled,
    runningPinnedBinary,
  });

  it('is the exact version of the npm package node in optionalDependencies, installed under node_modules/node', () => {
    // act
    const node = pinnedNode(repoRoot);
    // assess
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> };
    expect(node).toEqual({ version: manifest.optionalDependencies.node, binary: join(repoRoot, 'node_modules', 'node', 'bin', 'node') });
    expect(node.version).toMatch(/^24\.\d+\.\d+$/);
  });

  it('is the Node these tests run on (npm and nx put node_modules/.bin first on PATH)', () => {
    expect(process.versions.node).toBe(pinnedNode(repoRoot).version);
  });

  it('runs on the pinned version, switches to the installed binary from any other, and never loops on a stale one', () => {
    expect(nodeDecision(situation(pinned, true, true))).toBe('run');
    expect(nodeDecision(situation('20.20.2', true))).toBe('switch');
    expect(nodeDecision(situation('24.9.0', true))).toBe('switch');
    // the installed binary itself reports another version: no re-run of itself
    expect(nodeDecision(situation('24.1.0', true, true))).toBe('warn');
    expect(nodeDecision(situation('20.20.2', true, true))).toBe('fail');
  });

  it('without the binary (no package for the platform), goes on with the same major and stops with any other', () => {
    expect(nodeDecision(situation('24.18.1', false))).toBe('warn');
    expect(nodeDecision(situation('20.20.2', false))).toBe('fail');
    expect(nodeDecision(situation('26.1.0', false))).toBe('fail');
  });
});
