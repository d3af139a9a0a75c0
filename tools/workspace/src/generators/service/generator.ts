import { createProjectGraphAsync, readProjectsConfigurationFromProjectGraph } from '@nx/devkit';
import type { ProjectGraph, Tree } from '@nx/devkit';
import { deployWorkflowFile, renderDeployWorkflow, WORKFLOWS_DIR } from '../../pipeline/deploy-workflow';
import { serviceFiles, serviceNames } from './files';

export interface ServiceGeneratorOptions {
  name: string;
  owner?: string;
  description?: string;
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
// Libraries the generated code imports; the deploy workflow watches them and what they depend on.
const DIRECT_DEPENDENCIES = ['service-manifest', 'infra-constructs', 'observability', 'http-api'];
const CODEOWNERS = '.github/CODEOWNERS';

/** Folders of the given projects and of everything they depend on, from the current graph. */
export function dependencyRoots(graph: ProjectGraph, direct: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...direct];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name) || !graph.nodes[name]) continue;
    seen.add(name);
    for (const edge of graph.dependencies[name] ?? []) queue.push(edge.target);
  }
  return [...seen].map((name) => graph.nodes[name]!.data.root).sort();
}

function validate(tree: Tree, options: ServiceGeneratorOptions, projects: string[]): void {
  const problems = [
    ...(KEBAB.test(options.name) ? [] : [`name: "${options.name}" must be kebab-case (a-z, 0-9, single hyphens, starting with a letter)`]),
    ...(options.owner === undefined || KEBAB.test(options.owner) ? [] : [`owner: "${options.owner}" must be kebab-case`]),
    ...(['platform', 'bootstrap', 'pipeline'].includes(options.name) ? [`name: "${options.name}" is reserved`] : []),
    ...(projects.includes(options.name) ? [`name: a project "${options.name}" already exists`] : []),
    ...(tree.exists(`apps/${options.name}`) ? [`name: apps/${options.name} already exists`] : []),
  ];
  if (problems.length > 0) throw new Error(`Cannot generate the service:\n  ${problems.join('\n  ')}`);
}

/**
 * `nx g @kestrel/workspace:service <name> [--owner=<team>] [--description=…]`:
 * a new bounded context under apps/<name> (manifest, handler, domain, stack,
 * unit and synth tests, README), its deploy workflow and its CODEOWNERS entry.
 * The result passes lint, typecheck, test and synth as generated.
 */
export default async function serviceGenerator(tree: Tree, options: ServiceGeneratorOptions): Promise<() => void> {
  const graph = await createProjectGraphAsync({ exitOnError: false });
  validate(tree, options, Object.keys(readProjectsConfigurationFromProjectGraph(graph).projects));
  const names = serviceNames(options.name, options.owner, options.description);
  const root = `apps/${names.name}`;

  for (const [file, content] of Object.entries(serviceFiles(names))) tree.write(`${root}/${file}`, content);

  tree.write(
    `${WORKFLOWS_DIR}/${deployWorkflowFile(names.name)}`,
    renderDeployWorkflow({ name: names.name, root, dependencyRoots: dependencyRoots(graph, DIRECT_DEPENDENCIES) }),
  );

  const codeowners = tree.exists(CODEOWNERS) ? tree.read(CODEOWNERS, 'utf-8')! : '';
  const entry = `/${root}/`.padEnd(26) + `@kestrel/${names.owner}`;
  if (!codeowners.split('\n').some((line) => line.startsWith(`/${root}/ `))) {
    tree.write(CODEOWNERS, `${codeowners.replace(/\n*$/, '\n')}${entry}\n`);
  }

  return () => {
    console.log(
      [
        `Created ${root}. Next:`,
        `  npx nx run-many -p ${names.name} -t lint typecheck test synth`,
        `  platform team: re-apply infra/bootstrap (roles kestrel-<env>-${names.name}-plan/-deploy and the role boundary kestrel-<env>-${names.name}-boundary) and create the GitHub environments ${names.name}-staging, ${names.name}-production`,
      ].join('\n'),
    );
  };
}
