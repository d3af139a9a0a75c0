import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployables, type ProjectGraphJson } from './deployables';
import { deployWorkflowFile, renderDeployWorkflow, WORKFLOWS_DIR } from './deploy-workflow';

const DEPLOY_FILE = /^deploy-(?<project>.+)\.ya?ml$/;

export interface WorkflowDrift {
  /** Deploy workflows to write (missing or different from the template). */
  stale: string[];
  /** Deploy workflows for projects that are not deployable (deleted, renamed, no synth target). */
  orphans: string[];
}

/** Compares `.github/workflows/deploy-*.yml` with what the template renders for the current graph. */
export function workflowDrift(workspaceRoot: string, graph: ProjectGraphJson): WorkflowDrift {
  const dir = join(workspaceRoot, WORKFLOWS_DIR);
  const expected = new Map(deployables(graph).map((d) => [deployWorkflowFile(d.name), renderDeployWorkflow(d)]));
  const present = existsSync(dir) ? readdirSync(dir).filter((file) => DEPLOY_FILE.test(file)) : [];
  return {
    stale: [...expected].filter(([file, text]) => !existsSync(join(dir, file)) || readFileSync(join(dir, file), 'utf8') !== text).map(([file]) => file),
    orphans: present.filter((file) => !expected.has(file)),
  };
}

/**
 * Writes one deploy workflow per deployable project and removes those of
 * projects that no longer are. Returns what changed.
 *
 * @example
 * ```ts
 * syncWorkflows(root, readProjectGraph(root)); // { stale: ['deploy-orders.yml'], orphans: [] }
 * ```
 */
export function syncWorkflows(workspaceRoot: string, graph: ProjectGraphJson): WorkflowDrift {
  const drift = workflowDrift(workspaceRoot, graph);
  const dir = join(workspaceRoot, WORKFLOWS_DIR);
  for (const deployable of deployables(graph)) {
    const file = deployWorkflowFile(deployable.name);
    if (drift.stale.includes(file)) writeFileSync(join(dir, file), renderDeployWorkflow(deployable));
  }
  for (const file of drift.orphans) rmSync(join(dir, file));
  return drift;
}
