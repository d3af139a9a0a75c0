// Lint rules that encode the architecture. The module-boundary constraints
// below are the ones that actually forbid something; a test in tools/workspace
// (tests/module-boundaries.test.ts) proves each of them fails lint.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Every bounded context under apps/ gets its own scope tag; a context may use
// its own code and shared libraries, never another context's.
const appsDir = fileURLToPath(new URL('./apps', import.meta.url));
const contexts = existsSync(appsDir)
  ? readdirSync(appsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)
  : [];

// Imports that cost every bundle or synth that makes them.
const restrictedPaths = [
  { name: '@cdktn/provider-aws', message: 'Import provider resources by deep path: @cdktn/provider-aws/lib/<resource>.' },
  {
    name: '@kestrel/infra-constructs',
    message: 'Import the module you use, @kestrel/infra-constructs/<module> (e.g. /service/service-stack): no barrel on the synth path.',
  },
];

const cdktnImports = ['cdktn', 'cdktn/*', '@cdktn/*', 'constructs', 'cdktn-cli'];

// What handlers bundle validates with zod/mini: classic zod adds ~70 KB and ~15 ms of cold load to
// every function that reaches it (tools/bundle/README.md, "Figures").
const classicZod = {
  name: 'zod',
  message: "Handler code uses `import * as z from 'zod/mini'` (classic zod adds ~70 KB to every bundle that reaches it); its functions (z.safeParse, z.toJSONSchema) take classic schemas too.",
};

// Tests and tool configuration may use test tooling (vitest, fast-check, SDK
// clients against the local cloud) and the testing library; production code
// may not. The project-to-project rules are the same for both.
function boundaries({ tests }) {
  const external = (rule) => (tests ? {} : rule);
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      // A service (bounded context) never imports another service.
      { sourceTag: 'type:service', notDependOnLibsWithTags: ['type:service'] },
      ...contexts.map((context) => ({
        sourceTag: `scope:${context}`,
        onlyDependOnLibsWithTags: [`scope:${context}`, 'scope:shared'],
      })),
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      // Event contracts are the published language: zod and nothing else.
      {
        sourceTag: 'type:contract',
        onlyDependOnLibsWithTags: tests ? ['type:contract', 'type:testing'] : [],
        ...external({ allowedExternalImports: ['zod', 'zod/*'] }),
      },
      // Runtime code (what handlers import) never pulls in the CDK.
      {
        sourceTag: 'type:runtime',
        onlyDependOnLibsWithTags: ['type:contract', 'type:runtime', ...(tests ? ['type:testing'] : [])],
        bannedExternalImports: cdktnImports,
      },
      {
        sourceTag: 'type:manifest',
        onlyDependOnLibsWithTags: ['type:contract', 'type:manifest', ...(tests ? ['type:testing'] : [])],
        bannedExternalImports: cdktnImports,
      },
      {
        sourceTag: 'type:infra',
        onlyDependOnLibsWithTags: ['type:contract', 'type:manifest', 'type:infra', 'type:runtime', ...(tests ? ['type:testing'] : [])],
      },
      { sourceTag: 'type:testing', notDependOnLibsWithTags: ['type:service', 'type:tool'] },
    ],
  };
}

const testFiles = ['**/tests/**/*.ts', '**/*.test.ts', '**/vitest.config.ts', '**/vitest.*.ts', '**/bench/**/*.ts'];

export default [
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/cdktf.out/**', '**/.local-cloud/**', '**/coverage/**', '**/.gen/**', '**/site/**'],
  },
  ...tseslint.configs.recommended,
  {
    plugins: { '@nx': nx },
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z'][importKind!='type']",
          message: "Use `import * as z from 'zod'`: the named import makes esbuild bundle every zod locale (465 KB vs 107 KB).",
        },
      ],
      '@nx/enforce-module-boundaries': ['error', boundaries({ tests: false })],
    },
  },
  {
    files: testFiles,
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries({ tests: true })] },
  },
  {
    // The contracts' compatibility gate (compat/, scripts/) runs in CI, never in a handler bundle
    // (handlers import src/ only): it generates events with fast-check like a test does.
    files: ['libs/contracts/compat/**/*.ts', 'libs/contracts/scripts/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries({ tests: true })] },
  },
  {
    // Provider bindings by deep path only: the barrel import costs ~10x synth time and memory.
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: restrictedPaths,
        },
      ],
    },
  },
  {
    // No barrels in the synth path's library: a re-export module loads every construct
    // (and its provider classes) for a stack that needs a few.
    files: ['libs/infra-constructs/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'No `export *` in infra-constructs: importers name the module they use.' },
        { selector: 'ExportNamedDeclaration[source]', message: 'No re-exports in infra-constructs: importers name the module they use.' },
        {
          selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z'][importKind!='type']",
          message: "Use `import * as z from 'zod'`: the named import makes esbuild bundle every zod locale (465 KB vs 107 KB).",
        },
      ],
    },
  },
  {
    // Handler, domain and adapter code of a service is runtime code: no CDK.
    files: ['apps/*/src/**/*.ts', 'apps/*/service.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: restrictedPaths,
          patterns: [{ group: cdktnImports, message: 'Runtime code must not import the CDK; infrastructure lives in infra/.' }],
        },
      ],
    },
  },
  {
    files: ['apps/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...restrictedPaths, classicZod],
          patterns: [{ group: cdktnImports, message: 'Runtime code must not import the CDK; infrastructure lives in infra/.' }],
        },
      ],
    },
  },
  {
    // The libraries handlers import.
    files: ['libs/contracts/src/**/*.ts', 'libs/http-api/src/**/*.ts', 'libs/table-keys/src/**/*.ts', 'libs/observability/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [...restrictedPaths, classicZod] }] },
  },
  {
    // A stack points at bundles, never at handler internals.
    files: ['apps/*/infra/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: restrictedPaths,
          patterns: [{ group: ['../src/*', '../src/**', '**/src/handlers/**', '**/src/domain/**', '**/src/adapters/**'], message: 'Infrastructure code must not import handler internals; reference the bundle through service.ts.' }],
        },
      ],
    },
  },
];
