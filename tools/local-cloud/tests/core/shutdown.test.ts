import { describe, expect, it } from 'vitest';
import { Shutdown } from '../../src/processes/shutdown';

describe('Shutdown', () => {
  it('runs each cleanup once, last added first, skipping removed ones, then exits with the code', async () => {
    // prepare
    const steps: string[] = [];
    const exits: number[] = [];
    const shutdown = new Shutdown({ parentCheckMs: 0, exit: (code) => exits.push(code), say: (message) => steps.push(`say: ${message}`) });
    shutdown.add(() => void steps.push('release lock'));
    const removeBuild = shutdown.add(() => void steps.push('stop build'));
    shutdown.add(async () => {
      steps.push('stop cloud');
      throw new Error('DynamoDB Local did not answer');
    });
    removeBuild();
    // act
    await shutdown.stop('A stack failed to apply', 1);
    // assess
    expect(steps).toEqual(['say: A stack failed to apply: stopping…', 'stop cloud', 'say: a cleanup step failed: DynamoDB Local did not answer', 'release lock']);
    expect(exits).toEqual([1]);
    expect(shutdown.requested).toBe(true);
  });

  it('exits at once on a second request while stopping', async () => {
    // prepare
    const exits: number[] = [];
    let finishCleanup: () => void = () => undefined;
    const shutdown = new Shutdown({ parentCheckMs: 0, exit: (code) => exits.push(code) });
    shutdown.add(() => new Promise<void>((resolve) => (finishCleanup = resolve)));
    // act
    const first = shutdown.stop('SIGINT', 0);
    await shutdown.stop('SIGINT', 0);
    // assess
    expect(exits).toEqual([130]);
    finishCleanup();
    await first;
    expect(exits).toEqual([130, 0]);
  });

  it('takes the same signal twice within a second (terminal and launcher both pass Ctrl-C on) as one request', async () => {
    // prepare
    const exits: number[] = [];
    let finishCleanup: () => void = () => undefined;
    const shutdown = new Shutdown({ parentCheckMs: 0, exit: (code) => exits.push(code) });
    shutdown.add(() => new Promise<void>((resolve) => (finishCleanup = resolve)));
    // act
    shutdown.onSignal('SIGINT', 10_000);
    shutdown.onSignal('SIGINT', 10_200);
    const duplicate = [...exits];
    shutdown.onSignal('SIGINT', 12_000);
    // assess
    expect(duplicate).toEqual([]);
    expect(exits).toEqual([130]);
    finishCleanup();
  });
});
