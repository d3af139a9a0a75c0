import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileIfExists, readJsonState, REPAIR_ADVICE, writeFileAtomically } from '../../src/core/files';
import { CheckpointStore } from '../../src/services/pipes/checkpoints';

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

  it('reads a JSON state file, and fails on a torn one naming the file and a repair that loses nothing', () => {
    // prepare
    const good = join(root, 'good.json');
    const torn = join(root, 'queues.json');
    writeFileAtomically(good, JSON.stringify({ queues: [] }));
    writeFileSync(torn, '{"queues":[{"name":"orders","mess');

    // act
    const read = readJsonState<{ queues: unknown[] }>(good);
    const failure = (() => {
      try {
        readJsonState(torn);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    })();

    // assess
    expect(read).toEqual({ queues: [] });
    expect(readJsonState(join(root, 'absent.json'))).toBeUndefined();
    expect(failure).toContain(`${torn} is not valid JSON`);
    expect(failure).toContain(REPAIR_ADVICE);
    expect(failure).not.toMatch(/move it away/);
  });

  it('removes temporary files a killed process left next to a state file, and keeps a live process\'s', () => {
    // prepare: pid 2^22+1 is above Linux's pid_max, so no process has it.
    const path = join(root, 'state.json');
    writeFileAtomically(path, '{}');
    writeFileSync(`${path}.4194305.tmp`, '{"half":');
    writeFileSync(`${path}.${process.ppid}.tmp`, '{}');

    // act
    readJsonState(path);

    // assess
    expect(readdirSync(root).sort()).toEqual(['state.json', `state.json.${process.ppid}.tmp`]);
  });

  it('refuses an unreadable pipe checkpoint file with advice that skips nothing, and with LOCAL_CLOUD_PIPES_REREAD=1 re-reads from the oldest record', () => {
    // prepare
    const path = join(root, 'checkpoints.json');
    writeFileSync(path, '{"outbox":{"source":"arn:stream","initialized":tr');

    // act
    const refusal = (() => {
      try {
        new CheckpointStore(path, () => undefined, false);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const logged: string[] = [];
    const rereading = new CheckpointStore(path, (message) => logged.push(message), true);

    // assess
    expect(refusal).toContain(path);
    expect(refusal).toContain('LOCAL_CLOUD_PIPES_REREAD=1');
    expect(refusal).toContain('Do not delete it');
    // Initialized with no positions: every shard is read from TRIM_HORIZON, not skipped to LATEST.
    expect(rereading.of('outbox', 'arn:stream')).toEqual({ source: 'arn:stream', initialized: true, shards: {} });
    expect(readdirSync(root).some((name) => name.startsWith('checkpoints.json.corrupt-'))).toBe(true);
    expect(logged.join('\n')).toContain('reads its stream again from the oldest record');
  });
});
