import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import * as events from '../fixtures/cognito-events';
import { TriggerRejection } from '../../src/domain/rejection';
import { cognitoTrigger, SIGN_IN_ANSWER_FLOOR_MS } from '../../src/adapters/trigger-runtime';
import { createHandler as createMigration } from '../../src/handlers/cognito-user-migration';
import { createHandler as createPreAuthentication } from '../../src/handlers/cognito-pre-authentication';

const event = z.object({ triggerSource: z.string() });

/** A monotonic clock the "work" moves, and a sleep that records how long it was asked to wait. */
function fakeTime() {
  let now = 1_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    work: (ms: number) => {
      now += ms;
    },
    options: { log: () => undefined, monotonicMs: () => now, sleep: async (ms: number) => void sleeps.push(ms) },
  };
}

describe('equal-time answers', () => {
  it('pads a quick answer, a refusal and a failure alike up to the floor, and never a slow one', async () => {
    // prepare
    const time = fakeTime();
    const quick = cognitoTrigger('T', event, () => (time.work(30), {}), { ...time.options, answerFloorMs: 250 });
    const refusing = cognitoTrigger('T', event, () => {
      time.work(10);
      throw new TriggerRejection('Incorrect username or password.');
    }, { ...time.options, answerFloorMs: 250 });
    const slow = cognitoTrigger('T', event, () => (time.work(400), {}), { ...time.options, answerFloorMs: 250 });

    // act
    await quick({ triggerSource: 'x' });
    await refusing({ triggerSource: 'x' }).catch(() => undefined);
    await slow({ triggerSource: 'x' });

    // assess
    expect(time.sleeps).toEqual([220, 240]);
  });

  it('applies the same floor to pre authentication (known users) and user migration (unknown ones)', async () => {
    // prepare
    const time = fakeTime();
    const preAuthentication = createPreAuthentication(() => ({ guardState: async () => ({}) }) as never, time.options);
    const migration = createMigration(() => ({ find: async () => undefined }) as never, time.options);

    // act
    const known = await preAuthentication(events.preAuthentication('ada@example.com'));
    const unknown = await migration(events.userMigration('nobody@example.com', 'not-it')).catch((error: Error) => error.message);

    // assess: both ran their logic, and waited (neither did work on the fake clock) the whole floor
    expect(known.response).toEqual({});
    expect(unknown).toBe('Incorrect username or password.');
    expect(time.sleeps).toEqual([SIGN_IN_ANSWER_FLOOR_MS, SIGN_IN_ANSWER_FLOOR_MS]);
  });
});
