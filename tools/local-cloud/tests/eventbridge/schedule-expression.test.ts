import { describe, expect, it } from 'vitest';
import { InvalidScheduleExpressionError, nextFireTime, parseScheduleExpression } from '../../src/services/eventbridge/schedule-expression';

const next = (expression: string, after: string) => {
  const schedule = parseScheduleExpression(expression);
  const at = nextFireTime(schedule, Date.parse(after), Date.parse(after));
  return at === undefined ? undefined : new Date(at).toISOString();
};

describe('schedule expressions', () => {
  it.each([
    // Examples from "Creating an Amazon EventBridge rule that runs on a schedule" (cron expressions table)
    ['cron(0 10 * * ? *)', '2026-03-01T11:00:00Z', '2026-03-02T10:00:00.000Z'],
    ['cron(15 12 * * ? *)', '2026-03-01T12:15:00Z', '2026-03-02T12:15:00.000Z'],
    ['cron(0 18 ? * MON-FRI *)', '2026-03-06T18:00:00Z', '2026-03-09T18:00:00.000Z'],
    ['cron(0 8 1 * ? *)', '2026-03-01T09:00:00Z', '2026-04-01T08:00:00.000Z'],
    ['cron(0/15 * * * ? *)', '2026-03-01T10:07:00Z', '2026-03-01T10:15:00.000Z'],
    ['cron(0/10 * ? * MON-FRI *)', '2026-03-07T10:00:00Z', '2026-03-09T00:00:00.000Z'],
    ['cron(0/5 8-17 ? * MON-FRI *)', '2026-03-02T17:56:00Z', '2026-03-03T08:00:00.000Z'],
    ['cron(0 9 ? * 2#1 *)', '2026-03-01T00:00:00Z', '2026-03-02T09:00:00.000Z'],
    // Quartz extensions AWS accepts
    ['cron(0 0 L * ? *)', '2026-02-01T00:00:00Z', '2026-02-28T00:00:00.000Z'],
    ['cron(0 0 15W * ? *)', '2026-08-01T00:00:00Z', '2026-08-14T00:00:00.000Z'],
    ['cron(0 0 ? * 6L *)', '2026-03-01T00:00:00Z', '2026-03-27T00:00:00.000Z'],
    ['cron(0 12 1 JAN ? 2027)', '2026-03-01T00:00:00Z', '2027-01-01T12:00:00.000Z'],
    ['cron(0 12 1 JAN ? 2025)', '2026-03-01T00:00:00Z', undefined],
  ])('%s after %s fires at %s', (expression, after, expected) => {
    expect(next(expression, after)).toBe(expected);
  });

  it('counts rate schedules from their anchor', () => {
    // prepare
    const schedule = parseScheduleExpression('rate(1 hour)');
    const anchor = Date.parse('2026-03-01T10:20:00Z');
    // act
    const first = nextFireTime(schedule, anchor, anchor);
    const later = nextFireTime(schedule, Date.parse('2026-03-01T13:00:00Z'), anchor);
    // assess
    expect(new Date(first as number).toISOString()).toBe('2026-03-01T11:20:00.000Z');
    expect(new Date(later as number).toISOString()).toBe('2026-03-01T13:20:00.000Z');
  });

  it.each([
    ['rate(1 minutes)', "use 'minute' with the value 1"],
    ['rate(5 minute)', "use 'minutes' with the value 5"],
    ['rate(0 minutes)', 'positive'],
    ['cron(0 10 * * * *)', 'exactly one of day-of-month and day-of-week must be ?'],
    ['cron(0 10 * * ?)', 'cron needs 6 fields'],
    ['cron(61 10 * * ? *)', 'minutes must be from 0 to 59'],
    ['every 5 minutes', 'expected rate(value unit) or cron(fields)'],
  ])('rejects %s (%s)', (expression, reason) => {
    const failure = (() => {
      try {
        parseScheduleExpression(expression);
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(InvalidScheduleExpressionError);
    expect((failure as Error).message).toContain(reason);
  });
});
