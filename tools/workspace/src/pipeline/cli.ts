// Pipeline helper, run by the workflows and by people:
//   tsx tools/workspace/src/pipeline/cli.ts workflows [--check]
//   tsx tools/workspace/src/pipeline/cli.ts target --project P --project-root R --env E --role plan|deploy
//   tsx tools/workspace/src/pipeline/cli.ts preflight --project P --project-root R --env E --role plan|deploy
//   tsx tools/workspace/src/pipeline/cli.ts plan-comment --project P --out plan.md staging=plan-staging.txt:2 production=…
//   tsx tools/workspace/src/pipeline/cli.ts page|resolve --project P --env production   (PAGERDUTY_ROUTING_KEY)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readProjectGraph } from './deployables';
import { pageDeployFailure, resolveDeployIncident } from './pagerduty';
import { renderPlanComment } from './plan-comment';
import { missingRoleMessage, preflight, PreflightError, s3BucketProbe } from './preflight';
import { stackTarget, toGithubOutput } from './stack-target';
import { syncWorkflows, workflowDrift } from './sync-workflows';

const workspaceRoot = fileURLToPath(new URL('../../../..', import.meta.url));
const [command, ...rest] = process.argv.slice(2);
const { values, positionals } = parseArgs({
  args: rest,
  allowPositionals: true,
  options: {
    check: { type: 'boolean', default: false },
    project: { type: 'string' },
    'project-root': { type: 'string' },
    env: { type: 'string' },
    role: { type: 'string' },
    out: { type: 'string' },
  },
});

function required(name: keyof typeof values): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new Error(`--${name} is required for "${command}"`);
  return value;
}

function target() {
  return stackTarget({
    project: required('project'),
    projectRoot: required('project-root'),
    env: required('env'),
    role: required('role') as 'plan' | 'deploy',
  });
}

async function main(): Promise<number> {
  switch (command) {
    case 'workflows': {
      const graph = readProjectGraph(workspaceRoot);
      const drift = values.check ? workflowDrift(workspaceRoot, graph) : syncWorkflows(workspaceRoot, graph);
      const changed = [...drift.stale.map((f) => `${values.check ? 'stale' : 'wrote'} ${f}`), ...drift.orphans.map((f) => `${values.check ? 'orphan' : 'removed'} ${f}`)];
      console.log(changed.length > 0 ? changed.join('\n') : 'deploy workflows up to date');
      if (values.check && changed.length > 0) {
        console.error('Run: npx nx run workspace:workflows');
        return 1;
      }
      return 0;
    }
    case 'target':
      process.stdout.write(toGithubOutput(target()));
      return 0;
    case 'missing-role':
      console.log(`::error::${missingRoleMessage(target())}`);
      return 0;
    case 'preflight': {
      const resolved = target();
      try {
        await preflight(resolved, workspaceRoot, s3BucketProbe(process.env.AWS_ENDPOINT_URL_S3));
      } catch (error) {
        if (!(error instanceof PreflightError)) throw error;
        for (const problem of error.problems) console.log(`::error::${resolved.project} ${resolved.env}: ${problem}`);
        return 1;
      }
      console.log(`${resolved.project} ${resolved.env}: state s3://${resolved.stateBucket}/${resolved.stateKey} reachable`);
      return 0;
    }
    case 'plan-comment': {
      const plans = positionals.map((spec) => {
        const match = /^(?<env>[a-z]+)=(?<file>[^:]+):(?<code>\d+)$/.exec(spec);
        if (!match?.groups) throw new Error(`plan-comment: "${spec}" must be <env>=<file>:<exit code>`);
        return { env: match.groups.env!, text: readFileSync(match.groups.file!, 'utf8'), exitCode: Number(match.groups.code) };
      });
      const runUrl = process.env.GITHUB_RUN_ID ? `${process.env.GITHUB_SERVER_URL}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}` : undefined;
      writeFileSync(required('out'), renderPlanComment(required('project'), plans, runUrl));
      return 0;
    }
    case 'page': {
      const runId = process.env.GITHUB_RUN_ID ?? 'local';
      const { dedupKey } = await pageDeployFailure(process.env.PAGERDUTY_ROUTING_KEY, {
        project: required('project'),
        env: required('env'),
        commit: process.env.GITHUB_SHA ?? 'unknown',
        runUrl: `${process.env.GITHUB_SERVER_URL ?? 'https://github.com'}/${process.env.GITHUB_REPOSITORY ?? ''}/actions/runs/${runId}`,
      });
      console.log(`paged on-call (dedup key ${dedupKey})`);
      return 0;
    }
    case 'resolve':
      console.log(await resolveDeployIncident(process.env.PAGERDUTY_ROUTING_KEY, required('project'), required('env')));
      return 0;
    default:
      console.error('usage: cli.ts <workflows [--check] | target | missing-role | preflight | plan-comment | page | resolve> …');
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
