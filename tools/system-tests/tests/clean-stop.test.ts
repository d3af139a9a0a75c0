// `npm start` stops cleanly whoever stops it: Ctrl-C (SIGINT), a closed terminal (SIGHUP), or a
// parent that dies without a word (SIGKILL of the shell in front of it). The real CLI runs with no
// stack (`--env none`) so only its real components run: DynamoDB Local's JVM, cognito-local and
// s3rver. Every process under it before the stop must be gone after. SIGTERM, with Lambda
// workers running, is the last step of npm-start-journey.test.ts.
import { describe, expect, it } from 'vitest';
import { processTree, repoRoot, startCli, stopCli, survivors } from './support/npm-start';

interface InstallCheck {
  dependenciesAreFresh(workspace: string): boolean;
}
// A path the type checker does not follow: bootstrap.mjs is plain Node.
const bootstrapModule = new URL('../../bootstrap.mjs', import.meta.url).href;

const REAL_COMPONENTS = [/DynamoDBLocal/, /cognito-local/, /s3rver/];

describe('npm start stops every process it started', () => {
  it.each(['SIGINT', 'SIGHUP'] as const)('on %s', async (signal) => {
    // prepare
    const cli = await startCli({ args: ['--env', 'none'] });
    const tree = processTree(cli);
    for (const component of REAL_COMPONENTS) expect(tree.some((entry) => component.test(entry.command)), `${component} runs under the CLI`).toBe(true);
    // act
    const exit = await stopCli(cli, signal);
    // assess
    expect(exit, cli.output()).toEqual({ code: 0, signal: null });
    expect((await survivors(tree)).map((entry) => entry.command)).toEqual([]);
    expect(cli.output()).toContain(`${signal}: stopping`);
  });

  it('when its parent is killed (SIGKILL) and cannot pass a signal on', async () => {
    // prepare
    const cli = await startCli({ args: ['--env', 'none'], behindShell: true });
    const tree = processTree(cli);
    expect(tree.filter((entry) => REAL_COMPONENTS.some((component) => component.test(entry.command)))).toHaveLength(REAL_COMPONENTS.length);
    // act
    await stopCli(cli, 'SIGKILL');
    // assess: the CLI notices it was re-parented and stops everything
    expect((await survivors(tree, 20_000)).map((entry) => entry.command)).toEqual([]);
    expect(cli.output()).toMatch(/parent process \d+ exited: stopping/);
  });

  it('when npm start itself gets SIGHUP, which npm does not pass on (npm → sh -c → bootstrap → CLI)', async () => {
    // prepare: never let the test run `npm ci`
    const { dependenciesAreFresh } = (await import(bootstrapModule)) as InstallCheck;
    expect(dependenciesAreFresh(repoRoot), 'node_modules matches package-lock.json (else npm start would run npm ci)').toBe(true);
    const npm = await startCli({ args: ['--env', 'none'], viaNpm: true });
    const tree = processTree(npm);
    expect(tree.some((entry) => entry.command.includes('tools/local-cloud/src/cli.ts'))).toBe(true);
    // act
    await stopCli(npm, 'SIGHUP');
    // assess: bootstrap notices npm is gone and stops the CLI, which stops everything
    expect((await survivors(tree, 20_000)).map((entry) => entry.command)).toEqual([]);
    expect(npm.output()).toContain('SIGTERM: stopping');
  });
});
