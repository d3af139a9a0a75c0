import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metafile } from 'esbuild';
import { IncrementalBundler, bundleFunction, bundleFunctions, bundleService, CREATE_REQUIRE_BANNER, formatSizeTable, packageOf } from '../src/bundle';
import type { BundleResult } from '../src/bundle';

const serviceDir = fileURLToPath(new URL('./fixtures/sample-service', import.meta.url));

// Every temporary folder of this file lives under one root, removed at the end.
const scratch = mkdtempSync(join(tmpdir(), 'kestrel-bundle-tests-'));
const scratchDir = (prefix: string) => mkdtempSync(join(scratch, prefix));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs a bundle the way Lambda would: copied to a folder with no
 * node_modules above it (so nothing it forgot to bundle can be found), loaded
 * in a fresh Node process, handler called with `event`.
 */
function invokeInFreshProcess(bundleFolder: string, event: unknown, env: Record<string, string> = {}): { result?: unknown; error?: string } {
  const taskRoot = scratchDir('task-root-');
  cpSync(bundleFolder, taskRoot, { recursive: true });
  const script = `
    try {
      const { handler } = await import(${JSON.stringify(`file://${taskRoot}/index.mjs`)});
      console.log(JSON.stringify({ result: await handler(${JSON.stringify(event)}) }));
    } catch (error) {
      console.log(JSON.stringify({ error: error.stack }));
    }
  `;
  const stdout = execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    cwd: taskRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', ...env },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as { result?: unknown; error?: string };
}

describe('bundleService', () => {
  let outDir: string;
  let results: BundleResult[];

  beforeAll(async () => {
    // prepare / act (one bundling run for the file)
    outDir = scratchDir('bundles-');
    mkdirSync(join(outDir, 'http-greet'));
    writeFileSync(join(outDir, 'http-greet', 'stale.js'), 'left over from an earlier build');
    results = await bundleService({ serviceDir, outDir });
  });

  it('writes index.mjs and its source map per function, the metafile beside the folder', () => {
    // assess
    expect(results.map((r) => r.functionName)).toEqual(['http-greet', 'schedule-tick']);
    for (const name of ['http-greet', 'schedule-tick']) {
      expect(readdirSync(join(outDir, name)).sort()).toEqual(['index.mjs', 'index.mjs.map']);
      expect(existsSync(join(outDir, `${name}.metafile.json`))).toBe(true);
    }
  });

  it('replaces the function folder, so nothing stale ships', () => {
    // assess
    expect(existsSync(join(outDir, 'http-greet', 'stale.js'))).toBe(false);
  });

  it('produces a self-contained bundle whose handler runs in a fresh process outside the repository', () => {
    // act
    const { result } = invokeInFreshProcess(join(outDir, 'http-greet'), { name: 'ada' });

    // assess
    expect(result).toEqual({
      greeting: 'hello ada',
      checksum: createHash('sha256').update('ada').digest('hex').slice(0, 12),
      region: 'eu-west-1',
    });
  });

  it('gives CommonJS dependencies a real require (the createRequire banner)', () => {
    // prepare: the same bundle without the banner
    const code = readFileSync(join(outDir, 'http-greet', 'index.mjs'), 'utf8');
    const withoutBanner = scratchDir('no-banner-');
    cpSync(join(outDir, 'http-greet'), withoutBanner, { recursive: true });
    writeFileSync(join(withoutBanner, 'index.mjs'), code.replace(CREATE_REQUIRE_BANNER, ''));

    // act
    const { error } = invokeInFreshProcess(withoutBanner, { name: 'ada' });

    // assess: the CommonJS helper's require('node:crypto') needs it (and with it, the handler ran above)
    expect(code.startsWith(CREATE_REQUIRE_BANNER)).toBe(true);
    expect(error).toContain('Dynamic require of "node:crypto" is not supported');
  });

  it('bundles the AWS SDK (ES module build, tree-shaken) instead of leaving it external', () => {
    // prepare
    const code = readFileSync(join(outDir, 'http-greet', 'index.mjs'), 'utf8');
    const metafile = JSON.parse(readFileSync(join(outDir, 'http-greet.metafile.json'), 'utf8')) as Metafile;
    const sdkInputs = Object.keys(metafile.inputs).filter((input) => input.includes('node_modules/@aws-sdk/client-dynamodb/') && input.endsWith('.js'));

    const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
    const externals = (output?.imports ?? []).filter((i) => i.external).map((i) => i.path);

    // assess: the only imports left for runtime are Node built-ins.
    expect(externals.length).toBeGreaterThan(0);
    expect(externals.filter((path) => !isBuiltin(path))).toEqual([]);
    expect(sdkInputs.length).toBeGreaterThan(0);
    expect(sdkInputs.every((input) => input.includes('/dist-es/'))).toBe(true);
    // The handler never scans: the command is shaken out.
    expect(code).not.toContain('ScanCommand');
    expect(results[0]?.byPackage.map((p) => p.name)).toContain('@aws-sdk/client-dynamodb');
  });

  it('maps stack traces back to the TypeScript source through the linked source map', () => {
    // act
    const { error } = invokeInFreshProcess(join(outDir, 'schedule-tick'), { time: 'now', fail: true });

    // assess
    expect(error).toContain('Error: tick failed');
    expect(error).toMatch(/src\/handlers\/schedule-tick\.ts:2:/);
  });

  it('reports sizes: raw, gzip, map, and the largest input', () => {
    // act
    const table = formatSizeTable(results, outDir);

    // assess
    const [greet, tick] = results;
    expect(greet?.bytes).toBe(readFileSync(join(outDir, 'http-greet', 'index.mjs')).length);
    expect(greet?.gzipBytes).toBeLessThan(greet?.bytes ?? 0);
    expect(tick?.bytes).toBeLessThan(1024);
    expect(table.split('\n')[0]).toMatch(/^function\s+index\.mjs\s+gzip\s+map\s+largest input\s+file$/);
    expect(table).toMatch(new RegExp(`http-greet\\s+${((greet?.bytes ?? 0) / 1024).toFixed(1)} KB`));
    expect(table).toContain('http-greet/index.mjs');
  });
});

describe('the credentials alias', () => {
  let probe: BundleResult;

  beforeAll(async () => {
    // prepare / act: a handler that asks its SDK client for credentials
    probe = await bundleFunction(fileURLToPath(new URL('./fixtures/credentials-probe.ts', import.meta.url)), 'credentials-probe', scratchDir('probe-'));
  });

  it('bundles only the environment step of the default credential chain', () => {
    // prepare
    const metafile = JSON.parse(readFileSync(probe.metafile, 'utf8')) as Metafile;
    const packages = new Set(Object.keys(metafile.inputs).map(packageOf));

    // assess: what Lambda never runs is not carried
    expect(packages).toContain('@aws-sdk/credential-provider-env');
    for (const unused of ['@aws-sdk/credential-provider-node', '@aws-sdk/credential-provider-ini', '@aws-sdk/credential-provider-sso', '@aws-sdk/nested-clients', '@smithy/credential-provider-imds']) {
      expect(packages).not.toContain(unused);
    }
  });

  it('signs with the credentials Lambda puts in the environment', () => {
    // act
    const { result } = invokeInFreshProcess(join(probe.file, '..'), {}, {
      AWS_ACCESS_KEY_ID: 'ASIAFROMLAMBDAENV',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });

    // assess
    expect(result).toEqual({ accessKeyId: 'ASIAFROMLAMBDAENV' });
  });

  it('says so when the environment holds no credentials', () => {
    // act
    const { result } = invokeInFreshProcess(join(probe.file, '..'), {});

    // assess
    expect(result).toEqual({ credentialsError: 'Unable to find environment variable credentials.' });
  });
});

describe('bundleService errors', () => {
  it('names functions the manifest does not declare', async () => {
    // act / assess
    await expect(bundleService({ serviceDir, outDir: scratchDir('bundles-'), functions: ['http-greeet'] })).rejects.toThrow(
      'Service "sample" declares no function "http-greeet" (declared: http-greet, schedule-tick)',
    );
  });

  it('says where it looked for a manifest', async () => {
    // prepare
    const empty = scratchDir('no-service-');

    // act / assess
    await expect(bundleService({ serviceDir: empty })).rejects.toThrow(`No service manifest at ${join(empty, 'service.ts')}`);
  });
});

describe('packageOf', () => {
  it('names the npm package of an input, scoped or not, or own code', () => {
    // act / assess
    expect(packageOf('../../node_modules/@aws-sdk/client-dynamodb/dist-es/index.js')).toBe('@aws-sdk/client-dynamodb');
    expect(packageOf('node_modules/tslib/tslib.es6.mjs')).toBe('tslib');
    expect(packageOf('node_modules/@smithy/core/node_modules/@smithy/util/dist-es/a.js')).toBe('@smithy/util');
    expect(packageOf('apps/sample/src/handlers/http-greet.ts')).toBe('(own code)');
  });
});

describe('bundleFunctions (several handlers in one esbuild build, as watch mode rebuilds them)', () => {
  it('writes what a build of each handler alone writes: the same index.mjs, and a metafile of that handler’s own inputs', async () => {
    // prepare
    const handlers = ['http-greet', 'schedule-tick'].map((functionName) => ({ functionName, entry: join(serviceDir, 'src', 'handlers', `${functionName}.ts`) }));
    const alone = scratchDir('alone-');
    const together = scratchDir('together-');
    for (const { entry, functionName } of handlers) await bundleFunction(entry, functionName, alone);

    // act
    const results = await bundleFunctions(handlers, together);

    // assess
    expect(results.map((result) => result.functionName)).toEqual(['http-greet', 'schedule-tick']);
    for (const { functionName } of handlers) {
      expect(readFileSync(join(together, functionName, 'index.mjs'))).toEqual(readFileSync(join(alone, functionName, 'index.mjs')));
      const inputs = (dir: string) => Object.keys((JSON.parse(readFileSync(join(dir, `${functionName}.metafile.json`), 'utf8')) as Metafile).inputs).sort();
      expect(inputs(together)).toEqual(inputs(alone));
      expect(inputs(together).some((input) => input.endsWith(`${functionName}.ts`))).toBe(true);
    }
  });
});

describe('IncrementalBundler (the same handlers rebuilt after each edit)', () => {
  it('writes the edited code at each rebuild, as a fresh build of the same sources does', async () => {
    // prepare: a handler and a file it imports, in a scratch folder we can edit
    const sources = scratchDir('sources-');
    writeFileSync(join(sources, 'word.ts'), "export const word = 'first';\n");
    writeFileSync(join(sources, 'handler.ts'), "import { word } from './word';\nexport const handler = async () => ({ word });\n");
    const entries = [{ entry: join(sources, 'handler.ts'), functionName: 'echo' }];
    const outDir = scratchDir('incremental-');
    const bundler = await IncrementalBundler.create(entries, outDir);
    try {
      await bundler.rebuild();
      const before = invokeInFreshProcess(join(outDir, 'echo'), {});

      // act
      writeFileSync(join(sources, 'word.ts'), "export const word = 'second';\n");
      const [result] = await bundler.rebuild();

      // assess
      expect(before.result).toEqual({ word: 'first' });
      expect(invokeInFreshProcess(join(outDir, 'echo'), {}).result).toEqual({ word: 'second' });
      const fresh = scratchDir('fresh-');
      await bundleFunctions(entries, fresh);
      expect(readFileSync(join(outDir, 'echo', 'index.mjs'))).toEqual(readFileSync(join(fresh, 'echo', 'index.mjs')));
      expect(Object.keys((JSON.parse(readFileSync(result!.metafile, 'utf8')) as Metafile).inputs).sort()).toEqual([expect.stringMatching(/handler\.ts$/), expect.stringMatching(/word\.ts$/)]);
    } finally {
      await bundler.dispose();
    }
  });
});
