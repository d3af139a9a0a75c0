// The repository README's "Call the APIs", run as written: `npm start -- --seed` (the CLI that
// `npm start` runs after building, with --skip-build: the synth targets this test depends on built
// everything), then the README's bash block, line by line in one shell, against that local cloud.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalogOnce } from '../../src/dev/seed';
import { findFreePort } from '../../src/processes/supervisor';

const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));

/** The bash block under the README's `## Call the APIs` heading, one command per line. */
function callTheApisSteps(): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Call the APIs'));
  const block = section && /```bash\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no bash block under "## Call the APIs"');
  return block.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

let cli: ChildProcess | undefined;
let port = 0;
let dataDir = '';
let startOutput = '';

beforeAll(async () => {
  port = await findFreePort();
  dataDir = mkdtempSync(join(tmpdir(), 'call-the-apis-'));
  cli = spawn(join(repoRoot, 'node_modules', '.bin', 'tsx'), ['tools/local-cloud/src/cli.ts', '--skip-build', '--seed', '--no-watch', '--port', String(port), '--data-dir', dataDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    cli!.stdout!.on('data', (chunk: Buffer) => {
      startOutput += chunk.toString();
      // Its last line: `Ready.` once every stack applied (a failed stack makes it exit 1).
      if (startOutput.includes('\nReady.')) resolve();
    });
    cli!.stderr!.on('data', (chunk: Buffer) => (startOutput += chunk.toString()));
    cli!.once('exit', (code) => reject(new Error(`npm start exited (${code}) before it was running:\n${startOutput}`)));
  });
}, 240_000);

afterAll(async () => {
  if (cli && cli.exitCode === null) {
    const exited = new Promise((resolve) => cli!.once('exit', resolve));
    cli.kill('SIGINT');
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("README: Call the APIs", () => {
  it('npm start -- --seed seeded the catalog through its API', () => {
    // assess
    expect(startOutput).toMatch(/Seeded: staff user staff@kestrel\.example .* 3 published products/);
    expect(startOutput).not.toContain('✗ --seed');
  });

  it('signs Ada up, then every curl line of the README answers from the running services', async () => {
    // prepare: each step's output separated by a marker, in one shell so the eval'd variables carry over
    const steps = callTheApisSteps();
    expect(steps[0]).toContain('npm run -s local:user -- --email ada@example.com --staff --exports');
    const script = ['set -e', ...steps.flatMap((step) => [step, 'echo; echo @@step@@'])].join('\n');

    // act (the customer profile is made from identity's event a moment after sign-up: one retry loop for it)
    let stepOutputs: string[] = [];
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const run = spawnSync('bash', ['-c', script], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, LOCAL_CLOUD_PORT: String(port) } });
      expect(run.status, run.stderr).toBe(0);
      stepOutputs = run.stdout.split('@@step@@').map((part) => part.trim());
      if (stepOutputs[3]?.includes('ada@example.com')) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    // assess
    const [, products, store, customer] = stepOutputs.map((part) => (part.startsWith('{') ? (JSON.parse(part) as Record<string, unknown>) : part));
    expect((products as { items: Array<{ name: string }> }).items.map((item) => item.name).sort()).toEqual(['Brass pencil', 'Field notebook']);
    expect(store).toMatchObject({ name: 'Corner of Ada', storeId: expect.any(String) });
    expect(customer).toMatchObject({ email: 'ada@example.com', customerId: expect.any(String) });
  }, 120_000);

  it('seeds once per data dir: a second --seed finds the store and makes nothing new', async () => {
    // act
    const lines: string[] = [];
    await seedCatalogOnce({ endpoint: `http://127.0.0.1:${port}`, dataDir, log: (line) => lines.push(line) });

    // assess
    expect(lines).toEqual([expect.stringMatching(/^Seed data already there: staff user staff@kestrel\.example .* store [\w-]+, products /)]);
  });

  it('printed the confirmation code on the console, as the README says', () => {
    // assess
    expect(startOutput).toMatch(/cognito: code \d{6} for staff@kestrel\.example/);
  });
});
