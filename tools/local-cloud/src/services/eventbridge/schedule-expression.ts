/**
 * EventBridge schedule expressions: `rate(5 minutes)` and AWS's six-field
 * `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, in UTC.
 *
 * Our own parser because AWS cron is not Unix cron: day-of-week runs 1-7
 * from Sunday, there is a year field, `?` is required in one of the day
 * fields, and `W`/`L`/`#` follow Quartz. (cron-parser 5, the best-kept npm
 * parser, has no year field and rejects `W`.)
 */

export type ScheduleExpression =
  | { kind: 'rate'; intervalMs: number; text: string }
  | { kind: 'cron'; cron: AwsCron; text: string };

export class InvalidScheduleExpressionError extends Error {
  constructor(readonly expression: string, readonly reason: string) {
    super(`Parameter ScheduleExpression is not valid. (${reason})`);
  }
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS },
  { name: 'year', min: 1970, max: 2199 },
];

type DayOfMonth =
  | { kind: 'any' }
  | { kind: 'set'; values: Set<number> }
  | { kind: 'last'; offset: number }
  | { kind: 'lastWeekday' }
  | { kind: 'nearestWeekday'; day: number };

type DayOfWeek =
  | { kind: 'any' }
  | { kind: 'set'; values: Set<number> }
  | { kind: 'lastOfMonth'; day: number }
  | { kind: 'nth'; day: number; nth: number };

export interface AwsCron {
  minutes: Set<number>;
  hours: Set<number>;
  dayOfMonth: DayOfMonth;
  months: Set<number>;
  dayOfWeek: DayOfWeek;
  years: Set<number>;
}

function fail(expression: string, reason: string): never {
  throw new InvalidScheduleExpressionError(expression, reason);
}

function parseValue(text: string, spec: FieldSpec, expression: string): number {
  const upper = text.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^\d+$/.test(text)) fail(expression, `'${text}' is not a valid ${spec.name} value`);
  const value = Number(text);
  if (value < spec.min || value > spec.max) fail(expression, `${spec.name} must be from ${spec.min} to ${spec.max}, got ${value}`);
  return value;
}

/** Parses the `,` `-` `*` `/` forms every field accepts. */
function parseSet(field: string, spec: FieldSpec, expression: string): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    if (range === undefined || range === '') fail(expression, `empty ${spec.name} entry`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) fail(expression, `invalid step '${stepText}' in ${spec.name}`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else if (range.includes('-')) {
      const [start, end] = range.split('-');
      from = parseValue(start ?? '', spec, expression);
      to = parseValue(end ?? '', spec, expression);
      if (to < from) fail(expression, `range ${range} in ${spec.name} runs backwards`);
    } else {
      from = parseValue(range, spec, expression);
      to = stepText === undefined ? from : spec.max;
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

function parseDayOfMonth(field: string, expression: string): DayOfMonth {
  if (field === '?') return { kind: 'any' };
  if (field === 'L') return { kind: 'last', offset: 0 };
  const lastOffset = /^L-(\d+)$/.exec(field);
  if (lastOffset) return { kind: 'last', offset: Number(lastOffset[1]) };
  if (field === 'LW') return { kind: 'lastWeekday' };
  const weekday = /^(\d+)W$/.exec(field);
  if (weekday) return { kind: 'nearestWeekday', day: parseValue(weekday[1] as string, FIELDS[2] as FieldSpec, expression) };
  return { kind: 'set', values: parseSet(field, FIELDS[2] as FieldSpec, expression) };
}

function parseDayOfWeek(field: string, expression: string): DayOfWeek {
  const spec = FIELDS[4] as FieldSpec;
  if (field === '?') return { kind: 'any' };
  if (field === 'L') return { kind: 'set', values: new Set([7]) };
  const last = /^(\w+)L$/.exec(field);
  if (last) return { kind: 'lastOfMonth', day: parseValue(last[1] as string, spec, expression) };
  const nth = /^(\w+)#([1-5])$/.exec(field);
  if (nth) return { kind: 'nth', day: parseValue(nth[1] as string, spec, expression), nth: Number(nth[2]) };
  return { kind: 'set', values: parseSet(field, spec, expression) };
}

/**
 * Parses a schedule expression.
 *
 * @throws InvalidScheduleExpressionError with the reason.
 * @example
 * parseScheduleExpression('cron(0 12 ? * MON-FRI *)') // noon UTC on weekdays
 * parseScheduleExpression('rate(5 minutes)')
 */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] as string;
    if (value < 1) fail(expression, 'the rate value must be a positive number');
    // AWS insists on the singular unit for 1 and the plural otherwise.
    if ((value === 1) !== !unit.endsWith('s')) fail(expression, `use '${value === 1 ? unit.replace(/s$/, '') : `${unit}s`}' with the value ${value}`);
    return { kind: 'rate', intervalMs: value * (UNIT_MS[unit.replace(/s$/, '')] as number), text: expression };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) fail(expression, 'expected rate(value unit) or cron(fields)');
  const fields = (cron[1] as string).trim().split(/\s+/);
  if (fields.length !== 6) fail(expression, `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`);
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    fail(expression, 'exactly one of day-of-month and day-of-week must be ?');
  }
  return {
    kind: 'cron',
    text: expression,
    cron: {
      minutes: parseSet(minutes, FIELDS[0] as FieldSpec, expression),
      hours: parseSet(hours, FIELDS[1] as FieldSpec, expression),
      dayOfMonth: parseDayOfMonth(dayOfMonth, expression),
      months: parseSet(month, FIELDS[3] as FieldSpec, expression),
      dayOfWeek: parseDayOfWeek(dayOfWeek, expression),
      years: parseSet(year, FIELDS[5] as FieldSpec, expression),
    },
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday … 7 = Saturday, as AWS numbers them. */
function awsWeekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function isWeekday(year: number, month: number, day: number): boolean {
  const weekday = awsWeekday(year, month, day);
  return weekday >= 2 && weekday <= 6;
}

function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysInMonth(year, month);
  const target = Math.min(day, last);
  const weekday = awsWeekday(year, month, target);
  if (weekday === 7) return target === 1 ? 3 : target - 1; // Saturday → Friday, or Monday when the 1st
  if (weekday === 1) return target === last ? target - 2 : target + 1; // Sunday → Monday, or Friday at month end
  return target;
}

function dayMatches(cron: AwsCron, year: number, month: number, day: number): boolean {
  const last = daysInMonth(year, month);
  const dom = cron.dayOfMonth;
  switch (dom.kind) {
    case 'set':
      if (!dom.values.has(day)) return false;
      break;
    case 'last':
      if (day !== last - dom.offset) return false;
      break;
    case 'lastWeekday': {
      let candidate = last;
      while (!isWeekday(year, month, candidate)) candidate--;
      if (day !== candidate) return false;
      break;
    }
    case 'nearestWeekday':
      if (day !== nearestWeekday(year, month, dom.day)) return false;
      break;
    case 'any':
      break;
  }
  const dow = cron.dayOfWeek;
  const weekday = awsWeekday(year, month, day);
  switch (dow.kind) {
    case 'set':
      return dow.values.has(weekday);
    case 'lastOfMonth':
      return weekday === dow.day && day + 7 > last;
    case 'nth':
      return weekday === dow.day && Math.ceil(day / 7) === dow.nth;
    case 'any':
      return true;
  }
}

function sorted(values: Set<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * The first moment strictly after `after` (epoch ms) that the cron selects,
 * or undefined when none is left before 2200.
 *
 * @example
 * nextCronTime(parseScheduleExpression('cron(0 10 * * ? *)').cron, Date.parse('2026-03-01T11:00:00Z')) // 2026-03-02T10:00Z
 */
export function nextCronTime(cron: AwsCron, after: number): number | undefined {
  const start = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
  const hours = sorted(cron.hours);
  const minutes = sorted(cron.minutes);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  let day = start.getUTCDate();
  let firstDay = true;
  while (year <= 2199) {
    if (!cron.years.has(year)) {
      year++;
      month = 1;
      day = 1;
      firstDay = false;
      continue;
    }
    if (!cron.months.has(month)) {
      month++;
      day = 1;
      firstDay = false;
      if (month > 12) {
        month = 1;
        year++;
      }
      continue;
    }
    if (day <= daysInMonth(year, month) && dayMatches(cron, year, month, day)) {
      const fromMinutes = firstDay ? start.getUTCHours() * 60 + start.getUTCMinutes() : 0;
      for (const hour of hours) {
        for (const minute of minutes) {
          if (hour * 60 + minute >= fromMinutes) return Date.UTC(year, month - 1, day, hour, minute);
        }
      }
    }
    firstDay = false;
    day++;
    if (day > daysInMonth(year, month)) {
      day = 1;
      month++;
      if (month > 12) {
        month = 1;
        year++;
      }
    }
  }
  return undefined;
}

/**
 * When a schedule fires next after `after`. Rate schedules count from
 * `anchor` (when the rule was created or enabled), as AWS does.
 */
export function nextFireTime(schedule: ScheduleExpression, after: number, anchor: number): number | undefined {
  if (schedule.kind === 'cron') return nextCronTime(schedule.cron, after);
  const periods = Math.floor((after - anchor) / schedule.intervalMs) + 1;
  return anchor + Math.max(1, periods) * schedule.intervalMs;
}
