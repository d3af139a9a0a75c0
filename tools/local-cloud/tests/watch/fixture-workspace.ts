/**
 * A small workspace in a temp folder, shaped like the real one, for watch
 * mode's tests and benchmark: `apps/<service>/` with `project.json` (real
 * `bundle` target: tools/bundle's CLI; a fixture `synth` target: a plain
 * script writing `cdktf.out/` from `infra/settings.json`), `service.ts`
 * (a real manifest), handlers importing a shared source file, and
 * `node_modules` linked to the repository's.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

export const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));
const bundleCli = join(repoRoot, 'tools', 'bundle', 'src', 'cli.ts');

/** `infra/synth.mjs`: a stand-in for cdktn that writes one stack per environment from `infra/settings.json`. */
const SYNTH_SCRIPT = `import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
const service = process.argv[2];
const settings = JSON.parse(readFileSync('infra/settings.json', 'utf8'));
const bundles = readdirSync('dist/bundles').filter((name) => name.endsWith('.metafile.json')).map((name) => name.replace('.metafile.json', ''));
const stacks = {};
for (const env of ['staging', 'production']) {
  const name = service + '-' + env;
  const functions = Object.fromEntries(bundles.map((fn) => [fn.replaceAll('-', '_') + '_function_ABC', {
    '//': { metadata: { path: name + '/functions/' + fn + '/function' } },
    function_name: 'kestrel-' + env + '-' + service + '-' + fn,
    handler: 'index.handler',
    runtime: 'nodejs22.x',
    role: 'arn:aws:iam::000000000000:role/' + fn,
    filename: resolve('dist/bundles', fn),
    environment: { variables: { MOOD: settings.mood } },
  }]));
  const stack = { resource: { aws_lambda_function: functions, aws_ssm_parameter: { mood: { name: '/' + service + '/' + env + '/mood', type: 'String', value: settings.mood } } } };
  mkdirSync(join('cdktf.out', 'stacks', name), { recursive: true });
  writeFileSync(join('cdktf.out', 'stacks', name, 'cdk.tf.json'), JSON.stringify(stack, null, 2));
  stacks[name] = { name, workingDirectory: 'stacks/' + name };
}
writeFileSync(join('cdktf.out', 'manifest.json'), JSON.stringify({ stacks }, null, 2));
`;

export interface FixtureService {
  name: string;
  /** Function name → what its handler file says besides the shared greeting. */
  functions: Record<string, { usesGreeting: boolean }>;
  greeting?: string;
  mood?: string;
  /** Handlers in the house style (withObservability, httpRoute, a DynamoDB client): a realistic bundle size. */
  house?: boolean;
}

/** The files of one fixture service, relative to `apps/<name>`. */
export function serviceFiles(service: FixtureService): Record<string, string> {
  const files: Record<string, string> = {
    'project.json': JSON.stringify({
      name: service.name,
      targets: {
        bundle: { executor: 'nx:run-commands', options: { command: `tsx ${bundleCli} --service .`, cwd: '{projectRoot}' } },
        synth: { executor: 'nx:run-commands', options: { command: `node infra/synth.mjs ${service.name}`, cwd: '{projectRoot}' } },
      },
    }),
    'service.ts': `import { defineService } from '@kestrel/service-manifest';
export default defineService({
  name: '${service.name}',
  description: 'A fixture service for watch mode.',
  owner: { team: 'fixtures' },
  functions: {
${Object.keys(service.functions)
  .map((fn) => `    '${fn}': { description: 'Says hello.', handler: 'src/handlers/${fn}.ts', triggers: [{ kind: 'http', method: 'GET', path: '/${fn}', auth: 'none' }] },`)
  .join('\n')}
  },
  tables: {},
  publishes: [],
  consumes: [],
});
`,
    'src/greeting.ts': `export const greeting = ${JSON.stringify(service.greeting ?? 'hello v1')};\n`,
    'infra/settings.json': JSON.stringify({ mood: service.mood ?? 'calm' }),
    'infra/synth.mjs': SYNTH_SCRIPT,
  };
  for (const [fn, { usesGreeting }] of Object.entries(service.functions)) {
    files[`src/handlers/${fn}.ts`] = service.house
      ? `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { httpRoute } from '@kestrel/http-api';
import { withObservability } from '@kestrel/observability';
${usesGreeting ? "import { greeting } from '../greeting';" : "const greeting = 'none';"}
const dynamodb = new DynamoDBClient({});
export const handler = withObservability(httpRoute(async () => ({ status: 200, body: { fn: '${fn}', greeting, region: await dynamodb.config.region() } })), { service: '${service.name}', functionName: '${fn}' });
`
      : usesGreeting
      ? `import { greeting } from '../greeting';\nexport const handler = async () => ({ fn: '${fn}', greeting, mood: process.env.MOOD });\n`
      : `export const handler = async () => ({ fn: '${fn}', mood: process.env.MOOD });\n`;
  }
  return files;
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, PATH: `${join(repoRoot, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
}

export interface FixtureWorkspace {
  root: string;
  serviceDir(name: string): string;
  /** Stack folder of a service in an environment. */
  stackDir(name: string, env?: string): string;
  cleanup(): void;
}

/**
 * A temp workspace with the given services bundled (tools/bundle) and
 * synthesized (the fixture script), as `npm start` leaves them before applying.
 */
export function createFixtureWorkspace(services: FixtureService[]): FixtureWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'watch-workspace-'));
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  mkdirSync(join(root, 'infra'));
  cpSync(join(repoRoot, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
  for (const service of services) {
    const dir = join(root, 'apps', service.name);
    writeFiles(dir, serviceFiles(service));
    run('tsx', [bundleCli, '--service', '.'], dir);
    run('node', ['infra/synth.mjs', service.name], dir);
  }
  return {
    root,
    serviceDir: (name) => join(root, 'apps', name),
    stackDir: (name, env = 'staging') => join(root, 'apps', name, 'cdktf.out', 'stacks', `${name}-${env}`),
    cleanup: () => {
      if (existsSync(root)) rmSync(root, { recursive: true, force: true });
    },
  };
}
