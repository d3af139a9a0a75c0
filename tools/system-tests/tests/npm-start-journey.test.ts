// The main job is what the tests run: the system started exactly as `npm start` starts it (the
// real CLI, every synthesized stack of the workspace, nothing set up by the test: no key, no
// parameter), then a person's first steps: wait for /_local/health, sign up through Cognito with the
// real SDK, find the new customer through customers' HTTP API with their own token, and find the
// sign-up's events in the lake with the lake query tool (`npm run lake:query`). Last, SIGTERM (what
// a supervisor or CI sends) stops every process npm start had started, Lambda workers included.
//
// The Nx target builds the bundles and synthesizes every stack first (dependsOn), as `npm start`'s
// own build step would.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { ProcessInfo } from '@kestrel/local-cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushFirehose } from './support/lake';
import { processTree, repoRoot, startCli, stopCli, survivors, type RunningCli } from './support/npm-start';
import { signUpAndSignIn } from './support/sign-up';
import { waitFor } from './support/wait';

const PASSWORD = 'correct horse battery 1';
const email = `grace-${Date.now().toString(36)}@example.com`;

interface StackEntry {
  name: string;
  status: string;
  outputs: Record<string, unknown>;
}

let cli: RunningCli;
let stacks: StackEntry[];
let sub = '';
let idToken = '';

const output = (stack: string, name: string) => String(stacks.find((entry) => entry.name === stack)?.outputs[name] ?? '');

/** `npm run lake:query -- --json "<sql>"` against this run's local cloud (found through LOCAL_CLOUD_DATA_DIR, as the tool documents). */
function lakeQuery(sql: string): Array<Record<string, unknown>> {
  const result = spawnSync('npm', ['run', '--silent', 'lake:query', '--', '--json', '--cache', lakeCache, sql], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...withoutEndpoint(process.env), LOCAL_CLOUD_DATA_DIR: cli.dataDir },
  });
  if (result.status !== 0) throw new Error(`npm run lake:query failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as Array<Record<string, unknown>>;
}
const lakeCache = mkdtempSync(join(tmpdir(), 'lake-cache-'));
const withoutEndpoint = ({ AWS_ENDPOINT_URL: _endpoint, ...env }: NodeJS.ProcessEnv) => env;

beforeAll(async () => {
  cli = await startCli();
  stacks = ((await (await fetch(`${cli.endpoint}/_local/state`)).json()) as { stacks: StackEntry[] }).stacks;
}, 300_000);

afterAll(async () => {
  // A clean stop even when a test failed (SIGKILL would leave DynamoDB Local and s3rver behind).
  if (cli) await stopCli(cli, 'SIGTERM');
}, 60_000);

describe('npm start, then a first sign-up, with nothing set up by the test', () => {
  it('is ready only once every stack of the workspace is applied', async () => {
    // act
    const health = await fetch(`${cli.endpoint}/_local/health`);
    const body = (await health.json()) as { ready: boolean; stacks: Array<{ name: string; status: string }> };
    // assess
    expect(health.status).toBe(200);
    expect(body.ready).toBe(true);
    expect(body.stacks.map((stack) => stack.name)).toEqual(expect.arrayContaining(['platform-staging', 'identity-staging', 'customers-staging', 'catalog-staging', 'analytics-ingest-staging']));
    expect(body.stacks.filter((stack) => stack.status !== 'applied')).toEqual([]);
    expect(cli.output()).toMatch(/\d+ of \d+ stacks applied/);
  });

  it('signs a user up through Cognito; customers creates the profile, read through its HTTP API with the user’s token', async () => {
    // prepare
    const poolId = output('identity-staging', 'user-pool-id');
    const clientId = output('identity-staging', 'mobile-client-id');
    const apiUrl = output('customers-staging', 'http-api-url').replace(/\/$/, '');
    const cognito = new CognitoIdentityProviderClient({ endpoint: cli.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    // act
    ({ sub, idToken } = await signUpAndSignIn(cognito, { poolId, clientId, email, password: PASSWORD, attributes: [{ Name: 'given_name', Value: 'Grace' }] }));
    cognito.destroy();
    let last = 'no answer yet';
    const profile = await waitFor(
      async () => {
        const response = await fetch(`${apiUrl}/customers/${sub}`, { headers: { authorization: `Bearer ${idToken}` } });
        last = `${response.status} ${await response.text()}`;
        return response.status === 200 ? (JSON.parse(last.slice(4)) as Record<string, unknown>) : undefined;
      },
      { timeoutMs: 60_000, what: `GET /customers/${sub} to answer 200`, describe: () => `last answer ${last}` },
    );
    // assess
    expect(profile).toMatchObject({ customerId: sub, email, givenName: 'Grace', origin: 'registration' });
  });

  it('puts the sign-up’s events in the lake, pseudonymised with the key npm start generated, found with npm run lake:query', async () => {
    // act: the ingest batches for up to 20 s and Firehose buffers for 60 s; ask it to deliver now
    let rows: Array<Record<string, unknown>> = [];
    const sql = `SELECT detail_type, "correlationId", CAST(data AS VARCHAR) AS data FROM latest_events
      WHERE json_extract_string(data, '$.userId') = '${sub}' OR json_extract_string(data, '$.customerId') = '${sub}' ORDER BY detail_type`;
    await waitFor(
      async () => {
        await flushFirehose(cli.endpoint);
        rows = lakeQuery(sql);
        const types = new Set(rows.map((row) => row.detail_type));
        return types.has('UserRegistered') && types.has('CustomerCreated') ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 3_000, what: `UserRegistered and CustomerCreated of ${sub} in the lake`, describe: () => `rows: ${JSON.stringify(rows)}; npm start printed:\n${cli.output()}` },
    );
    // assess
    const registered = rows.find((row) => row.detail_type === 'UserRegistered');
    const created = rows.find((row) => row.detail_type === 'CustomerCreated');
    expect(created?.correlationId).toBe(registered?.correlationId);
    expect(JSON.stringify(rows)).not.toContain(email);
    expect(JSON.stringify(rows)).toContain('hmac-sha256:');
    // no function failed along the way (npm start prints each failure once, naming the function)
    expect(cli.output()).not.toMatch(/PseudonymisationKeyUnavailableError|batch failed/);
  }, 180_000);

  it('stops every process it started (Lambda workers, DynamoDB Local, cognito-local, s3rver) on SIGTERM', async () => {
    // prepare
    const tree: ProcessInfo[] = processTree(cli);
    expect(tree.filter((entry) => entry.command.includes('bootstrap.mjs')).length, 'Lambda workers run').toBeGreaterThan(0);
    // act
    const exit = await stopCli(cli, 'SIGTERM');
    // assess
    expect(exit, cli.output()).toEqual({ code: 0, signal: null });
    expect((await survivors(tree)).map((entry) => entry.command)).toEqual([]);
  });
});
