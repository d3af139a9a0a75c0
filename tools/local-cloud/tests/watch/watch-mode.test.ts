import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createLambdaModule } from '../../src/services/lambda';
import type { LambdaModule } from '../../src/services/lambda';
import { createSsmModule } from '../../src/services/ssm';
import { startWatchMode } from '../../src/watch';
import type { WatchMode, WatchOutcome } from '../../src/watch';
import { createFixtureWorkspace, serviceFiles, writeFiles } from './fixture-workspace';
import type { FixtureWorkspace } from './fixture-workspace';

// One workspace, one local cloud and one watcher for the file; the tests run in order and each
// starts from what the previous one left.
let workspace: FixtureWorkspace;
let cloud: LocalCloud;
let watcher: WatchMode;
const outcomes: WatchOutcome[] = [];
const lines: string[] = [];

async function invoke(functionName: string): Promise<Record<string, unknown>> {
  const lambda = cloud.modules.find((module) => module.name === 'lambda') as LambdaModule;
  const result = await lambda.service.invokeSync(functionName, '{}');
  if (result.functionError) throw new Error(`${functionName} failed: ${result.payload}`);
  return JSON.parse(result.payload) as Record<string, unknown>;
}

beforeAll(async () => {
  workspace = createFixtureWorkspace([{ name: 'greeter', functions: { hello: { usesGreeting: true }, plain: { usesGreeting: false } } }]);
  cloud = await startLocalCloud({ inMemory: true, modules: [createSsmModule, createLambdaModule] });
  await cloud.applyStacks([workspace.stackDir('greeter')]);
  watcher = startWatchMode({
    cloud,
    repoRoot: workspace.root,
    environment: 'staging',
    log: (line) => lines.push(line),
    onOutcome: (outcome) => outcomes.push(outcome),
  });
}, 120_000);

afterAll(async () => {
  watcher?.stop();
  await cloud?.stop();
  workspace?.cleanup();
});

describe('watch mode', () => {
  it('runs the edited code at the next invocation, rebuilding only the functions that import the edited file', async () => {
    // prepare
    expect(await invoke('kestrel-staging-greeter-hello')).toEqual({ fn: 'hello', greeting: 'hello v1', mood: 'calm' });
    const plainBefore = await invoke('kestrel-staging-greeter-plain');
    outcomes.length = 0;

    // act
    writeFileSync(join(workspace.serviceDir('greeter'), 'src', 'greeting.ts'), "export const greeting = 'hello v2';\n");

    // assess
    await vi.waitFor(async () => expect(await invoke('kestrel-staging-greeter-hello')).toMatchObject({ greeting: 'hello v2' }), { timeout: 30_000, interval: 100 });
    await watcher.whenIdle();
    expect(outcomes.map((outcome) => outcome.kind === 'code-swapped' && outcome.functionName)).toEqual(['hello']);
    expect(await invoke('kestrel-staging-greeter-plain')).toEqual(plainBefore);
    expect(lines).toContainEqual(expect.stringMatching(/^watch: ↻ greeter: rebuilt in \d+ ms; the next invocation runs the new code: kestrel-staging-greeter-hello$/));
  });

  it('follows a file the handler starts importing after an edit', async () => {
    // prepare
    const dir = workspace.serviceDir('greeter');
    writeFiles(dir, { 'src/shared/punctuation.ts': "export const mark = '!';\n" });
    writeFileSync(join(dir, 'src', 'greeting.ts'), "import { mark } from './shared/punctuation';\nexport const greeting = `hello v3${mark}`;\n");
    await vi.waitFor(async () => expect(await invoke('kestrel-staging-greeter-hello')).toMatchObject({ greeting: 'hello v3!' }), { timeout: 30_000, interval: 100 });
    await watcher.whenIdle();

    // act: the new file lives in a folder that was not watched before the first rebuild
    writeFileSync(join(dir, 'src', 'shared', 'punctuation.ts'), "export const mark = '?';\n");

    // assess
    await vi.waitFor(async () => expect(await invoke('kestrel-staging-greeter-hello')).toMatchObject({ greeting: 'hello v3?' }), { timeout: 30_000, interval: 100 });
  });

  it('keeps the previous code running when an edit does not build, and names the error', async () => {
    // prepare
    const file = join(workspace.serviceDir('greeter'), 'src', 'greeting.ts');
    const before = readFileSync(file, 'utf8');
    outcomes.length = 0;

    // act
    writeFileSync(file, 'export const greeting = ;\n');
    await vi.waitFor(() => expect(outcomes.some((outcome) => outcome.kind === 'failed')).toBe(true), { timeout: 30_000, interval: 100 });
    await watcher.whenIdle();

    // assess
    expect(outcomes.find((outcome) => outcome.kind === 'failed')).toMatchObject({ step: 'bundle', message: expect.stringContaining('greeting.ts') });
    expect(await invoke('kestrel-staging-greeter-hello')).toMatchObject({ greeting: 'hello v3?' });
    writeFileSync(file, before);
    await vi.waitFor(() => expect(outcomes.some((outcome) => outcome.kind === 'code-swapped')).toBe(true), { timeout: 30_000, interval: 100 });
  });

  it('waits for a file replaced by removing and re-creating it (git checkout), and ignores a save that changes nothing', async () => {
    // prepare
    const file = join(workspace.serviceDir('greeter'), 'src', 'greeting.ts');
    const current = readFileSync(file, 'utf8');
    await watcher.whenIdle();
    outcomes.length = 0;

    // act: removed, re-created 150 ms later with new content; then saved again unchanged
    rmSync(file);
    await new Promise((resolve) => setTimeout(resolve, 150));
    writeFileSync(file, "export const greeting = 'hello v4';\n");
    await vi.waitFor(async () => expect(await invoke('kestrel-staging-greeter-hello')).toMatchObject({ greeting: 'hello v4' }), { timeout: 30_000, interval: 100 });
    await watcher.whenIdle();
    const afterReplace = outcomes.length;
    writeFileSync(file, "export const greeting = 'hello v4';\n");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await watcher.whenIdle();

    // assess
    expect(outcomes.filter((outcome) => outcome.kind === 'failed')).toEqual([]);
    expect(outcomes.length).toBe(afterReplace);
    writeFileSync(file, current);
    await vi.waitFor(async () => expect(await invoke('kestrel-staging-greeter-hello')).toMatchObject({ greeting: 'hello v3?' }), { timeout: 30_000, interval: 100 });
  });

  it('re-synthesizes and re-applies only the stack whose definition changed', async () => {
    // prepare
    const ssm = new SSMClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await watcher.whenIdle();
    outcomes.length = 0;

    // act
    writeFileSync(join(workspace.serviceDir('greeter'), 'infra', 'settings.json'), JSON.stringify({ mood: 'cheerful' }));

    // assess
    await vi.waitFor(() => expect(outcomes.some((outcome) => outcome.kind === 'stack-applied')).toBe(true), { timeout: 60_000, interval: 100 });
    await watcher.whenIdle();
    expect(outcomes).toEqual([expect.objectContaining({ kind: 'stack-applied', project: 'greeter', stacks: ['greeter-staging'] })]);
    const parameter = await ssm.send(new GetParameterCommand({ Name: '/greeter/staging/mood' }));
    expect(parameter.Parameter?.Value).toBe('cheerful');
    expect(await invoke('kestrel-staging-greeter-hello')).toMatchObject({ mood: 'cheerful', greeting: 'hello v3?' });
    ssm.destroy();
  });

  it('bundles, synthesizes and applies a project that appears while it runs (a generated service)', async () => {
    // act
    writeFiles(join(workspace.root, 'apps', 'newcomer'), serviceFiles({ name: 'newcomer', functions: { welcome: { usesGreeting: true } }, greeting: 'welcome aboard' }));

    // assess
    await vi.waitFor(() => expect(outcomes.some((outcome) => outcome.kind === 'stack-applied' && outcome.project === 'newcomer')).toBe(true), {
      timeout: 90_000,
      interval: 200,
    });
    expect(await invoke('kestrel-staging-newcomer-welcome')).toEqual({ fn: 'welcome', greeting: 'welcome aboard', mood: 'calm' });

    // and its handlers are watched from then on
    writeFileSync(join(workspace.serviceDir('newcomer'), 'src', 'greeting.ts'), "export const greeting = 'welcome back';\n");
    await vi.waitFor(async () => expect(await invoke('kestrel-staging-newcomer-welcome')).toMatchObject({ greeting: 'welcome back' }), { timeout: 30_000, interval: 100 });
  }, 120_000);
});
