import { parseArgs } from 'node:util';
import { ENVIRONMENT_NAMES } from '@kestrel/infra-constructs/environments';
import type { EnvironmentName } from '@kestrel/infra-constructs/environments';

export const OPS_COMMANDS = ['inspect', 'redrive', 'replay'] as const;
export type OpsCommand = (typeof OPS_COMMANDS)[number];

export interface OpsArgs {
  command: OpsCommand;
  service: string;
  env: EnvironmentName;
  subscription: string;
  /** Act instead of a dry run (redrive, replay). */
  yes: boolean;
  /** inspect: how many dead letters to show. */
  limit: number;
  /** replay: the archive window. */
  from?: Date;
  to?: Date;
}

/** Thrown with one line per bad field, so a runbook typo says exactly what to fix. */
export class OpsArgsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid arguments:\n  ${problems.join('\n  ')}`);
    this.name = 'OpsArgsError';
  }
}

function instant(field: string, value: string | undefined, problems: string[]): Date | undefined {
  if (value === undefined) {
    problems.push(`--${field}: required for replay unless --last is given (ISO-8601, e.g. 2026-12-07T06:00:00Z)`);
    return undefined;
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) problems.push(`--${field}: "${value}" is not an ISO-8601 time`);
  return date;
}

const DURATION = /^(\d+)([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--last 2h` (the window ending now) or `--from`/`--to`, never both. */
function replayWindow(values: { from?: string; to?: string; last?: string }, problems: string[]): { from?: Date; to?: Date } {
  if (values.last === undefined) return { from: instant('from', values.from, problems), to: instant('to', values.to, problems) };
  if (values.from !== undefined || values.to !== undefined) problems.push('--last: give either --last or --from/--to, not both');
  const match = DURATION.exec(values.last);
  if (!match || Number(match[1]) === 0) {
    problems.push(`--last: "${values.last}" must be a duration like 30m, 2h or 1d`);
    return {};
  }
  const to = new Date();
  return { from: new Date(to.getTime() - Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]), to };
}

/**
 * The ops CLI's arguments: `<inspect|redrive|replay> --service <s> --env <e> --subscription <name>`,
 * plus `--yes`, `--limit` (inspect) and `--last 2h` or `--from`/`--to` (replay). Lists every problem at once.
 *
 * @example
 * parseOpsArgs(['redrive', '--service', 'catalog', '--env', 'staging', '--subscription', 'product-retired']).yes; // false
 */
export function parseOpsArgs(argv: readonly string[]): OpsArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        service: { type: 'string' },
        env: { type: 'string' },
        subscription: { type: 'string' },
        yes: { type: 'boolean', default: false },
        limit: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        last: { type: 'string' },
      },
    });
  } catch (error) {
    throw new OpsArgsError([(error as Error).message]);
  }
  const { values, positionals } = parsed;
  const problems: string[] = [];
  const [command, ...extra] = positionals;
  if (!OPS_COMMANDS.includes(command as OpsCommand)) problems.push(`command: "${command ?? ''}" must be one of ${OPS_COMMANDS.join(', ')}`);
  if (extra.length > 0) problems.push(`command: unexpected extra arguments ${extra.join(' ')}`);
  if (!values.service) problems.push('--service: required (e.g. catalog)');
  if (!values.subscription) problems.push("--subscription: required (a name from the service manifest's consumes)");
  if (!ENVIRONMENT_NAMES.includes(values.env as EnvironmentName)) problems.push(`--env: "${values.env ?? ''}" must be one of ${ENVIRONMENT_NAMES.join(', ')}`);
  const limit = values.limit === undefined ? 10 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) problems.push(`--limit: "${values.limit}" must be an integer from 1 to 100`);
  const window = command === 'replay' ? replayWindow(values, problems) : {};
  if (command === 'inspect' && values.yes) problems.push('--yes: inspect only reads; it takes no confirmation');
  if (problems.length > 0) throw new OpsArgsError(problems);
  return {
    command: command as OpsCommand,
    service: values.service as string,
    env: values.env as EnvironmentName,
    subscription: values.subscription as string,
    yes: values.yes === true,
    limit,
    ...window,
  };
}
