/**
 * The affected computation the pull-request pipeline relies on
 * (`nx show projects --affected --withTarget=synth`), proven in a temporary
 * git repository with the repository's own Nx: three deployable services,
 * a shared library two of them import, and an event-contract library only
 * one of them consumes.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
let workspace: string;

function write(path: string, content: string | object) {
  const file = join(workspace, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
}

function git(...args: string[]) {
  return execFileSync('git', args, { cwd: workspace, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function project(root: string, name: string, tags: string[], synth: boolean) {
  write(`${root}/package.json`, { name: `@fx/${name}`, version: '0.0.0', private: true, type: 'module', exports: { '.': './src/index.ts' } });
  write(`${root}/project.json`, {
    name,
    projectType: synth ? 'application' : 'library',
    tags,
    targets: { test: { command: 'echo test' }, ...(synth ? { synth: { command: 'echo synth' } } : {}) },
  });
}

/** Commits a change on a fresh branch from main and returns the deployable projects it affects. */
function affectedBy(branch: string, change: () => void): string[] {
  git('checkout', '-q', '-B', branch, 'main');
  change();
  git('add', '.');
  git('commit', '-q', '-m', branch);
  const out = execFileSync('npx', ['nx', 'show', 'projects', '--affected', '--base=main', '--head=HEAD', '--withTarget=synth', '--json'], {
    cwd: workspace,
    encoding: 'utf8',
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NX_'))), NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  return (JSON.parse(out) as string[]).sort();
}

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'kestrel-affected-'));
  symlinkSync(join(repoRoot, 'node_modules'), join(workspace, 'node_modules'), 'dir');
  write('package.json', { name: 'fx', private: true, type: 'module', workspaces: ['libs/*', 'apps/*'] });
  // analyzeSourceFiles: dependencies come from TypeScript imports, as in the real workspace.
  write('nx.json', { neverConnectToCloud: true, defaultBase: 'main', pluginsConfig: { '@nx/js': { analyzeSourceFiles: true } }, namedInputs: { default: ['{projectRoot}/**/*'], production: ['default'] } });
  write('tsconfig.base.json', {
    compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', baseUrl: '.', paths: { '@fx/shared': ['libs/shared/src/index.ts'], '@fx/events': ['libs/events/src/index.ts'] } },
  });
  write('.gitignore', 'node_modules\n.nx\n');
  project('libs/shared', 'shared', ['scope:shared', 'type:runtime'], false);
  write('libs/shared/src/index.ts', `export const greeting = 'hello';\n`);
  project('libs/events', 'events', ['scope:shared', 'type:contract'], false);
  write('libs/events/src/index.ts', `export const OrderPlacedV1 = { source: 'fx.orders', detailType: 'OrderPlaced', version: 1 };\n`);
  // alpha consumes the contract and uses the shared lib; beta only the shared lib; gamma neither.
  project('apps/alpha', 'alpha', ['scope:alpha', 'type:service'], true);
  write('apps/alpha/src/index.ts', `import { OrderPlacedV1 } from '@fx/events';\nimport { greeting } from '@fx/shared';\nexport const alpha = [OrderPlacedV1, greeting];\n`);
  project('apps/beta', 'beta', ['scope:beta', 'type:service'], true);
  write('apps/beta/src/index.ts', `import { greeting } from '@fx/shared';\nexport const beta = greeting;\n`);
  project('apps/gamma', 'gamma', ['scope:gamma', 'type:service'], true);
  write('apps/gamma/src/index.ts', `export const gamma = 1;\n`);
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ci@example.com');
  git('config', 'user.name', 'ci');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
});

afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe('nx affected selects exactly the deployable projects a change reaches', () => {
  it('a change to one app selects only that app', () => {
    // act
    const affected = affectedBy('change-gamma', () => write('apps/gamma/src/index.ts', `export const gamma = 2;\n`));

    // assess
    expect(affected).toEqual(['gamma']);
  });

  it('a change to a shared library selects every app that depends on it', () => {
    // act
    const affected = affectedBy('change-shared', () => write('libs/shared/src/index.ts', `export const greeting = 'hi';\n`));

    // assess
    expect(affected).toEqual(['alpha', 'beta']);
  });

  it('a change to an event contract selects its consumers only', () => {
    // act
    const affected = affectedBy('change-contract', () =>
      write('libs/events/src/index.ts', `export const OrderPlacedV1 = { source: 'fx.orders', detailType: 'OrderPlaced', version: 1, owner: 'orders' };\n`),
    );

    // assess
    expect(affected).toEqual(['alpha']);
  });

  it('a change outside every project selects nothing to deploy', () => {
    // act
    const affected = affectedBy('change-readme', () => write('README.md', '# notes\n'));

    // assess
    expect(affected).toEqual([]);
  });
});
