/**
 * `nx g @kestrel/workspace:service` produces a bounded context that passes
 * lint, typecheck, test and synth immediately: generated into a scratch copy of this
 * workspace (its committed and new files, without the existing services),
 * committed, then checked with `nx affected -t lint typecheck test synth` there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProjectGraph } from '../../src/pipeline/deployables';
import { parseWorkflow, reusableCallProblems, unpinnedActions, workflowCallInterface } from '../../src/pipeline/guards';
import { workflowDrift } from '../../src/pipeline/sync-workflows';
import { workflowProblems } from '../../src/pipeline/workflow-lint';

const repoRoot = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
// Without the NX_* variables of an Nx run this test may itself be part of (task ids, workspace paths).
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NX_'))),
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_INTERACTIVE: 'false',
  FORCE_COLOR: '0',
};
let scratch: string;

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd: scratch, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  // ANSI colours stripped whatever the terminal settings.
  return { status: result.status, output: `${result.stdout}\n${result.stderr}`.replace(/\u001b\[[0-9;]*m/g, '') };
}

function git(...args: string[]) {
  execFileSync('git', args, { cwd: scratch, stdio: 'ignore' });
}

/**
 * The scratch workspace uses the installed packages, but its own @kestrel/*
 * packages: linked to the repository's, Nx would resolve imports of the
 * libraries outside the scratch workspace and see no dependency on them.
 */
function linkNodeModules() {
  const modules = join(scratch, 'node_modules');
  mkdirSync(join(modules, '@kestrel'), { recursive: true });
  for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
    if (entry !== '@kestrel') symlinkSync(join(repoRoot, 'node_modules', entry), join(modules, entry));
  }
  for (const entry of readdirSync(join(repoRoot, 'node_modules/@kestrel'))) {
    const target = realpathSync(join(repoRoot, 'node_modules/@kestrel', entry));
    const local = join(scratch, relative(repoRoot, target));
    if (existsSync(local)) symlinkSync(local, join(modules, '@kestrel', entry), 'dir');
  }
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'kestrel-generator-'));
  // Tracked and new (not ignored) files, without the existing services: the new
  // context must stand on the libraries alone. The cross-service journeys go too:
  // system-tests depends on every service by name, which Nx refuses without them.
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\n')
    .filter((file) => file !== '' && !file.startsWith('apps/') && !file.startsWith('tools/system-tests/') && existsSync(join(repoRoot, file)));
  for (const file of files) {
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(scratch, file));
  }
  linkNodeModules();
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ci@example.com');
  git('config', 'user.name', 'ci');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('nx g @kestrel/workspace:service', () => {
  it('generates a context that passes lint, typecheck, test and synth, and is the only deployable the change affects', () => {
    // act
    const generated = run('npx', ['nx', 'g', '@kestrel/workspace:service', 'loyalty-points', '--owner=loyalty-team', '--no-interactive']);
    git('add', '.');
    git('commit', '-q', '-m', 'generate loyalty-points');
    const affectedDeployables = run('npx', ['nx', 'show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--withTarget=synth', "--exclude=tag:deploy:manual", '--json']);
    const affected = run('npx', ['nx', 'show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json']);
    // The affected targets of the new service itself and of the bootstrap stack (which must now create its
    // roles); the workspace project is affected too, but its tests are these tests.
    const checks = run('npx', ['nx', 'affected', '-t', 'lint', 'typecheck', 'test', 'synth', '--base=HEAD~1', '--head=HEAD', '--exclude=*,!loyalty-points,!bootstrap', '--parallel=2', '--outputStyle=stream']);

    // assess
    const json = (output: string) => JSON.parse(output.trim().split('\n').find((line) => line.startsWith('[')) ?? 'null') as string[];
    expect(generated.status, generated.output).toBe(0);
    expect(json(affectedDeployables.output), affectedDeployables.output).toEqual(['loyalty-points']);
    expect(json(affected.output)).toEqual(expect.arrayContaining(['loyalty-points', 'bootstrap']));
    expect(checks.status, checks.output).toBe(0);
    expect(checks.output).toMatch(/Successfully ran targets lint, typecheck, test, synth for 2 projects/);
    const bootstrap = readFileSync(join(scratch, 'infra/bootstrap/cdktf.out/stacks/bootstrap-staging/cdk.tf.json'), 'utf8');
    expect(bootstrap).toContain('"name": "kestrel-staging-loyalty-points-deploy"');
    expect(existsSync(join(scratch, 'apps/loyalty-points/cdktf.out/stacks/loyalty-points-staging/cdk.tf.json'))).toBe(true);
    expect(existsSync(join(scratch, 'apps/loyalty-points/cdktf.out/stacks/loyalty-points-production/cdk.tf.json'))).toBe(true);
  }, 600_000);

  it('scaffolds the house style: the handler wraps an @kestrel/http-api route in withHttpObservability, as the services’ HTTP functions do', () => {
    // prepare
    const root = join(scratch, 'apps/loyalty-points');
    const handler = readFileSync(join(root, 'src/handlers/http-get-status.ts'), 'utf8');
    const routes = readFileSync(join(root, 'src/adapters/http/routes.ts'), 'utf8');

    // assess
    expect(handler).toContain("import { withHttpObservability } from '@kestrel/observability';");
    expect(handler).toMatch(/export const handler = withHttpObservability\(getStatusRoute\(\), \{ service: 'loyalty-points', functionName: 'http-get-status' \}\);/);
    expect(routes).toContain("from '@kestrel/http-api'");
    expect(routes).toMatch(/httpRoute\(async \(event\) =>/);
  });

  it('writes a valid, pinned deploy workflow whose watched paths match the project graph', async () => {
    // prepare
    const text = readFileSync(join(scratch, '.github/workflows/deploy-loyalty-points.yml'), 'utf8');
    const callee = workflowCallInterface(parseWorkflow(readFileSync(join(scratch, '.github/workflows/_deploy.yml'), 'utf8')).workflow);

    // act
    const drift = workflowDrift(scratch, readProjectGraph(scratch));

    // assess
    expect(await workflowProblems(text, 'deploy-loyalty-points.yml')).toEqual([]);
    expect(unpinnedActions(text)).toEqual([]);
    expect(reusableCallProblems(parseWorkflow(text).workflow.jobs!.deploy!, callee)).toEqual([]);
    expect(drift.stale).not.toContain('deploy-loyalty-points.yml');
  }, 120_000);

  it('adds the owning team to CODEOWNERS', () => {
    // act
    const codeowners = readFileSync(join(scratch, '.github/CODEOWNERS'), 'utf8');

    // assess
    expect(codeowners).toMatch(/^\/apps\/loyalty-points\/\s+@kestrel\/loyalty-team$/m);
  });

  it('refuses an existing context, a reserved name or a name that is not kebab-case, naming the problem', () => {
    // act
    const again = run('npx', ['nx', 'g', '@kestrel/workspace:service', 'loyalty-points', '--no-interactive']);
    const reserved = run('npx', ['nx', 'g', '@kestrel/workspace:service', 'platform', '--no-interactive']);
    const badName = run('npx', ['nx', 'g', '@kestrel/workspace:service', 'Loyalty_Points', '--no-interactive']);

    // assess
    expect(again.status).not.toBe(0);
    expect(again.output).toContain('a project "loyalty-points" already exists');
    expect(reserved.output).toContain('name: "platform" is reserved');
    expect(badName.status).not.toBe(0);
    expect(badName.output).toContain("'Loyalty_Points' should match the pattern");
  }, 120_000);
});
