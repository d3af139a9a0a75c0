import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { definesStack, deployedFunctionNames, readMetafile, targetCommand } from '../../src/watch/workspace-graph';

const root = mkdtempSync(join(tmpdir(), 'workspace-graph-'));
const service = join(root, 'apps', 'orders');
const platform = join(root, 'infra', 'platform');
for (const dir of [join(service, 'infra'), join(service, 'src', 'handlers'), join(platform, 'src'), join(service, 'stack')]) mkdirSync(dir, { recursive: true });
writeFileSync(join(service, 'service.ts'), 'export default {};\n');
writeFileSync(join(service, 'src', 'handlers', 'place.ts'), 'export const handler = 1;\n');
writeFileSync(join(service, 'project.json'), JSON.stringify({ targets: { synth: { options: { command: 'tsx infra/main.ts', cwd: '{projectRoot}' } }, lint: { executor: '@nx/eslint:lint' } } }));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('what watch mode reads from the workspace', () => {
  it('tells stack definitions from handler sources, for services and platform projects', () => {
    // assess
    expect(definesStack(service, join(service, 'service.ts'))).toBe(true);
    expect(definesStack(service, join(service, 'infra', 'orders.stack.ts'))).toBe(true);
    expect(definesStack(service, join(service, 'infra', '.orders.stack.ts.swp'))).toBe(false);
    expect(definesStack(service, join(service, 'src', 'handlers', 'place.ts'))).toBe(false);
    expect(definesStack(service, join(service, 'tests', 'infra', 'stack.test.ts'))).toBe(false);
    expect(definesStack(platform, join(platform, 'src', 'platform.stack.ts'))).toBe(true);
    expect(definesStack(platform, join(platform, 'cdktf.out', 'manifest.json'))).toBe(false);
    expect(definesStack(platform, join(platform, 'tests', 'x.test.ts'))).toBe(false);
    expect(definesStack(service, join(platform, 'main.ts'))).toBe(false);
  });

  it('resolves metafile paths against the folder esbuild ran in, keeping only the workspace’s own files', () => {
    // prepare
    const metafile = join(root, 'm.metafile.json');
    writeFileSync(
      metafile,
      JSON.stringify({
        inputs: { 'src/handlers/place.ts': {}, '../../libs/x/src/index.ts': {}, '../../node_modules/zod/index.js': {} },
        outputs: { 'dist/bundles/place/index.mjs': { entryPoint: 'src/handlers/place.ts' } },
      }),
    );

    // act
    const read = readMetafile(metafile, [root, service]);

    // assess: the repository root has no src/handlers/place.ts, the project folder has
    expect(read).toEqual({ entry: join(service, 'src/handlers/place.ts'), inputs: [join(service, 'src/handlers/place.ts'), join(root, 'libs/x/src/index.ts')] });
  });

  it('maps each bundle to the deployed function whose construct path names it', () => {
    // prepare
    const stackDir = join(service, 'stack');
    writeFileSync(
      join(stackDir, 'cdk.tf.json'),
      JSON.stringify({
        resource: {
          aws_lambda_function: {
            a: { '//': { metadata: { path: 'orders-staging/functions/place/function' } }, function_name: 'kestrel-staging-orders-place' },
            b: { '//': { metadata: { path: 'orders-staging/functions/cancel/function' } }, function_name: '${var.name}' },
          },
        },
      }),
    );

    // act
    const names = deployedFunctionNames(stackDir, ['place', 'cancel', 'refund']);

    // assess
    expect([...names]).toEqual([['place', 'kestrel-staging-orders-place']]);
  });

  it('runs a target as its own command with the Nx tokens resolved, and only plain commands', () => {
    // assess
    expect(targetCommand(root, service, 'synth')).toEqual({ command: 'tsx infra/main.ts', cwd: service });
    expect(targetCommand(root, service, 'lint')).toBeUndefined();
    expect(targetCommand(root, service, 'bundle')).toBeUndefined();
  });
});
