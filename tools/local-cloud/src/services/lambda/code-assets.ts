/**
 * Turning a function's `filename` (a cdktn TerraformAsset under
 * `<stackDir>/assets/<id>/<hash>/`: an `archive.zip` or the bundle directory
 * itself) into a task root, the folder Lambda calls `/var/task`.
 *
 * Task roots are content-addressed copies kept outside any folder that has a
 * `node_modules` above it: Node resolves bare imports by walking up parent
 * folders, so a bundle run from inside the repository would silently pick up
 * packages it forgot to bundle, and then fail in AWS.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative, resolve, sep } from 'node:path';
import { unzipSync } from 'fflate';

export interface PreparedCode {
  /** Absolute folder the handler is loaded from (`LAMBDA_TASK_ROOT`). */
  taskRoot: string;
  /** Base64 SHA-256 of the archive (Lambda's `CodeSha256`), or of the directory's files. */
  codeSha256: string;
  /** Bytes of the archive, or of the directory's files. */
  codeSize: number;
  source: 'zip' | 'directory';
  /** The asset as found, absolute. */
  assetPath: string;
}

const READY_MARKER = '.local-cloud-ready';

function hasNodeModulesAbove(folder: string): boolean {
  let current = resolve(folder);
  for (;;) {
    if (existsSync(join(current, 'node_modules'))) return true;
    const parent = dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}

/**
 * Where task roots go: `<dataDir>/lambda/code` unless a `node_modules` folder
 * sits above it (then a folder under the OS temp dir).
 *
 * @example
 * codeRootFor('/tmp/test-cloud') // '/tmp/test-cloud/lambda/code'
 * codeRootFor('/work/repo/.local-cloud') // '/tmp/local-cloud-lambda-code'
 */
export function codeRootFor(dataDir: string): string {
  const preferred = join(dataDir, 'lambda', 'code');
  return hasNodeModulesAbove(dataDir) ? join(tmpdir(), 'local-cloud-lambda-code') : preferred;
}

function listFiles(root: string, folder = root): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return listFiles(root, path);
    return entry.isFile() ? [relative(root, path)] : [];
  });
}

/** Writes into a fresh staging folder, then renames: a concurrent reader never sees half a task root. */
function materialise(codeRoot: string, key: string, fill: (staging: string) => void): string {
  const target = join(codeRoot, key);
  if (existsSync(join(target, READY_MARKER))) return target;
  mkdirSync(codeRoot, { recursive: true });
  const staging = mkdtempSync(join(codeRoot, '.staging-'));
  try {
    fill(staging);
    writeFileSync(join(staging, READY_MARKER), '');
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(target, READY_MARKER))) throw error;
  }
  return target;
}

function extractZip(archive: Uint8Array, destination: string, assetPath: string): void {
  const entries = unzipSync(archive);
  for (const [name, content] of Object.entries(entries)) {
    const path = normalize(join(destination, name));
    if (!path.startsWith(destination + sep)) throw new Error(`filename: ${assetPath} has an entry outside the archive root: ${name}`);
    if (name.endsWith('/')) {
      mkdirSync(path, { recursive: true });
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}

/**
 * Prepares the task root for a function's code asset.
 *
 * @example
 * const code = prepareCode('/repo/cdktf.out/stacks/catalog', 'assets/fn/ABC/archive.zip', codeRootFor(dataDir));
 * code.taskRoot // '/tmp/…/lambda/code/<sha>'
 */
export function prepareCode(stackDir: string, filename: string, codeRoot: string): PreparedCode {
  const assetPath = resolve(stackDir, filename);
  if (!existsSync(assetPath)) {
    throw new Error(`filename: ${assetPath} does not exist (is the stack synthesized, and is the path relative to the stack folder?)`);
  }
  const stat = statSync(assetPath);
  if (stat.isDirectory()) {
    const files = listFiles(assetPath).sort();
    if (files.length === 0) throw new Error(`filename: ${assetPath} is an empty directory`);
    const hash = createHash('sha256');
    let size = 0;
    for (const file of files) {
      const content = readFileSync(join(assetPath, file));
      size += content.length;
      hash.update(file).update('\0').update(content).update('\0');
    }
    const digest = hash.digest();
    const taskRoot = materialise(codeRoot, `dir-${digest.toString('hex').slice(0, 32)}`, (staging) => cpSync(assetPath, staging, { recursive: true }));
    return { taskRoot, codeSha256: digest.toString('base64'), codeSize: size, source: 'directory', assetPath };
  }
  if (!assetPath.endsWith('.zip')) {
    throw new Error(`filename: ${assetPath} is neither a .zip archive nor a directory with the bundle`);
  }
  const archive = readFileSync(assetPath);
  const digest = createHash('sha256').update(archive).digest();
  const taskRoot = materialise(codeRoot, `zip-${digest.toString('hex').slice(0, 32)}`, (staging) => extractZip(archive, staging, assetPath));
  return { taskRoot, codeSha256: digest.toString('base64'), codeSize: archive.length, source: 'zip', assetPath };
}
