/**
 * What watch mode needs to know about the workspace: which source files each
 * function bundle was built from (esbuild's metafile beside the bundle),
 * which deployed Lambda function runs which bundle (the synthesized stack),
 * which files define a project's stack, and how a project's `bundle` and
 * `synth` targets are run without Nx (their own `nx:run-commands` command).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface FunctionBundle {
  /** The manifest's function name (`http-create-product`): the bundle folder's name. */
  functionName: string;
  /** Absolute path of the handler the bundle starts from. */
  entry: string;
  /** Absolute paths of the workspace's own source files in the bundle (no `node_modules`). */
  inputs: string[];
}

interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<string, { entryPoint?: string }>;
}

const OWN_SOURCE = (path: string) => !path.split(/[\\/]/).includes('node_modules') && !path.includes(':');

/**
 * The entry and own source files of one metafile. Its paths are relative to
 * the folder esbuild ran in (the project folder under Nx, the repository root
 * from elsewhere): the first candidate folder in which the entry exists wins.
 *
 * @example
 * readMetafile('apps/catalog/dist/bundles/http-get-product.metafile.json', ['/repo/apps/catalog', '/repo'])
 * // { entry: '/repo/apps/catalog/src/handlers/http-get-product.ts', inputs: ['/repo/libs/contracts/src/index.ts', …] }
 */
export function readMetafile(file: string, baseCandidates: readonly string[]): { entry: string; inputs: string[] } | undefined {
  const metafile = JSON.parse(readFileSync(file, 'utf8')) as Metafile;
  const entryPoint = Object.values(metafile.outputs).find((output) => output.entryPoint)?.entryPoint;
  if (!entryPoint) return undefined;
  const base = baseCandidates.find((candidate) => existsSync(resolve(candidate, entryPoint)));
  if (!base) return undefined;
  return {
    entry: resolve(base, entryPoint),
    inputs: Object.keys(metafile.inputs)
      .filter(OWN_SOURCE)
      .map((input) => resolve(base, input)),
  };
}

/**
 * Every function bundle of a project (`<project>/dist/bundles/<function>.metafile.json`),
 * or none when it bundles nothing.
 */
export function readFunctionBundles(projectDir: string, repoRoot: string): FunctionBundle[] {
  const bundlesDir = join(projectDir, 'dist', 'bundles');
  if (!existsSync(bundlesDir)) return [];
  return readdirSync(bundlesDir)
    .filter((name) => name.endsWith('.metafile.json'))
    .sort()
    .flatMap((name) => {
      const read = readMetafile(join(bundlesDir, name), [projectDir, repoRoot, process.cwd()]);
      return read ? [{ functionName: name.slice(0, -'.metafile.json'.length), ...read }] : [];
    });
}

type StackDocument = {
  resource?: {
    aws_lambda_function?: Record<string, { function_name?: unknown; '//'?: { metadata?: { path?: string } } }>;
  };
};

/**
 * Deployed function name per manifest function of one synthesized stack.
 * `ServiceStack` gives each manifest function a construct named after it
 * (construct path `<stack>/functions/<function>/function`), so the function
 * whose construct path has a segment equal to a bundle's name runs that
 * bundle. Names that are Terraform expressions are skipped.
 *
 * @example
 * deployedFunctionNames('apps/catalog/cdktf.out/stacks/catalog-staging', ['http-get-product'])
 * // Map { 'http-get-product' => 'kestrel-staging-catalog-http-get-product' }
 */
export function deployedFunctionNames(stackDir: string, bundleNames: readonly string[]): Map<string, string> {
  const file = join(stackDir, 'cdk.tf.json');
  const names = new Map<string, string>();
  if (!existsSync(file)) return names;
  const document = JSON.parse(readFileSync(file, 'utf8')) as StackDocument;
  for (const block of Object.values(document.resource?.aws_lambda_function ?? {})) {
    const deployed = block.function_name;
    const segments = block['//']?.metadata?.path?.split('/') ?? [];
    if (typeof deployed !== 'string' || deployed.includes('${')) continue;
    const bundle = bundleNames.find((name) => segments.includes(name));
    if (bundle && !names.has(bundle)) names.set(bundle, deployed);
  }
  return names;
}

/** Folders never watched: generated output, dependencies, local state. */
export const GENERATED_FOLDERS = new Set(['node_modules', 'dist', 'cdktf.out', '.local-cloud', 'bench-results', 'coverage', '.git', '.nx']);

/** Folders under a platform project that only tests and benchmarks read: not part of its stack. */
const NOT_STACK_FOLDERS = new Set(['tests', 'bench']);

/**
 * Does a change to `file` change what `projectDir`'s synth produces? For a
 * service (`service.ts` beside `infra/`): the manifest, `cdktf.json` and
 * anything under `infra/`. For a platform project (`infra/<name>`): its own
 * TypeScript and JSON outside tests and generated folders.
 *
 * @example
 * definesStack('/repo/apps/catalog', '/repo/apps/catalog/infra/catalog.stack.ts') // true
 * definesStack('/repo/apps/catalog', '/repo/apps/catalog/src/handlers/x.ts') // false
 */
export function definesStack(projectDir: string, file: string): boolean {
  const path = relative(projectDir, file);
  if (path.startsWith('..') || path === '') return false;
  const [first] = path.split(sep);
  // Editors' swap and backup files (`.x.ts.swp`, `x.ts~`, `4913`) are not sources.
  if (!/\.(m?[tj]s|json)$/.test(path) || path.endsWith('.test.ts')) return false;
  const isService = existsSync(join(projectDir, 'service.ts'));
  if (isService) return path === 'service.ts' || path === 'cdktf.json' || first === 'infra';
  if (GENERATED_FOLDERS.has(first as string) || NOT_STACK_FOLDERS.has(first as string)) return false;
  return path !== 'project.json' && path !== 'package.json' && !path.startsWith('tsconfig') && !path.startsWith('vitest.config');
}

/** The folders that hold a project's stack definition (watched for stack changes). */
export function stackFolders(projectDir: string): string[] {
  const isService = existsSync(join(projectDir, 'service.ts'));
  const folders: string[] = [];
  const walk = (folder: string, recurse: boolean) => {
    if (!existsSync(folder)) return;
    folders.push(folder);
    if (!recurse) return;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory() && !GENERATED_FOLDERS.has(entry.name) && !NOT_STACK_FOLDERS.has(entry.name)) walk(join(folder, entry.name), true);
    }
  };
  // A service's root holds service.ts (no recursion: src/ and tests/ are not the stack); infra/ is recursed.
  if (isService) {
    walk(projectDir, false);
    walk(join(projectDir, 'infra'), true);
  } else walk(projectDir, true);
  return folders;
}

export interface TargetCommand {
  command: string;
  cwd: string;
}

/**
 * The shell command of a project's `nx:run-commands` target (`bundle`,
 * `synth`) with Nx's `{projectRoot}`/`{workspaceRoot}` tokens resolved, so
 * watch mode runs it directly (an `nx run` costs ~2 s of start-up).
 * Undefined when the project has no such target or it is not a plain command.
 */
export function targetCommand(repoRoot: string, projectDir: string, target: string): TargetCommand | undefined {
  const projectFile = join(projectDir, 'project.json');
  if (!existsSync(projectFile)) return undefined;
  const project = JSON.parse(readFileSync(projectFile, 'utf8')) as { targets?: Record<string, { options?: { command?: unknown; cwd?: unknown } }> };
  const options = project.targets?.[target]?.options;
  if (typeof options?.command !== 'string') return undefined;
  const projectRoot = relative(repoRoot, projectDir);
  const substitute = (text: string) => text.replaceAll('{projectRoot}', projectRoot).replaceAll('{workspaceRoot}', '.');
  const cwd = typeof options.cwd === 'string' ? resolve(repoRoot, substitute(options.cwd)) : repoRoot;
  return { command: substitute(options.command), cwd };
}

/** The folder of `file`, and every folder `inputs` live in. */
export function foldersOf(files: Iterable<string>): Set<string> {
  const folders = new Set<string>();
  for (const file of files) folders.add(dirname(file));
  return folders;
}
