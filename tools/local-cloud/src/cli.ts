/**
 * `npm start`: builds handler bundles and synthesizes every stack (one nx run,
 * its output in a log file), starts the local cloud on LOCAL_CLOUD_PORT
 * (default 4566), applies the stacks (platform first) and prints where
 * everything is. It exits non-zero, naming the stacks, when one fails to apply
 * (`--keep-going` keeps the cloud running instead). SIGINT, SIGTERM, SIGHUP or
 * the death of its parent stop every child process. State persists in the data
 * dir (`.local-cloud/` at the repository root, or LOCAL_CLOUD_DATA_DIR).
 *
 * Options: --reset (wipe the data dir first), --env <name> (default staging,
 * or LOCAL_CLOUD_ENV), --skip-build (no bundle/synth), --port <n>,
 * --data-dir <dir>, --keep-going, --verbose (every module message on the console),
 * --stack <dir> (repeatable: apply these synthesized stack folders, in order, instead of every
 * stack the workspace's synth targets wrote), --no-watch (no watch mode: see src/watch; or
 * LOCAL_CLOUD_WATCH=0), --seed (a staff user, a store and products: src/dev/seed.ts).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCloud } from './cloud';
import type { LocalCloud } from './cloud';
import { ConsoleReport } from './console-report';
import { processAlive, readJsonState, writeFileAtomically } from './core/files';
import { Shutdown } from './processes/shutdown';
import { stackNameOf } from './terraform/engine';
import type { ApplyReport } from './terraform/engine';
import { discoverWorkspaceStacks } from './terraform/discovery';
import type { DiscoveredStack } from './terraform/discovery';
import { startWatchMode } from './watch';
import { seedCatalogOnce } from './dev/seed';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

interface StartOptions {
  reset: boolean;
  env: string;
  port: number;
  skipBuild: boolean;
  dataDir: string;
  keepGoing: boolean;
  verbose: boolean;
  /** Stack folders to apply instead of discovering the workspace's. */
  stacks: string[];
  watch: boolean;
  seed: boolean;
}

/** Options from the command line, then the environment (LOCAL_CLOUD_PORT, LOCAL_CLOUD_ENV, LOCAL_CLOUD_DATA_DIR). */
function parseStartOptions(args: string[], env: NodeJS.ProcessEnv = process.env): StartOptions {
  const { values } = parseArgs({
    args,
    options: {
      reset: { type: 'boolean', default: false },
      env: { type: 'string', default: env.LOCAL_CLOUD_ENV ?? 'staging' },
      port: { type: 'string', default: env.LOCAL_CLOUD_PORT ?? '4566' },
      'skip-build': { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: env.LOCAL_CLOUD_DATA_DIR ?? join(repoRoot, '.local-cloud') },
      'keep-going': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      stack: { type: 'string', multiple: true, default: [] },
      'no-watch': { type: 'boolean', default: env.LOCAL_CLOUD_WATCH === '0' },
      seed: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port / LOCAL_CLOUD_PORT must be a TCP port, got '${values.port}'`);
  return {
    reset: values.reset as boolean,
    env: values.env as string,
    port,
    skipBuild: values['skip-build'] as boolean,
    dataDir: resolve(values['data-dir'] as string),
    keepGoing: values['keep-going'] as boolean,
    verbose: values.verbose as boolean,
    stacks: (values.stack as string[]).map((dir) => resolve(dir)),
    watch: !values['no-watch'],
    seed: values.seed as boolean,
  };
}

interface Lock {
  pid: number;
  port: number;
  startedAt: string;
}

/** One local cloud per data dir: a live lock means another `npm start` is running. */
function takeLock(dataDir: string, port: number): () => void {
  const file = join(dataDir, 'lock.json');
  // Written atomically, so a kill -9 cannot tear it; a file broken otherwise is named, with what to do.
  const lock = readJsonState<Lock>(file, 'It only records which npm start owns this data dir: delete it if no local cloud runs.');
  if (lock) {
    if (lock.pid !== process.pid && processAlive(lock.pid)) {
      throw new Error(
        `A local cloud is already running (pid ${lock.pid}, http://127.0.0.1:${lock.port}, since ${lock.startedAt}). Use it, or stop it with Ctrl-C in its terminal (or: kill ${lock.pid}).`,
      );
    }
  }
  writeFileAtomically(file, JSON.stringify({ pid: process.pid, port, startedAt: new Date().toISOString() } satisfies Lock));
  return () => rmSync(file, { force: true });
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function tail(file: string, lines: number): string {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Bundles every handler and synthesizes every stack in one nx run (synth depends on the bundles,
 * so a second run would print every bundle table again). Its output goes to `logFile`; the
 * console gets one line, or the end of the log when it fails.
 */
async function build(report: ConsoleReport, shutdown: Shutdown, logFile: string): Promise<void> {
  const started = Date.now();
  report.line('[1/3] Handler bundles and stacks: nx run-many -t bundle synth');
  const output = openSync(logFile, 'w');
  // Its own process group, so a stop signal reaches nx and every task it runs.
  const child = spawn(process.execPath, [join(repoRoot, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), 'run-many', '-t', 'bundle', 'synth', '--outputStyle=static'], {
    cwd: repoRoot,
    stdio: ['ignore', output, output],
    detached: true,
    env: { ...process.env, NX_NO_CLOUD: 'true', FORCE_COLOR: '0' },
  });
  closeSync(output);
  const stopBuild = shutdown.add(() => {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
  });
  const exitCode = await new Promise<number>((done) => {
    child.once('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
    child.once('error', () => done(1));
  });
  stopBuild();
  if (shutdown.requested) return;
  if (exitCode !== 0) throw new Error(`the build failed (nx exit ${exitCode}). Last lines of ${logFile}:\n${tail(logFile, 30)}`);
  const cached = /from the cache instead of running the command for (\d+) out of (\d+) tasks/.exec(readFileSync(logFile, 'utf8'));
  report.line(`      done in ${seconds(started)}${cached ? ` (${cached[2]} tasks, ${cached[1]} from the cache)` : ''} — output in ${logFile}`);
}

function stackLine(stack: ApplyReport): string {
  const count = (status: string) => stack.resources.filter((resource) => resource.status === status).length;
  const notEmulated = count('not-emulated');
  return `${stack.name.padEnd(26)} ${String(count('applied')).padStart(3)} applied, ${String(count('recorded')).padStart(3)} recorded${notEmulated ? `, ${notEmulated} NOT emulated` : ''}  (${(stack.durationMs / 1000).toFixed(1)} s)`;
}

/** Applies the stacks in order, one line each; returns the failures (a failed stack does not stop the others). */
async function applyAll(cloud: LocalCloud, stacks: readonly DiscoveredStack[], report: ConsoleReport): Promise<{ applied: ApplyReport[]; failed: Array<{ name: string; error: string }> }> {
  const applied: ApplyReport[] = [];
  const failed: Array<{ name: string; error: string }> = [];
  for (const stack of stacks) {
    report.collectNotes();
    let line: string;
    try {
      const [result] = await cloud.applyStacks([stack.dir]);
      applied.push(result as ApplyReport);
      line = `      ✓ ${stackLine(result as ApplyReport)}`;
    } catch (error) {
      const message = (error as Error).message;
      failed.push({ name: stack.name, error: message });
      line = `      ✗ ${stack.name.padEnd(26)} FAILED: ${message.split('\n')[0]}`;
    }
    const notes = report.takeNotes();
    report.line(line);
    for (const note of notes) report.line(`          ! ${note}`);
  }
  return { applied, failed };
}

interface HttpApiState {
  name: string;
  url: string;
  routes?: string[];
}

interface UserPoolState {
  id: string;
  name: string;
  issuer: string;
  clients: Array<{ id: string; name: string }>;
}

async function printBanner(cloud: LocalCloud, stacks: { applied: ApplyReport[]; failed: Array<{ name: string }> }, report: ConsoleReport): Promise<void> {
  const state = await cloud.state();
  const say = (text = '') => report.line(text);
  say();
  say(`Endpoint    ${cloud.endpoint}   export AWS_ENDPOINT_URL=${cloud.endpoint} AWS_REGION=${cloud.context.region} AWS_DEFAULT_REGION=${cloud.context.region} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`);
  say(`            ${cloud.endpoint}/_local/health (200 when every stack is applied) · ${cloud.endpoint}/_local/state`);
  say(`Console     ${cloud.endpoint}/_local/console   (events, traces, dead letters, functions, data)`);
  say(`Logs        ${report.logFile} · ${join(cloud.dataDir, 'logs')}/ · functions: ${join(cloud.dataDir, 'lambda', 'logs')}/<function>.log`);
  // A stop that arrives while the banner is printed leaves modules that describe their state as an error, not a list.
  const apis = Array.isArray(state.httpApis) ? (state.httpApis as HttpApiState[]) : [];
  for (const api of apis) {
    say(`HTTP API    ${api.name}  ${api.url}`);
    if (api.routes?.length) say(`              ${api.routes.join(' · ')}`);
  }
  const pools = Array.isArray(state.userPools) ? (state.userPools as UserPoolState[]) : [];
  for (const pool of pools) say(`User pool   ${pool.name} ${pool.id} (issuer ${pool.issuer}); app clients: ${pool.clients.map((client) => `${client.name} ${client.id}`).join(', ')}`);
  const notEmulated = stacks.applied.flatMap((stack) => stack.notEmulated.map((entry) => `${stack.name}: ${entry.address}`));
  if (notEmulated.length) say(`NOT emulated (these resources do not exist locally): ${notEmulated.join(', ')}`);

  const pool = pools[0];
  const client = pool?.clients[0];
  const customers = apis.find((api) => api.routes?.includes('GET /customers/{customerId}'));
  if (pool && client && customers) {
    const user = 'ada@example.com';
    say();
    say('Example: sign up, confirm, sign in, read your own customer profile (with the exports above, bash):');
    const steps = [
      `aws cognito-idp sign-up --client-id ${client.id} --username ${user} --password 'correct horse battery 1' --user-attributes Name=email,Value=${user} Name=given_name,Value=Ada`,
      `aws cognito-idp admin-confirm-sign-up --user-pool-id ${pool.id} --username ${user}`,
      `TOKEN=$(aws cognito-idp initiate-auth --client-id ${client.id} --auth-flow USER_PASSWORD_AUTH --auth-parameters USERNAME=${user},PASSWORD='correct horse battery 1' --query AuthenticationResult.IdToken --output text)`,
      `SUB=$(aws cognito-idp admin-get-user --user-pool-id ${pool.id} --username ${user} --query "UserAttributes[?Name=='sub'].Value" --output text)`,
      `curl -s -H "authorization: Bearer $TOKEN" ${customers.url}/customers/$SUB`,
    ];
    say(`  ${steps.join(' \\\n  && ')}`);
  }
}

async function main(shutdown: Shutdown): Promise<void> {
  const options = parseStartOptions(process.argv.slice(2));
  const { dataDir, port } = options;
  const shown = relative(repoRoot, dataDir).startsWith('..') ? dataDir : relative(repoRoot, dataDir) || dataDir;

  // Refuse early (before building anything) if another local cloud owns this data dir.
  let releaseLock = takeLock(dataDir, port);
  if (options.reset) {
    releaseLock();
    rmSync(dataDir, { recursive: true, force: true });
    releaseLock = takeLock(dataDir, port);
  }
  const report = new ConsoleReport({ logFile: join(dataDir, 'logs', 'local-cloud.log'), verbose: options.verbose });
  if (options.reset) report.line(`Reset: removed ${shown}`);
  // Node's own warnings (the AWS SDK's about Node 20, deprecations) are details: the log file, not the console.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => report.detail(`node: ${warning.name}: ${warning.message}`));

  shutdown.say = (message) => report.line(`\n${message}`);
  shutdown.add(() => {
    releaseLock();
    report.line(`Stopped. State kept in ${shown}/ (npm start -- --reset wipes it).`);
  });

  if (options.skipBuild) report.line('[1/3] --skip-build: using the existing bundles and synth output');
  else await build(report, shutdown, join(dataDir, 'logs', 'build.log'));
  if (shutdown.requested) return;

  const stacks: DiscoveredStack[] = options.stacks.length
    ? options.stacks.map((dir) => ({ name: stackNameOf(dir), dir }))
    : discoverWorkspaceStacks(repoRoot, options.env);
  report.line(`[2/3] Local cloud on port ${port}: DynamoDB Local, s3rver, cognito-local and the emulated services…`);
  const started = Date.now();
  const starting = startLocalCloud({ port, dataDir, log: report.log, expectStacks: stacks.map((stack) => stack.name) });
  shutdown.add(async () => (await starting.catch(() => undefined))?.stop());
  let cloud: LocalCloud;
  try {
    cloud = await starting;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`Port ${port} is already in use by another program. Free it, or choose another: LOCAL_CLOUD_PORT=4567 npm start`);
    }
    throw error;
  }
  if (shutdown.requested) return;
  report.line(`      up in ${seconds(started)} at ${cloud.endpoint}`);

  const applyStarted = Date.now();
  report.line(`[3/3] Applying ${stacks.length} stack(s) for '${options.env}'${stacks.length ? '' : ' — none found: run the synth targets'}`);
  const result = await applyAll(cloud, stacks, report);
  if (shutdown.requested) return;
  if (result.failed.length === 0) {
    report.line(`      ${stacks.length} of ${stacks.length} stacks applied in ${seconds(applyStarted)}; ready in ${seconds(started)} after the build.`);
  } else {
    report.line(`      ${result.failed.length} of ${stacks.length} stacks FAILED to apply: ${result.failed.map((stack) => stack.name).join(', ')}`);
    for (const failure of result.failed) report.line(`        ${failure.name}: ${failure.error}`);
    if (!options.keepGoing) {
      await shutdown.stop('A stack failed to apply (npm start -- --keep-going keeps the cloud running anyway)', 1);
      return;
    }
  }
  await printBanner(cloud, result, report);
  // Seed data through the catalog's own API (src/dev/seed.ts).
  if (options.seed) {
    await seedCatalogOnce({ endpoint: cloud.endpoint, dataDir, log: (message) => report.line(`\n${message}`) }).catch((error: unknown) => report.line(`\n✗ --seed: ${(error as Error).message}`));
  }
  // Watch mode (src/watch): handler edits swap code into running functions, stack edits re-apply that stack.
  const watcher = options.watch ? startWatchMode({ cloud, repoRoot, environment: options.env, log: (message) => report.line(`      · ${message}`) }) : undefined;
  if (watcher) shutdown.add(() => watcher.stop());
  const watching = watcher ? 'Watching sources: a handler edit runs at the next invocation, a stack edit re-applies that stack (--no-watch to turn off). ' : '';
  report.line(
    result.failed.length
      ? `\nRunning, NOT ready (failed stacks above; /_local/health answers 503). ${watching}Ctrl-C stops everything.`
      : `\nReady. ${watching}Ctrl-C stops everything.`,
  );
}

const shutdown = new Shutdown({ say: (message) => process.stdout.write(`\n${message}\n`) });
shutdown.install();
main(shutdown).catch(async (error: unknown) => {
  process.stderr.write(`local-cloud: ${(error as Error).message}\n`);
  // Whatever started so far stops before the exit.
  await shutdown.stop('Failed', 1);
});
