// A stack that fails to apply is never "ready": `npm start` names it with its error, stops every
// process it started and exits 1; with --keep-going it keeps running and /_local/health answers 503
// naming the stack. The real CLI applies two hand-written stacks (`--stack`): one that applies, one
// reading an SSM parameter nobody publishes.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processTree, startCli, stopCli, survivors } from './support/npm-start';

function stackDir(name: string, document: Record<string, unknown>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'failed-stack-')), name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify({ '//': { metadata: { stackName: name } }, ...document }));
  return dir;
}

const good = stackDir('good-local', { resource: { aws_ssm_parameter: { p: { name: '/good/value', type: 'String', value: 'v' } } } });
const broken = stackDir('broken-local', { data: { aws_ssm_parameter: { missing: { name: '/nobody/publishes/this' } } } });
const MISSING = "SSM parameter '/nobody/publishes/this' does not exist";

describe('npm start with a stack that fails to apply', () => {
  it('names the stack and its error, stops everything and exits 1', async () => {
    // act
    const failure = (await startCli({ args: ['--stack', good, '--stack', broken] }).catch((error: unknown) => error)) as Error;
    // assess
    expect(failure).toBeInstanceOf(Error);
    expect(failure.message).toContain('npm start exited (code 1, signal null) before it was ready');
    expect(failure.message).toContain('✓ good-local');
    expect(failure.message).toContain(`✗ broken-local`);
    expect(failure.message).toContain('1 of 2 stacks FAILED to apply: broken-local');
    expect(failure.message).toContain(MISSING);
  });

  it('with --keep-going keeps running, not ready: /_local/health answers 503 naming the failed stack', async () => {
    // prepare
    const cli = await startCli({ args: ['--stack', good, '--stack', broken, '--keep-going'], acceptNotReady: true });
    try {
      // act
      const health = await fetch(`${cli.endpoint}/_local/health`);
      const body = (await health.json()) as { ready: boolean; status: string; stacks: Array<{ name: string; status: string; error?: string }> };
      // assess
      expect(health.status).toBe(503);
      expect(body).toMatchObject({ ready: false, status: 'failed', stacks: [{ name: 'good-local', status: 'applied' }, { name: 'broken-local', status: 'failed' }] });
      expect(body.stacks[1]?.error).toContain(MISSING);
      expect(cli.output()).toContain('Running, NOT ready');
    } finally {
      const tree = processTree(cli);
      await stopCli(cli, 'SIGTERM');
      expect(await survivors(tree)).toEqual([]);
    }
  });
});
