/**
 * Finding the synthesized stacks to apply: every project with a `synth`
 * target writes `cdktf.out/` (or the `output` its cdktf.json names), whose
 * `manifest.json` lists the stacks. Stacks are synthesized per environment
 * (`<stack>-staging`, `<stack>-production`); the local cloud applies one
 * environment's.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface DiscoveredStack {
  name: string;
  /** Folder holding the stack's `cdk.tf.json`. */
  dir: string;
  /** Project folder, relative to the repository root (`infra/platform`). */
  project?: string;
}

interface Manifest {
  stacks?: Record<string, { name?: string; synthesizedStackPath?: string; workingDirectory?: string }>;
}

/**
 * Stacks listed in the `manifest.json` of each synth output folder, keeping
 * only `environment`'s when a stack name carries an environment suffix.
 *
 * @example
 * discoverStacks(['infra/platform/cdktf.out'], 'staging') // [{ name: 'platform-staging', dir: 'infra/platform/cdktf.out/stacks/platform-staging' }]
 */
export function discoverStacks(outDirs: readonly string[], environment: string, knownEnvironments: readonly string[] = ['staging', 'production']): DiscoveredStack[] {
  const found: DiscoveredStack[] = [];
  for (const outDir of outDirs) {
    const manifestFile = join(outDir, 'manifest.json');
    if (!existsSync(manifestFile)) continue;
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    for (const [key, entry] of Object.entries(manifest.stacks ?? {})) {
      const name = entry.name ?? key;
      const suffix = knownEnvironments.find((candidate) => name.endsWith(`-${candidate}`));
      if (suffix && suffix !== environment) continue;
      const dir = join(outDir, entry.workingDirectory ?? join('stacks', name));
      found.push({ name, dir });
    }
  }
  return found;
}

/**
 * Projects of the workspace that have a `synth` target, with their synth
 * output folder; platform stacks (`infra/*`) first, since service stacks read
 * the platform's values from SSM at apply time.
 */
export function findSynthProjects(repoRoot: string): Array<{ name: string; root: string; outDir: string }> {
  const projects: Array<{ name: string; root: string; outDir: string }> = [];
  for (const group of ['infra', 'apps', 'libs', 'tools']) {
    const groupDir = join(repoRoot, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of readdirSync(groupDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const root = join(group, entry.name);
      const projectFile = join(repoRoot, root, 'project.json');
      if (!existsSync(projectFile)) continue;
      const project = JSON.parse(readFileSync(projectFile, 'utf8')) as { name?: string; targets?: Record<string, unknown> };
      if (!project.targets?.synth) continue;
      const cdktfFile = join(repoRoot, root, 'cdktf.json');
      const output = existsSync(cdktfFile) ? ((JSON.parse(readFileSync(cdktfFile, 'utf8')) as { output?: string }).output ?? 'cdktf.out') : 'cdktf.out';
      projects.push({ name: project.name ?? entry.name, root, outDir: join(repoRoot, root, output) });
    }
  }
  return projects;
}

/** Every stack of every synth project, in apply order (see {@link orderBySsmParameters}). */
export function discoverWorkspaceStacks(repoRoot: string, environment: string): DiscoveredStack[] {
  return orderBySsmParameters(
    findSynthProjects(repoRoot).flatMap((project) => discoverStacks([project.outDir], environment).map((stack) => ({ ...stack, project: project.root }))),
  );
}

type StackDocument = {
  resource?: { aws_ssm_parameter?: Record<string, { name?: unknown }> };
  data?: { aws_ssm_parameter?: Record<string, { name?: unknown }> };
};

/** SSM parameter names a stack publishes (resources) and reads (data sources); only literal names count. */
export function ssmParameterEdges(stackDir: string): { writes: string[]; reads: string[] } {
  const document = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as StackDocument;
  const names = (blocks: Record<string, { name?: unknown }> | undefined) =>
    Object.values(blocks ?? {})
      .map((block) => block.name)
      .filter((name): name is string => typeof name === 'string' && !name.includes('${'));
  return { writes: names(document.resource?.aws_ssm_parameter), reads: names(document.data?.aws_ssm_parameter) };
}

/**
 * Cross-stack values travel through SSM parameters read by name, so a stack
 * must be applied after every stack that publishes a parameter it reads (the
 * identity stack publishes its pool's issuer before customers' HTTP API reads
 * it). Orders stacks topologically by those edges, keeping the discovery
 * order otherwise; a cycle is an error naming the stacks in it.
 *
 * @example
 * orderBySsmParameters([customers, identity, platform]) // [platform, identity, customers]
 */
export function orderBySsmParameters(stacks: readonly DiscoveredStack[], edgesOf = ssmParameterEdges): DiscoveredStack[] {
  const edges = new Map(stacks.map((stack) => [stack.name, edgesOf(stack.dir)]));
  const publisher = new Map<string, string>();
  for (const stack of stacks) for (const name of edges.get(stack.name)!.writes) publisher.set(name, stack.name);
  const dependsOn = new Map(
    stacks.map((stack) => [
      stack.name,
      new Set(edges.get(stack.name)!.reads.flatMap((name) => (publisher.has(name) && publisher.get(name) !== stack.name ? [publisher.get(name)!] : []))),
    ]),
  );
  const ordered: DiscoveredStack[] = [];
  const done = new Set<string>();
  while (ordered.length < stacks.length) {
    const next = stacks.find((stack) => !done.has(stack.name) && [...dependsOn.get(stack.name)!].every((dependency) => done.has(dependency)));
    if (!next) {
      const stuck = stacks.filter((stack) => !done.has(stack.name)).map((stack) => stack.name);
      throw new Error(`Stacks read each other's SSM parameters in a cycle, so none can be applied first: ${stuck.join(', ')}`);
    }
    ordered.push(next);
    done.add(next.name);
  }
  return ordered;
}
