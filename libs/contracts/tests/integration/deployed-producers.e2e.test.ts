// The deploy-time check in a git repository: a consumer switching to a version only its producer's
// undeployed commit publishes is refused until that producer's deploy has gone out.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialiseManifestLock } from '../../compat/manifest-lock';
import type { Declarations } from '../../compat/gate';
import { runDeployedProducersCheck } from '../../scripts/deployed-producers';

const registered = (version: number) => ({ source: 'kestrel.identity', detailType: 'UserRegistered', version });
const lockWith = (published: number[], consumed: number[]): Declarations => ({
  consumers: [{ service: 'customers', subscription: 'user-registered', events: consumed.map(registered) }],
  publishers: published.map((version) => ({ service: 'identity', event: registered(version) })),
});

describe('deployed-producers check', () => {
  let repo: string;
  const commits: Record<string, string> = {};
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Deploy Test', '-c', 'user.email=deploy@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8' }).trim();
  const commit = (name: string, lock: Declarations | undefined) => {
    if (lock) writeFileSync(join(repo, 'libs/contracts/manifests.lock.json'), serialiseManifestLock(lock));
    git('add', '-A');
    git('commit', '--quiet', '--allow-empty', '-m', name);
    commits[name] = git('rev-parse', 'HEAD');
  };

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'kestrel-deployed-'));
    git('init', '--quiet', '--initial-branch=main');
    commit('before-the-lock', undefined);
    mkdirSync(join(repo, 'libs/contracts'), { recursive: true });
    commit('v1', lockWith([1], [1]));
    // identity starts publishing v2 and customers switches to it, in one merge.
    commit('v2', lockWith([1, 2], [2]));
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  function run(...args: string[]) {
    const output: string[] = [];
    const code = runDeployedProducersCheck(args, repo, (t) => output.push(t));
    return { code, output: output.join('\n') };
  }

  it('refuses customers on v2 while the deployed identity emits only v1', () => {
    // Act
    const { code, output } = run('--service', 'customers', '--deployed', `identity=${commits.v1}`);

    // Assess
    expect(code).toBe(1);
    expect(output).toContain(`customers (user-registered) consumes kestrel.identity UserRegistered v2, which no deployed producer emits (identity deployed ${commits.v1} emits v1); deploy the producer first`);
  });

  it('refuses customers while identity never deployed', () => {
    // Act
    const { code, output } = run('--service', 'customers', '--deployed', 'identity=');

    // Assess
    expect(code).toBe(1);
    expect(output).toContain('never deployed (no successful deploy run): identity.');
  });

  it('deploys customers once identity deployed the commit that emits v2, and the producer itself any time', () => {
    // Act + Assess
    expect(run('--service', 'customers', '--deployed', `identity=${commits.v2}`).code).toBe(0);
    expect(run('--service', 'identity', '--deployed', `customers=${commits.v1}`).code).toBe(0);
  });

  it('reads a deployed commit that predates the lock as publishing what this commit says', () => {
    // Act
    const { code, output } = run('--service', 'customers', '--deployed', `identity=${commits['before-the-lock']}`);

    // Assess
    expect(code).toBe(0);
    expect(output).toContain('has no manifest lock');
  });

  it('exits 2 with one line for bad arguments or an unknown commit', () => {
    // Act + Assess
    expect(run('--deployed', 'identity=abc1234')).toMatchObject({ code: 2, output: 'Deployed-producers check could not run: --service <name> is required' });
    expect(run('--service', 'customers', '--deployed', 'identity')).toMatchObject({ code: 2 });
    expect(run('--service', 'customers', '--deployed', 'identity=deadbeefdeadbeef').code).toBe(2);
  });
});
