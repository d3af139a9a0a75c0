import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileIfExists, writeFileAtomically } from '../../src/core/files';

describe('state files', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'local-cloud-files-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads nothing for a file that does not exist yet, and throws for other read errors', () => {
    // prepare
    const missing = join(root, 'absent', 'state.json');

    // act
    const text = readFileIfExists(missing);

    // assess
    expect(text).toBeUndefined();
    expect(() => readFileIfExists(tmpdir())).toThrow(/EISDIR/);
  });

  it('replaces a file in a folder it creates, leaving no temporary file behind', () => {
    // prepare
    const path = join(root, 'nested', 'state.json');
    writeFileAtomically(path, '{"version":1}');

    // act
    writeFileAtomically(path, '{"version":2}');

    // assess
    expect(readFileSync(path, 'utf8')).toBe('{"version":2}');
    expect(readFileIfExists(path)).toBe('{"version":2}');
    expect(readdirSync(join(root, 'nested'))).toEqual(['state.json']);
  });
});
