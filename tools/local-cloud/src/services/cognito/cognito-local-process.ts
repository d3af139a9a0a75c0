/**
 * cognito-local as a supervised child Node process. It reads its settings
 * from `./.cognito/config.json` and keeps its data in `./.cognito/db` under
 * its working directory, so each local cloud gets its own working directory.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SupervisedProcess, answersHttp, findFreePort } from '../../processes/supervisor';
import { EMULATED_TRIGGERS } from './user-pool-config';

export interface CognitoLocalOptions {
  dataDir: string;
  inMemory?: boolean;
  /** Where cognito-local sends trigger invocations (our trigger dispatcher). */
  lambdaEndpoint: string;
  /** Token `iss` is `<issuerDomain>/<userPoolId>`; the edge endpoint, so the JWKS is reachable there. */
  issuerDomain: string;
}

/** Name cognito-local is told to invoke for a trigger; the dispatcher maps it to the pool's own function. */
export const triggerFunctionName = (trigger: string) => `cognito-trigger-${trigger}`;

export async function startCognitoLocal(options: CognitoLocalOptions): Promise<{ endpoint: string; process: SupervisedProcess; workingDirectory: string; logFile: string }> {
  const require = createRequire(import.meta.url);
  const start = join(dirname(require.resolve('cognito-local/package.json')), 'lib', 'bin', 'start.js');
  const port = await findFreePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const workingDirectory = options.inMemory ? mkdtempSync(join(tmpdir(), 'local-cloud-cognito-')) : join(options.dataDir, 'cognito');
  mkdirSync(join(workingDirectory, '.cognito'), { recursive: true });
  const config = {
    LambdaClient: { endpoint: options.lambdaEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
    // Every trigger kind points at the dispatcher; it answers "no trigger" for pools that have none.
    TriggerFunctions: Object.fromEntries(EMULATED_TRIGGERS.map((trigger) => [trigger, triggerFunctionName(trigger)])),
    TokenConfig: { IssuerDomain: options.issuerDomain },
    // AWS's default is no username attributes; cognito-local would otherwise default to ['email'].
    UserPoolDefaults: { UsernameAttributes: [] },
  };
  writeFileSync(join(workingDirectory, '.cognito', 'config.json'), JSON.stringify(config, null, 2));
  const logFile = join(options.dataDir, 'logs', 'cognito-local.log');
  const child = new SupervisedProcess({
    name: 'cognito-local',
    command: process.execPath,
    args: [start],
    cwd: workingDirectory,
    env: { NODE_OPTIONS: '', PORT: String(port), HOST: '127.0.0.1', NO_COLOR: '1', FORCE_COLOR: '0' },
    logFile,
    pidFile: join(options.dataDir, 'pids', 'cognito-local.pid'),
    pidFileMarker: 'cognito-local',
    isReady: () => answersHttp(`${endpoint}/health`),
    readyTimeoutMs: 30_000,
  });
  await child.start();
  return { endpoint, process: child, workingDirectory, logFile };
}
