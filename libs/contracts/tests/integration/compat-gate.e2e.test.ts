// Runs the gate's entry point against a real git repository: a schema lock committed on main,
// then the contract changed in code. Proves the git plumbing, manifest loading and exit codes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { writeSchemaLock } from '../../scripts/export-schemas';
import { loadConsumers, runCompatGate } from '../../scripts/compat';
import { defineEvent, type AnyEventContract } from '../../src/index';

const definition = {
  source: 'kestrel.test-shop',
  detailType: 'CartCheckedOut',
  version: 1,
  owner: 'test-shop',
  description: 'A cart was checked out (test fixture).',
} as const;

const CartCheckedOutV1 = defineEvent({
  ...definition,
  data: z.object({ cartId: z.string(), email: z.email().meta({ pii: 'email' }), channel: z.enum(['web', 'app']) }),
  example: { cartId: 'c-1', email: 'ada@example.com', channel: 'web' },
});
// Same version, breaking: email removed, channel narrowed, new required field.
const CartCheckedOutV1Broken = defineEvent({
  ...definition,
  data: z.object({ cartId: z.string(), channel: z.enum(['web']), total: z.number() }),
  example: { cartId: 'c-1', channel: 'web', total: 1 },
});
// Same version, compatible: a new optional field.
const CartCheckedOutV1Extended = defineEvent({
  ...definition,
  data: z.object({ cartId: z.string(), email: z.email().meta({ pii: 'email' }), channel: z.enum(['web', 'app']), coupon: z.string().optional() }),
  example: { cartId: 'c-1', email: 'ada@example.com', channel: 'web' },
});
const CartCheckedOutV2 = defineEvent({ ...definition, version: 2, data: CartCheckedOutV1Broken.data, example: CartCheckedOutV1Broken.example });

const manifest = `export default {
  name: 'customers',
  owner: 'customers',
  consumes: [
    { name: 'on-cart-checked-out', events: [{ source: 'kestrel.test-shop', detailType: 'CartCheckedOut', version: 1 }], retry: { attempts: 3 } },
  ],
};
`;

describe('compat gate end to end in a git repository', () => {
  let repo: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Gate Test', '-c', 'user.email=gate@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: repo,
      stdio: 'pipe',
    });

  beforeAll(() => {
    // Arrange: main holds the published lock for v1 and one consuming service.
    repo = mkdtempSync(join(tmpdir(), 'kestrel-compat-'));
    git('init', '--quiet', '--initial-branch=main');
    writeSchemaLock(join(repo, 'libs/contracts/schemas'), [CartCheckedOutV1]);
    mkdirSync(join(repo, 'apps/customers'), { recursive: true });
    writeFileSync(join(repo, 'apps/customers/service.ts'), manifest);
    git('add', '.');
    git('commit', '--quiet', '-m', 'publish CartCheckedOut v1');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  async function gate(contracts: readonly AnyEventContract[], base?: string) {
    const output: string[] = [];
    const code = await runCompatGate({ repoRoot: repo, lockDir: 'libs/contracts/schemas', contracts, log: (t) => output.push(t), ...(base ? { base } : {}) });
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

  it('exits 1 with a table naming each break and the affected consumer when v1 changes incompatibly', async () => {
    // Act (base defaults to origin/main, absent here, so main)
    const { code, output } = await gate([CartCheckedOutV1Broken]);

    // Assess
    expect(code).toBe(1);
    expect(output).toContain('Contract compatibility against main: 1 contract version(s) compared.');
    expect(output).toMatch(/\| kestrel\.test-shop CartCheckedOut \| v1 +\| detail\.data\.email +\| field-removed +\| .*\| customers \(on-cart-checked-out\) \|/);
    expect(output).toMatch(/\| detail\.data\.channel +\| enum-value-removed +\| "app" no longer allowed/);
    expect(output).toMatch(/\| detail\.data\.total +\| required-field-added +\|/);
  });

  it('exits 0 for a compatible change of v1', async () => {
    // Act
    const { code, output } = await gate([CartCheckedOutV1Extended], 'main');

    // Assess
    expect(code).toBe(0);
    expect(output).toContain('OK: no breaking change.');
    expect(output).toMatch(/detail\.data\.coupon +\| optional-field-added/);
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

  it('exits 2 with a clear message when the base ref does not exist', async () => {
    // Act
    const { code, output } = await gate([CartCheckedOutV1], 'release/none');

    // Assess
    expect(code).toBe(2);
    expect(output).toContain('Base ref release/none not found');
  });
});
