import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/core/journal';
import type { Peers } from '../../src/core/types';
import { AsyncInvocationQueue } from '../../src/services/lambda/async-invocations';
import type { JournaledEvent } from '../../src/services/lambda/async-invocations';
import { FunctionRegistry } from '../../src/services/lambda/function-registry';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('async events recovered from the journal after a crash', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  /** A journal on disk holding one accepted event of a function that is not applied (yet) in this run. */
  function recoveredQueue(awaitingStacks: () => boolean) {
    const folder = mkdtempSync(join(tmpdir(), 'async-recovery-'));
    folders.push(folder);
    const path = join(folder, 'async.journal');
    const before = Journal.open<JournaledEvent>(path, { label: 'lambda async events' });
    before.put('r-1', { functionName: 'on-user-registered', requestId: 'r-1', payload: '{}', enqueuedAt: Date.now() });
    return before.durable().then(async () => {
      await before.close();
      const logs: string[] = [];
      const journal = Journal.open<JournaledEvent>(path, { label: 'lambda async events' });
      const queue = new AsyncInvocationQueue({
        registry: new FunctionRegistry(16),
        peers: {} as Peers,
        settingsFor: () => ({}),
        run: () => Promise.reject(new Error('no function runs in this test')),
        log: (message) => logs.push(message),
        timeScale: 1 / 60,
        journal,
        recoveryGraceMs: 0,
        awaitingStacks,
      });
      queue.recover();
      return { queue, journal, logs };
    });
  }

  it('keep waiting for their function while a stack of the run is not applied, past the grace period', async () => {
    // prepare: the grace is over at once, but npm start is still applying stacks
    const { queue, journal, logs } = await recoveredQueue(() => true);

    // act
    await sleep(800);

    // assess: still pending in the journal, nothing dropped
    expect(journal.pendingIds()).toEqual(['r-1']);
    expect(logs.filter((line) => line.includes('dropped'))).toEqual([]);
    await queue.stop();
  });

  it('are dropped, and say so, only once every stack is applied and their function is still missing', async () => {
    // prepare
    let applying = true;
    const { queue, journal, logs } = await recoveredQueue(() => applying);
    await sleep(300);
    expect(journal.pendingIds()).toEqual(['r-1']);

    // act: the last stack applied, without the function (it was destroyed)
    applying = false;
    await sleep(600);

    // assess
    expect(journal.pendingIds()).toEqual([]);
    expect(logs.some((line) => line.includes('async event dropped, its function was destroyed'))).toBe(true);
    await queue.stop();
  });
});
