import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_LOCK_DIR, diffSchemaLock, main, writeSchemaLock } from '../../scripts/export-schemas';
import { allContracts, toJsonSchema } from '../../src/index';
import { OrderPlacedV1, OrderPlacedV2, StoreOpenedV1 } from '../fixtures/contracts';

describe('committed schema lock (libs/contracts/schemas)', () => {
  it('equals what the registered contracts generate: no missing, changed or stale file', () => {
    // Act
    const drift = diffSchemaLock(SCHEMA_LOCK_DIR, allContracts());

    // Assess: on failure run `npx nx run contracts:export-schemas` and commit the result.
    expect(drift).toEqual({ missing: [], stale: [], changed: [] });
  });
});

const quiet = () => undefined;

describe('writeSchemaLock / diffSchemaLock', () => {
  const dirs: string[] = [];
  const tempLock = () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kestrel-lock-')), 'schemas');
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(join(dir, '..'), { recursive: true, force: true })));

  it('writes one file per contract version and then reports no drift', () => {
    // Arrange
    const dir = tempLock();

    // Act
    const written = writeSchemaLock(dir, [OrderPlacedV1, OrderPlacedV2, StoreOpenedV1]);

    // Assess
    expect(written.missing).toEqual(['kestrel.test-catalog/StoreOpened.v1.json', 'kestrel.test-shop/OrderPlaced.v1.json', 'kestrel.test-shop/OrderPlaced.v2.json']);
    expect(JSON.parse(readFileSync(join(dir, 'kestrel.test-shop/OrderPlaced.v2.json'), 'utf8'))).toEqual(toJsonSchema(OrderPlacedV2));
    expect(diffSchemaLock(dir, [OrderPlacedV1, OrderPlacedV2, StoreOpenedV1])).toEqual({ missing: [], stale: [], changed: [] });
  });

  it('detects hand edits and stale files, and the rewrite removes stale files and empty folders', () => {
    // Arrange
    const dir = tempLock();
    writeSchemaLock(dir, [OrderPlacedV1, StoreOpenedV1]);
    writeFileSync(join(dir, 'kestrel.test-shop/OrderPlaced.v1.json'), '{}\n');

    // Act
    const drift = diffSchemaLock(dir, [OrderPlacedV1]);
    writeSchemaLock(dir, [OrderPlacedV1]);

    // Assess
    expect(drift).toEqual({ missing: [], stale: ['kestrel.test-catalog/StoreOpened.v1.json'], changed: ['kestrel.test-shop/OrderPlaced.v1.json'] });
    expect(existsSync(join(dir, 'kestrel.test-catalog'))).toBe(false);
    expect(diffSchemaLock(dir, [OrderPlacedV1])).toEqual({ missing: [], stale: [], changed: [] });
  });

  it('with zero contracts removes the folder, and --check flags any leftover file', () => {
    // Arrange
    const dir = tempLock();
    writeSchemaLock(dir, [StoreOpenedV1]);
    const checkBefore = main(['--check'], dir, [], quiet);

    // Act
    writeSchemaLock(dir, []);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'stray.json'), '{}');
    const checkStray = main(['--check'], dir, [], quiet);
    rmSync(join(dir, 'stray.json'));
    const checkClean = main(['--check'], dir, [], quiet);

    // Assess
    expect(checkBefore).toBe(1);
    expect(checkStray).toBe(1);
    expect(checkClean).toBe(0);
  });
});

describe('committed manifest lock (libs/contracts/manifests.lock.json)', () => {
  it('equals what the service manifests declare: the gate reads it at the base ref as the consumers deployed', async () => {
    // Arrange
    const { MANIFEST_LOCK_PATH, loadDeclarations } = await import('../../scripts/compat');
    const { serialiseManifestLock } = await import('../../compat/manifest-lock');
    const repoRoot = join(SCHEMA_LOCK_DIR, '../../..');

    // Act
    const expected = serialiseManifestLock(await loadDeclarations(repoRoot));

    // Assess: on failure run `npx nx run contracts:export-schemas` and commit the result. (A change
    // to a manifest alone does not make contracts:test affected; the gate, run on every pull
    // request, fails on a stale lock too.)
    expect(readFileSync(MANIFEST_LOCK_PATH, 'utf8')).toBe(expected);
  });
});
