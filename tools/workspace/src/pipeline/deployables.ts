import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The part of `nx graph --file` output we read. */
export interface ProjectGraphJson {
  graph: {
    nodes: Record<string, { name: string; data: { root: string; tags?: string[]; targets?: Record<string, unknown> } }>;
    dependencies: Record<string, Array<{ source: string; target: string }>>;
  };
}

/** A project the pipeline plans on pull requests and deploys from main. */
export interface Deployable {
  /** Nx project name (= stack name = manifest name). */
  name: string;
  /** Project folder, e.g. `apps/customers`. */
  root: string;
  /** Folders of every project it depends on, directly or not, sorted. */
  dependencyRoots: string[];
}

/** Projects tagged `deploy:manual` (the bootstrap stack) have a synth target but are applied by hand. */
export const MANUAL_DEPLOY_TAG = 'deploy:manual';

/**
 * The workspace's project graph as Nx computes it (`nx graph --file`), so
 * workflow generation and the guard tests see the same projects, targets and
 * dependencies as `nx affected`.
 */
export function readProjectGraph(workspaceRoot: string): ProjectGraphJson {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-graph-'));
  try {
    const file = join(dir, 'graph.json');
    execFileSync('npx', ['nx', 'graph', `--file=${file}`], {
      cwd: workspaceRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    return JSON.parse(readFileSync(file, 'utf8')) as ProjectGraphJson;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Folders of every project `name` depends on, directly or not (npm packages,
 * `npm:*` nodes, are not folders and are left out), sorted. A workflow that
 * must run when anything a project is built from changes triggers on these.
 *
 * @example
 * ```ts
 * dependencyRoots(readProjectGraph(root), 'event-catalog'); // ['libs/contracts', 'libs/observability', …]
 * ```
 */
export function dependencyRoots({ graph }: ProjectGraphJson, name: string): string[] {
  const seen = new Set<string>();
  const queue = [name];
  while (queue.length > 0) {
    const current = queue.pop()!;
    for (const edge of graph.dependencies[current] ?? []) {
      if (!graph.nodes[edge.target] || edge.target.startsWith('npm:') || seen.has(edge.target) || edge.target === name) continue;
      seen.add(edge.target);
      queue.push(edge.target);
    }
  }
  return [...seen].map((dependency) => graph.nodes[dependency]!.data.root).sort();
}

/**
 * Every project with a `synth` target that the pipeline deploys (not tagged
 * {@link MANUAL_DEPLOY_TAG}), with the folders of its transitive dependencies,
 * sorted by name.
 *
 * @example
 * ```ts
 * deployables(readProjectGraph(root)).map((d) => d.name); // ['analytics-ingest', 'customers', …, 'platform']
 * ```
 */
export function deployables(projectGraph: ProjectGraphJson): Deployable[] {
  return Object.values(projectGraph.graph.nodes)
    .filter((node) => node.data.targets?.synth !== undefined && !(node.data.tags ?? []).includes(MANUAL_DEPLOY_TAG))
    .map((node) => ({ name: node.name, root: node.data.root, dependencyRoots: dependencyRoots(projectGraph, node.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
