import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleArchive, bundleArchives, writeBundleArchive } from '../../src/service/bundles';

const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function bundlesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-bundles-test-'));
  folders.push(dir);
  mkdirSync(join(dir, 'fn'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'fn', name), text);
  return dir;
}

/** The unix mode each entry records (high 16 bits of the external attributes in the central directory). */
function entryModes(zip: Buffer): number[] {
  const modes: number[] = [];
  for (let at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)) {
    modes.push(zip.readUInt32LE(at + 38) >>> 16);
  }
  return modes;
}

describe('bundle archives', () => {
  it('zips the folder byte-reproducibly, every file readable by Lambda', () => {
    // prepare
    const dir = bundlesDir({ 'index.mjs': 'export const handler = async () => 1;\n', 'index.mjs.map': '{"version":3}' });
    const zip = bundleArchive(dir, 'fn');

    // act
    writeBundleArchive(join(dir, 'fn'), zip);
    const first = readFileSync(zip);
    utimesSync(join(dir, 'fn', 'index.mjs'), new Date(2030, 0, 1), new Date(2030, 0, 1));
    writeBundleArchive(join(dir, 'fn'), zip);

    // assess
    expect(readFileSync(zip).equals(first)).toBe(true);
    expect(Object.keys(unzipSync(first))).toEqual(['index.mjs', 'index.mjs.map']);
    expect(new TextDecoder().decode(unzipSync(first)['index.mjs'])).toBe('export const handler = async () => 1;\n');
    expect(entryModes(first)).toEqual([0o100644, 0o100644]);
  });

  it('writes a missing archive and rewrites one older than its bundle at synth', () => {
    // prepare
    const dir = bundlesDir({ 'index.mjs': 'export const handler = async () => "old";\n' });
    bundleArchives(dir, 'orders', ['fn']);
    const zip = bundleArchive(dir, 'fn');
    const old = new Date(Date.now() - 60_000);
    utimesSync(zip, old, old);
    writeFileSync(join(dir, 'fn', 'index.mjs'), 'export const handler = async () => "new";\n');

    // act
    const archives = bundleArchives(dir, 'orders', ['fn']);

    // assess
    expect(archives.get('fn')).toBe(zip);
    expect(statSync(zip).mtimeMs).toBeGreaterThan(old.getTime());
    expect(new TextDecoder().decode(unzipSync(readFileSync(zip))['index.mjs'])).toBe('export const handler = async () => "new";\n');
  });
});
