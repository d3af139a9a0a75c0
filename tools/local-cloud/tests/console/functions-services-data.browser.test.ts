// The console's functions, services/API explorer and data sections in headless Chromium (Debian's
// package driven by playwright-core, as the event catalog's browser test does) on one running local
// cloud with every real stack applied (`npm start --skip-build`: the synth targets this project's
// tests depend on built the bundles and stacks). Screenshots land in test-artifacts/console/
// (git-ignored) for CI to keep.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/processes/supervisor';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');
const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));
const hasChromium = existsSync(CHROMIUM);
const hasStacks = existsSync(join(repoRoot, 'apps', 'customers', 'cdktf.out'));
if (!hasChromium) console.warn(`SKIPPED console browser test: ${CHROMIUM} not found (apt-get install -y chromium).`);
if (!hasStacks) console.warn('SKIPPED console browser test: no synthesized stacks; run nx run-many -t bundle synth first.');

const CUSTOMERS_TABLE = 'kestrel-staging-customers-customers';
const GET_CUSTOMER = 'kestrel-staging-customers-http-get-customer';

describe.skipIf(!hasChromium || !hasStacks)('the console: functions, services and APIs, data', () => {
  let cli: ChildProcess | undefined;
  let endpoint = '';
  let dataDir = '';
  let profileDir = '';
  let browser: BrowserContext;
  let output = '';
  const email = `console-${Date.now()}@example.com`;

  const open = async (hash: string): Promise<Page> => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 900 });
    page.on('pageerror', (error) => {
      throw new Error(`script error on ${hash}: ${error.message}`);
    });
    await page.goto(`${endpoint}/_local/console#/${hash}`);
    return page;
  };
  const json = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${endpoint}${path}`, init);
    const body = (await response.json()) as T;
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(body)}`);
    return body;
  };

  beforeAll(async () => {
    const port = process.env.LOCAL_CLOUD_PORT ? Number(process.env.LOCAL_CLOUD_PORT) : await findFreePort();
    endpoint = `http://127.0.0.1:${port}`;
    dataDir = mkdtempSync(join(tmpdir(), 'console-browser-'));
    profileDir = mkdtempSync(join(tmpdir(), 'console-chromium-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    cli = spawn(join(repoRoot, 'node_modules', '.bin', 'tsx'), ['tools/local-cloud/src/cli.ts', '--skip-build', '--no-watch', '--port', String(port), '--data-dir', dataDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const running = new Promise<void>((resolve, reject) => {
      cli!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('\nReady.')) resolve();
      });
      cli!.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      cli!.once('exit', (code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)));
    });
    [browser] = await Promise.all([
      chromium.launchPersistentContext(profileDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
      }),
      running,
    ]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (cli && cli.exitCode === null) {
      const exited = new Promise((resolve) => cli!.once('exit', resolve));
      cli.kill('SIGINT');
      await exited;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }, 60_000);

  it('API explorer: creates a local user, then calls a customers route with their token and gets a 2xx', async () => {
    // prepare
    const page = await open('explorer');
    await page.getByLabel("New user's email").fill(email);

    // act: create the user (sign-up, emailed code, sign-in), then pick GET /customers/{customerId}
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.getByTestId('signed-in').textContent(), { timeout: 30_000 }).toContain(email);
    await page.getByRole('button', { name: 'Try GET /customers/{customerId} of kestrel-staging-customers-http' }).click();
    // The profile is made from identity's UserRegistered event a moment after sign-up: send until it is there.
    const status = page.getByTestId('call-status');
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Send' }).click();
          await status.waitFor();
          return status.textContent();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toMatch(/^2\d\d$/);

    // assess
    expect(await page.getByTestId('call-result').locator('pre').textContent()).toContain(email);
    await page.screenshot({ path: join(ARTIFACTS, 'api-explorer.png'), fullPage: true });
    const users = await json<{ users: Array<{ email: string; status: string }> }>('/_local/users');
    expect(users.users).toContainEqual(expect.objectContaining({ email, status: 'CONFIRMED' }));
  });

  it("functions: the route's function shows its figures and a log tail with JSON lines pretty-printed, and a new invocation arrives live", async () => {
    // prepare: the call above invoked the function once (a cold start)
    const { functions } = await json<{ functions: Array<{ name: string; invocations: number; coldStarts: number; p50Ms: number | null }> }>('/_local/functions');
    expect(functions.find((fn) => fn.name === GET_CUSTOMER)).toMatchObject({ invocations: expect.any(Number), coldStarts: 1, p50Ms: expect.any(Number) });
    const page = await open(`functions?name=${GET_CUSTOMER}`);
    const lines = page.getByTestId('log-lines').locator('li');
    await expect.poll(() => lines.filter({ hasText: 'REPORT RequestId' }).count()).toBeGreaterThan(0);
    const before = await lines.filter({ hasText: 'REPORT RequestId' }).count();
    // The handler's structured lines are objects in the log file, shown as indented JSON.
    expect(await page.locator('pre.log-json').first().textContent()).toMatch(/\n {2}"/);

    // act: invoke it from the panel with an edited test event, saved for later
    await page.getByLabel('Event (JSON)').fill(JSON.stringify({ version: '2.0', rawPath: '/customers/nobody', requestContext: { http: { method: 'GET' } } }));
    await page.getByLabel('Save as').fill('no-auth');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Invoke' }).click();

    // assess: the answer, and the invocation's REPORT line arriving over the live tail
    await expect.poll(() => page.getByTestId('invoke-result').textContent(), { timeout: 20_000 }).toContain('Status 200');
    await expect.poll(() => lines.filter({ hasText: 'REPORT RequestId' }).count(), { timeout: 10_000 }).toBeGreaterThan(before);
    await page.screenshot({ path: join(ARTIFACTS, 'function-log-tail.png'), fullPage: true });
    const saved = await json<{ events: Array<{ name: string }> }>(`/_local/functions/${GET_CUSTOMER}/test-events`);
    expect(saved.events.map((event) => event.name)).toEqual(['no-auth']);
    const replayed = await json<{ statusCode: number; logTail: string[] }>(`/_local/functions/${GET_CUSTOMER}/invoke`, {
      method: 'POST',
      body: JSON.stringify({ savedEvent: 'no-auth' }),
    });
    expect(replayed.statusCode).toBe(200);
    expect(replayed.logTail.at(-1)).toMatch(/^REPORT RequestId: /);
    await json(`/_local/functions/${GET_CUSTOMER}/test-events/no-auth`, { method: 'DELETE' });
    expect((await json<{ events: unknown[] }>(`/_local/functions/${GET_CUSTOMER}/test-events`)).events).toEqual([]);
  });

  it('data: browses the customers table and shows the customer with its entity name', async () => {
    // prepare
    const page = await open(`data?table=${CUSTOMERS_TABLE}`);

    // act: a scan of the table
    await page.getByRole('button', { name: 'Scan' }).click();

    // assess
    const items = page.getByTestId('table-items');
    await expect.poll(() => items.textContent()).toContain(email);
    expect(await items.locator('tbody tr td:first-child').allTextContents()).toContain('Customer');
    await page.screenshot({ path: join(ARTIFACTS, 'data-customers-table.png'), fullPage: true });

    // and through the API: a query by key (a partition, narrowed by a sort-key prefix), and a scan paged by cursor
    type Items = { operation: string; items: Array<{ entity: string | null; key: { PK: string }; item: { email?: string } }>; cursor?: string };
    const scanned = await json<Items>(`/_local/tables/${CUSTOMERS_TABLE}/items?limit=50`);
    const customer = scanned.items.find((view) => view.item.email === email);
    expect(customer).toMatchObject({ entity: 'Customer', key: { PK: expect.stringMatching(/^CUSTOMER#/) } });
    const queried = await json<Items>(`/_local/tables/${CUSTOMERS_TABLE}/items?pk=${encodeURIComponent(customer!.key.PK)}&sk=PROF`);
    expect(queried).toMatchObject({ operation: 'Query', items: [{ entity: 'Customer', item: { email } }] });
    const first = await json<Items>(`/_local/tables/${CUSTOMERS_TABLE}/items?limit=1`);
    const next = await json<Items>(`/_local/tables/${CUSTOMERS_TABLE}/items?limit=1&cursor=${first.cursor}`);
    expect(next.items[0]?.key).not.toEqual(first.items[0]?.key);
  });

  it('services: each manifest with its deployed functions, and the flow diagram of who publishes to whom', async () => {
    // prepare
    const page = await open('services');

    // act
    const diagram = page.getByTestId('flow-diagram');
    await diagram.waitFor();

    // assess
    expect(await diagram.locator('g rect').count()).toBe(4);
    expect(await diagram.textContent()).toContain('UserRegistered v1');
    const { flows } = await json<{ flows: Array<{ from: string; to: string; event: string }> }>('/_local/services');
    expect(flows).toContainEqual(expect.objectContaining({ from: 'identity', to: 'customers', event: 'kestrel.identity UserRegistered v1' }));
    await page.screenshot({ path: join(ARTIFACTS, 'services-flow.png'), fullPage: true });
  });

  it('queues and lake: peeks at a queue without receiving, and runs DuckDB SQL through the lake tool', async () => {
    // prepare
    const { queues } = await json<{ queues: Array<{ name: string; dlqOf?: string[] }> }>('/_local/queues');
    const dlq = queues.find((queue) => queue.dlqOf?.length);
    expect(dlq).toBeDefined();

    // act (each lake query is a child process: both at once)
    const peek = await json<{ total: number; messages: unknown[] }>(`/_local/queues/${dlq!.name}/messages`);
    const [lake, badSql] = await Promise.all([
      json<{ rows: Array<Record<string, unknown>> }>('/_local/lake/query', { method: 'POST', body: JSON.stringify({ sql: 'SELECT 42 AS answer' }) }),
      fetch(`${endpoint}/_local/lake/query`, { method: 'POST', body: JSON.stringify({ sql: 'SELEC nonsense' }) }),
    ]);

    // assess
    expect(peek).toEqual({ queue: dlq!.name, total: 0, messages: [] });
    expect(lake.rows).toEqual([{ answer: 42 }]);
    expect(badSql.status).toBe(400);
    expect(await badSql.json()).toMatchObject({ field: 'sql', error: expect.stringContaining('syntax error') });
  }, 60_000);
});
