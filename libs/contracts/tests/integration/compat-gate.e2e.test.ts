// Runs the gate's entry point against a real git repository: a schema lock and a manifest lock
// committed on the base, then the contract or the manifests changed. Every row of the change table
// goes through it (exit 1 for what must fail, 0 for what must pass), then the deployment cases:
// consumers as deployed, a lost publisher, unread fields, a stale manifest lock, bad input.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { serialiseManifestLock } from '../../compat/manifest-lock';
import { writeSchemaLock } from '../../scripts/export-schemas';
import { loadConsumers, loadDeclarations, runCompatGate } from '../../scripts/compat';
import { createEventRegistry, defineEvent, type AnyEventContract } from '../../src/index';
import { CHANGE_TABLE } from '../fixtures/change-table';

const definition = {
  source: 'kestrel.test-shop',
  detailType: 'CartCheckedOut',
  version: 1,
  owner: 'test-shop',
  description: 'A cart was checked out (test fixture).',
} as const;

const CartCheckedOutV1 = defineEvent({
  ...definition,
  data: z.object({ cartId: z.string(), email: z.email().meta({ pii: 'email' }), channel: z.enum(['web', 'app']), note: z.string().optional() }),
  example: { cartId: 'c-1', email: 'ada@example.com', channel: 'web' },
});
// Same version, breaking: email removed, channel narrowed, new required field.
const CartCheckedOutV1Broken = defineEvent({
  ...definition,
  data: z.object({ cartId: z.string(), channel: z.enum(['web']), total: z.number(), note: z.string().optional() }),
  example: { cartId: 'c-1', channel: 'web', total: 1 },
});
// Same version, compatible: a new optional field.
const CartCheckedOutV1Extended = defineEvent({
  ...definition,
  data: z.object({ cartId: z.string(), email: z.email().meta({ pii: 'email' }), channel: z.enum(['web', 'app']), note: z.string().optional(), coupon: z.string().optional() }),
  example: { cartId: 'c-1', email: 'ada@example.com', channel: 'web' },
});
// Same version: the optional note is gone.
const CartCheckedOutV1WithoutNote = defineEvent({
  ...definition,
  data: z.object({ cartId: z.string(), email: z.email().meta({ pii: 'email' }), channel: z.enum(['web', 'app']) }),
  example: { cartId: 'c-1', email: 'ada@example.com', channel: 'web' },
});
const CartCheckedOutV2 = defineEvent({ ...definition, version: 2, data: CartCheckedOutV1Broken.data, example: CartCheckedOutV1Broken.example });

const v1 = "{ source: 'kestrel.test-shop', detailType: 'CartCheckedOut', version: 1 }";
const v2 = "{ source: 'kestrel.test-shop', detailType: 'CartCheckedOut', version: 2 }";
const consumer = (events: string, extra = '') => `export default {
  name: 'customers',
  owner: 'customers',
  publishes: [],
  consumes: [{ name: 'on-cart-checked-out', events: [${events}], retry: { attempts: 3 } }],
};
${extra}`;
const producer = (events: string) => `export default { name: 'test-shop', consumes: [], publishes: [${events.split('|').filter(Boolean).map((e) => `{ event: ${e}, via: 'direct' }`).join(', ')}] };\n`;

describe('compat gate end to end in a git repository', () => {
  let repo: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Gate Test', '-c', 'user.email=gate@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: repo,
      stdio: 'pipe',
    });
  const writeApps = (appsDir: string, manifests: Record<string, string>) => {
    for (const [service, text] of Object.entries(manifests)) {
      mkdirSync(join(repo, appsDir, service), { recursive: true });
      writeFileSync(join(repo, appsDir, service, 'service.ts'), text);
    }
  };
  const writeReaders = () => {
    writeApps('apps-reads-cart', { customers: consumer(v1, "export const fieldsRead = { 'on-cart-checked-out': ['cartId', 'email'] };"), 'test-shop': producer(v1) });
    writeApps('apps-reads-note', { customers: consumer(v1, "export const fieldsRead = { 'on-cart-checked-out': ['cartId', 'note'] };"), 'test-shop': producer(v1) });
  };
  /** Writes the working tree's manifest lock as `export-schemas` would for the manifests in `appsDir`. */
  const lockManifests = async (appsDir: string) => {
    writeFileSync(join(repo, 'libs/contracts/manifests.lock.json'), serialiseManifestLock(await loadDeclarations(repo, appsDir)));
  };
  /** Commits the schema lock of `contracts` and the manifest lock of `appsDir` and tags it. */
  const commitBase = async (tag: string, contracts: readonly AnyEventContract[], appsDir = 'apps') => {
    rmSync(join(repo, 'libs/contracts/schemas'), { recursive: true, force: true });
    writeSchemaLock(join(repo, 'libs/contracts/schemas'), contracts);
    await lockManifests(appsDir);
    git('add', '-A');
    git('commit', '--quiet', '--allow-empty', '-m', tag);
    git('tag', tag);
  };

  beforeAll(async () => {
    // Arrange: main holds the published lock for v1, one consuming and one publishing service.
    repo = mkdtempSync(join(tmpdir(), 'kestrel-compat-'));
    git('init', '--quiet', '--initial-branch=main');
    writeApps('apps', { customers: consumer(v1), 'test-shop': producer(`${v1}|${v2}`) });
    await commitBase('published', [CartCheckedOutV1]);
    for (const [index, change] of CHANGE_TABLE.entries()) await commitBase(`case-${index}`, [change.base]);
    // Deployed consumers that declare the fields they read.
    writeReaders();
    await commitBase('reads-cart', [CartCheckedOutV1], 'apps-reads-cart');
    await commitBase('reads-note', [CartCheckedOutV1], 'apps-reads-note');
    git('checkout', '--quiet', 'published');
    writeReaders();
    git('branch', '--force', 'main', 'published');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  async function gate(contracts: readonly AnyEventContract[], base?: string, extra: { appsDir?: string; reportFile?: string } = {}) {
    const output: string[] = [];
    const code = await runCompatGate({ repoRoot: repo, lockDir: 'libs/contracts/schemas', contracts, events: 30, log: (t) => output.push(t), ...(base ? { base } : {}), ...extra });
    return { code, output: output.join('\n') };
  }

  it('reads consumers from apps/*/service.ts manifests', async () => {
    // Act
    const consumers = await loadConsumers(repo);

    // Assess
    expect(consumers).toEqual([
      { service: 'customers', subscription: 'on-cart-checked-out', events: [{ source: 'kestrel.test-shop', detailType: 'CartCheckedOut', version: 1 }] },
    ]);
  });

  describe('every change kind of the change table', () => {
    it.each(CHANGE_TABLE.map((change, index) => [change.name, change, index] as const))('%s', async (_name, change, index) => {
      // Arrange
      await lockManifests('apps');
      const blocks = change.expected.some((line) => line.startsWith('breaking') || line.startsWith('privacy'));

      // Act
      const { code, output } = await gate([change.current], `case-${index}`);

      // Assess
      expect({ code, output }).toMatchObject({ code: blocks ? 1 : 0 });
      for (const line of change.expected) {
        const [, kind, path] = /^\S+ (\S+) @(.+)$/.exec(line)!;
        expect(output).toMatch(new RegExp(`\\| detail\\.data\\.${path!.replace(/[.[\]]/g, '\\$&')} +\\| ${kind} +\\|`));
      }
      expect(output).not.toContain('refuted-by-generation');
    });
  });

  it('exits 1 with a table naming each break and the affected consumer when v1 changes incompatibly', async () => {
    // Act (base defaults to origin/main, absent here, so main)
    const { code, output } = await gate([CartCheckedOutV1Broken]);

    // Assess
    expect(code).toBe(1);
    expect(output).toContain('Contract compatibility against main: 1 contract version(s) compared.');
    expect(output).toMatch(/\| kestrel\.test-shop CartCheckedOut \| v1 +\| detail\.data\.email +\| field-removed +\| .*\| customers \(on-cart-checked-out\) \[reads: not declared\] \|/);
    expect(output).toMatch(/\| detail\.data\.channel +\| enum-value-removed +\| "app" no longer allowed/);
    expect(output).toMatch(/\| detail\.data\.total +\| required-field-added +\|/);
  });

  it('exits 0 for a compatible change of v1, after generating events both ways', async () => {
    // Act
    const { code, output } = await gate([CartCheckedOutV1Extended], 'main');

    // Assess
    expect(code).toBe(0);
    expect(output).toContain('OK: no breaking change.');
    expect(output).toMatch(/detail\.data\.coupon +\| optional-field-added/);
    expect(output).toContain('Generation: 60 generated event(s) parsed across 1 kept version(s)');
  });

  it('exits 0 when the breaking change ships as v2 alongside v1', async () => {
    // Act
    const { code, output } = await gate([CartCheckedOutV1, CartCheckedOutV2], 'main');

    // Assess
    expect(code).toBe(0);
    expect(output).toMatch(/\| v2 +\| \(whole version\) \| version-added/);
  });

  it('exits 1 when v1 is dropped while customers still consumes it', async () => {
    // Act
    const { code, output } = await gate([CartCheckedOutV2], 'main');

    // Assess
    expect(code).toBe(1);
    expect(output).toMatch(/\| v1 +\| \(whole version\) \| version-removed \| .*customers \(on-cart-checked-out\)/);
  });

  it('exits 1 when the same change moves customers to v2 and deletes v1: the deployed customers still consumes v1', async () => {
    // Arrange: the head's manifests consume v2 only; the base's manifest lock still says v1.
    writeApps('apps-moved', { customers: consumer(v2), 'test-shop': producer(v2) });
    await lockManifests('apps-moved');

    // Act
    const { code, output } = await gate([CartCheckedOutV2], 'main', { appsDir: 'apps-moved' });

    // Assess
    expect(code).toBe(1);
    expect(output).toMatch(/\| v1 +\| \(whole version\) \| version-removed \| version removed while customers \(on-cart-checked-out\) \[base\] still name it/);
    expect(output).toContain('customers (on-cart-checked-out) [deployed]');
  });

  it('exits 1 when a consumed version loses its last publisher', async () => {
    // Arrange
    writeApps('apps-unpublished', { customers: consumer(v1), 'test-shop': producer('') });
    await lockManifests('apps-unpublished');

    // Act
    const { code, output } = await gate([CartCheckedOutV1], 'main', { appsDir: 'apps-unpublished' });

    // Assess
    expect(code).toBe(1);
    expect(output).toMatch(/\| \(publishers\) +\| consumed-version-unpublished \| no manifest publishes it, yet customers \(on-cart-checked-out\) consume it/);
  });

  it('exits 0 when an optional field no consumer reads is removed, and 1 when one reads it', async () => {
    // Act: deployed (base) and head declare the same reads.
    await lockManifests('apps-reads-cart');
    const unread = await gate([CartCheckedOutV1WithoutNote], 'reads-cart', { appsDir: 'apps-reads-cart' });
    await lockManifests('apps-reads-note');
    const read = await gate([CartCheckedOutV1WithoutNote], 'reads-note', { appsDir: 'apps-reads-note' });

    // Assess
    expect(unread.code).toBe(0);
    expect(unread.output).toMatch(/\| detail\.data\.note +\| optional-field-retired +\| optional field removed; no consumer reads it/);
    expect(read.code).toBe(1);
    expect(read.output).toMatch(/\| detail\.data\.note +\| optional-field-removed +\| .*customers \(on-cart-checked-out\) \[reads it\]/);
  });

  it('exits 1 when the manifest lock does not match the manifests', async () => {
    // Arrange: the lock still describes apps/, the manifests read are apps-moved/.
    await lockManifests('apps');

    // Act
    const { code, output } = await gate([CartCheckedOutV1, CartCheckedOutV2], 'main', { appsDir: 'apps-moved' });

    // Assess
    expect(code).toBe(1);
    expect(output).toContain('libs/contracts/manifests.lock.json does not match the manifests; run `npx nx run contracts:export-schemas`');
  });

  it('exits 2 naming the file and field of a malformed manifest, and still writes the report file', async () => {
    // Arrange
    writeApps('apps-broken', { customers: "export default { name: 'customers', consumes: [{ name: 'x', events: ['kestrel.test-shop/CartCheckedOut/v1'] }] };\n" });
    const reportFile = join(repo, 'report.md');

    // Act
    const { code, output } = await gate([CartCheckedOutV1], 'main', { appsDir: 'apps-broken', reportFile });

    // Assess
    expect(code).toBe(2);
    expect(output).toBe('Contract compatibility gate could not run: apps-broken/customers/service.ts: consumes[0].events must list { source, detailType, version }');
    expect(existsSync(reportFile)).toBe(true);
    expect(readFileSync(reportFile, 'utf8')).toContain('consumes[0].events must list');
  });

  it('exits 2 with one message naming the contract and field, never a stack trace, when a contract is malformed', async () => {
    // Arrange: what a broken src/events module throws when the gate loads the registry.
    const loadContracts = async () => [
      defineEvent({ ...definition, detailType: 'cart-checked-out', data: z.object({ cartId: z.string() }), example: { cartId: 'c' } }),
    ];
    const duplicate = async () => createEventRegistry([CartCheckedOutV1, CartCheckedOutV1]).all();
    const output: string[] = [];

    // Act
    const code = await runCompatGate({ repoRoot: repo, lockDir: 'libs/contracts/schemas', loadContracts, base: 'main', log: (t) => output.push(t) });
    const twice = await runCompatGate({ repoRoot: repo, lockDir: 'libs/contracts/schemas', loadContracts: duplicate, base: 'main', log: (t) => output.push(t) });

    // Assess
    expect([code, twice]).toEqual([2, 2]);
    expect(output[0]).toMatch(/^Contract compatibility gate could not run: Event contract kestrel\.test-shop cart-checked-out v1 is malformed\n {2}\(event\): detailType "cart-checked-out" must be PascalCase/);
    expect(output[1]).toBe('Contract compatibility gate could not run: Event contract kestrel.test-shop/CartCheckedOut/v1 is registered twice');
    expect(output.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('exits 2 with a clear message when the base ref does not exist', async () => {
    // Act
    const { code, output } = await gate([CartCheckedOutV1], 'release/none');

    // Assess
    expect(code).toBe(2);
    expect(output).toContain('Base ref release/none not found');
  });

  it('exits 2 from the command line for a bad --events value, and the CLI exit code is the gate\'s', () => {
    // Act
    const run = (args: string[]) => {
      try {
        execFileSync(process.execPath, ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('../../scripts/compat.ts', import.meta.url)), ...args], { cwd: repo, stdio: 'pipe', encoding: 'utf8' });
        return 0;
      } catch (error) {
        return (error as { status: number }).status;
      }
    };

    // Assess
    expect(run(['--events=lots'])).toBe(2);
  });
});
