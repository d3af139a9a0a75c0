/**
 * Proves that the architecture rules in eslint.config.js bind: each forbidden
 * import is written into a scratch Nx workspace that uses the repository's own
 * eslint.config.js, nx.json and tsconfig.base.json, and ESLint must report it.
 * A scratch workspace (rather than files in this repo) lets us have two
 * services and every library type without touching real projects.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Project {
  root: string;
  alias: string;
  tags: string[];
}

const projects: Record<string, Project> = {
  contracts: { root: 'libs/contracts', alias: '@fx/contracts', tags: ['scope:shared', 'type:contract'] },
  'table-keys': { root: 'libs/table-keys', alias: '@fx/table-keys', tags: ['scope:shared', 'type:runtime'] },
  'service-manifest': { root: 'libs/service-manifest', alias: '@fx/service-manifest', tags: ['scope:shared', 'type:manifest'] },
  'infra-constructs': { root: 'libs/infra-constructs', alias: '@fx/infra-constructs', tags: ['scope:shared', 'type:infra'] },
  testing: { root: 'libs/testing', alias: '@fx/testing', tags: ['scope:shared', 'type:testing'] },
  alpha: { root: 'apps/alpha', alias: '@fx/alpha', tags: ['scope:alpha', 'type:service'] },
  beta: { root: 'apps/beta', alias: '@fx/beta', tags: ['scope:beta', 'type:service'] },
};

let workspace: string;
let results: Map<string, string[]>;

/** Files to lint: path → source. Each `violation-*` file must fail, each `allowed-*` file must pass. */
const files: Record<string, string> = {
  // A service never imports another service.
  'apps/alpha/src/handlers/violation-other-service.ts': `import { beta } from '@fx/beta';\nexport const x = beta;\n`,
  // Contracts: zod only.
  'libs/contracts/src/violation-sdk.ts': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const x = DynamoDBClient;\n`,
  'libs/contracts/src/violation-lib.ts': `import { keys } from '@fx/table-keys';\nexport const x = keys;\n`,
  'libs/contracts/src/allowed-zod.ts': `import * as z from 'zod/mini';\nexport const x = z.string();\n`,
  // Handler paths validate with zod/mini: classic zod is refused there.
  'libs/contracts/src/violation-classic-zod.ts': `import * as z from 'zod';\nexport const x = z.string();\n`,
  // Runtime and manifest code never import the CDK.
  'libs/table-keys/src/violation-cdktn.ts': `import { TerraformStack } from 'cdktn';\nexport const x = TerraformStack;\n`,
  'libs/service-manifest/src/violation-constructs.ts': `import { Construct } from 'constructs';\nexport const x = Construct;\n`,
  'apps/alpha/src/handlers/violation-cdktn.ts': `import { App } from 'cdktn';\nexport const x = App;\n`,
  // Runtime libs don't reach infra libs.
  'libs/table-keys/src/violation-infra-lib.ts': `import { stack } from '@fx/infra-constructs';\nexport const x = stack;\n`,
  // Provider bindings by deep path only.
  'libs/infra-constructs/src/violation-barrel.ts': `import { provider } from '@cdktn/provider-aws';\nexport const x = provider;\n`,
  'libs/infra-constructs/src/allowed-deep.ts': `import { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue';\nexport const x = SqsQueue;\n`,
  // No barrel on the synth path: importers name the infra-constructs module, which re-exports nothing.
  'apps/alpha/infra/violation-infra-barrel.ts': `import { ServiceStack } from '@kestrel/infra-constructs';\nexport const x = ServiceStack;\n`,
  'libs/infra-constructs/src/violation-export-all.ts': `export * from './allowed-deep';\n`,
  'libs/infra-constructs/src/violation-re-export.ts': `export { x } from './allowed-deep';\n`,
  // Infra code points at bundles, never at handler internals.
  'apps/alpha/infra/violation-handler-import.ts': `import { handler } from '../src/handlers/http-get';\nexport const x = handler;\n`,
  'apps/alpha/infra/allowed-manifest.ts': `import manifest from '../service';\nexport const x = manifest;\n`,
  // Production code never imports the testing library; tests may.
  'libs/table-keys/src/violation-testing.ts': `import { harness } from '@fx/testing';\nexport const x = harness;\n`,
  'libs/table-keys/tests/allowed-testing.test.ts': `import { harness } from '@fx/testing';\nexport const x = harness;\n`,
  // zod's named export drags every locale into a bundle.
  'apps/alpha/src/handlers/violation-zod-named.ts': `import { z } from 'zod';\nexport const x = z.string();\n`,
  // A service may use shared libraries.
  'apps/alpha/src/handlers/allowed-shared.ts': `import { keys } from '@fx/table-keys';\nimport * as z from 'zod/mini';\nexport const x = [keys, z];\n`,
};

function write(path: string, content: string): void {
  const full = join(workspace, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'kestrel-boundaries-'));
  for (const file of ['eslint.config.js', 'nx.json']) cpSync(join(repoRoot, file), join(workspace, file));
  symlinkSync(join(repoRoot, 'node_modules'), join(workspace, 'node_modules'), 'dir');
  // External packages become graph nodes from the lock file; without them the
  // banned/allowed external-import constraints would have nothing to match.
  const rootPackage = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  write('package.json', JSON.stringify({ name: 'boundaries-fixture', private: true, type: 'module', dependencies: rootPackage.dependencies, devDependencies: rootPackage.devDependencies }));
  cpSync(join(repoRoot, 'package-lock.json'), join(workspace, 'package-lock.json'));
  const base = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.base.json'), 'utf8'));
  base.compilerOptions.baseUrl = '.';
  base.compilerOptions.paths = Object.fromEntries(Object.values(projects).map((p) => [p.alias, [`${p.root}/src/index.ts`]]));
  write('tsconfig.base.json', JSON.stringify(base, null, 2));
  for (const [name, project] of Object.entries(projects)) {
    write(`${project.root}/project.json`, JSON.stringify({ name, root: project.root, tags: project.tags }));
    write(`${project.root}/src/index.ts`, `export const ${name.replace(/-(.)/g, (_, c: string) => c.toUpperCase())} = 1;\n`);
  }
  write('apps/alpha/service.ts', `export default { name: 'alpha' };\n`);
  write('apps/alpha/src/handlers/http-get.ts', `export const handler = () => 1;\n`);
  for (const [path, source] of Object.entries(files)) write(path, source);

  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true' };
  // The boundary rule reads Nx's cached project graph and silently skips without one.
  execFileSync(join(workspace, 'node_modules/.bin/nx'), ['show', 'projects'], { cwd: workspace, env, stdio: 'pipe' });
  let output: string;
  try {
    output = execFileSync(join(workspace, 'node_modules/.bin/eslint'), ['--format', 'json', ...Object.keys(files)], {
      cwd: workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 32 * 1024 * 1024,
    }).toString();
  } catch (error) {
    // ESLint exits 1 when it reports errors; the JSON report is still on stdout.
    output = (error as { stdout: Buffer }).stdout.toString();
  }
  const report = JSON.parse(output) as Array<{ filePath: string; messages: Array<{ ruleId: string | null; message: string }> }>;
  results = new Map(
    report.map((r) => [r.filePath.slice(workspace.length + 1), r.messages.map((m) => `${m.ruleId}: ${m.message}`)]),
  );
}, 180_000);

afterAll(() => {
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

const boundary = '@nx/enforce-module-boundaries';
const restricted = 'no-restricted-imports';

describe('module boundaries', () => {
  it.each([
    ['apps/alpha/src/handlers/violation-other-service.ts', boundary, /tagged with "type:service" can not depend on libs tagged with "type:service"|scope:alpha/],
    ['libs/contracts/src/violation-sdk.ts', boundary, /not allowed to import "@aws-sdk\/client-dynamodb"/],
    ['libs/contracts/src/violation-lib.ts', boundary, /type:contract/],
    ['libs/table-keys/src/violation-cdktn.ts', boundary, /imports of "cdktn" are banned|not allowed to import "cdktn"/],
    ['libs/service-manifest/src/violation-constructs.ts', boundary, /"constructs"/],
    ['apps/alpha/src/handlers/violation-cdktn.ts', restricted, /Runtime code must not import the CDK/],
    ['libs/table-keys/src/violation-infra-lib.ts', boundary, /type:runtime/],
    ['libs/infra-constructs/src/violation-barrel.ts', restricted, /deep path/],
    ['apps/alpha/infra/violation-handler-import.ts', restricted, /must not import handler internals/],
    ['libs/table-keys/src/violation-testing.ts', boundary, /type:runtime/],
    ['apps/alpha/src/handlers/violation-zod-named.ts', 'no-restricted-syntax', /import \* as z from 'zod'/],
    ['libs/contracts/src/violation-classic-zod.ts', restricted, /zod\/mini/],
  ])('%s fails lint (%s)', (file, rule, message) => {
    const messages = results.get(file) ?? [];
    expect(messages.filter((m) => m.startsWith(`${rule}:`)).join('\n')).toMatch(message);
  });

  it.each(Object.keys(files).filter((f) => f.split('/').pop()!.startsWith('allowed-')))('%s passes the boundary rules', (file) => {
    const messages = (results.get(file) ?? []).filter((m) => m.startsWith(`${boundary}:`) || m.startsWith(`${restricted}:`));
    expect(messages).toEqual([]);
  });

  it('linted every file (a skipped rule or missing graph would hide violations)', () => {
    expect([...results.keys()].sort()).toEqual(Object.keys(files).sort());
  });
});
